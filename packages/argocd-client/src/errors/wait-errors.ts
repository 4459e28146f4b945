import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';
import type { Application } from '../schemas/application-schema.js';

/** What a {@link WaitTimeoutError} carries. */
export interface WaitTimeoutErrorOptions extends GitOpsKitErrorOptions {
  applicationName: string;
  timeoutMs: number;
  lastState?: Application | undefined;
  /** What was still missing. */
  detail?: string | undefined;
}

/**
 * `applications.wait` ran out of time. Carries the last application state it observed, like a smithy waiter's
 * TIMEOUT result, so the caller can say what was still missing.
 *
 * @example
 * ```ts
 * catch (error) { if (WaitTimeoutError.isInstance(error)) console.log(error.lastState?.status?.health); }
 * ```
 */
export class WaitTimeoutError extends GitOpsKitError {
  static override readonly kind: string = 'WaitTimeoutError';
  readonly applicationName: string;
  readonly timeoutMs: number;
  /** The last application observed before the deadline (undefined if none was ever read). */
  readonly lastState: Application | undefined;

  constructor(message: string | undefined, options: WaitTimeoutErrorOptions) {
    super(
      message ??
        `Timed out after ${options.timeoutMs} ms waiting for application "${options.applicationName}": ${options.detail ?? 'conditions not met'}`,
      { code: 'WAIT_TIMEOUT', retryable: false, cause: options.cause },
    );
    this.applicationName = options.applicationName;
    this.timeoutMs = options.timeoutMs;
    this.lastState = options.lastState;
    // Server state (operation messages, parameters) may quote credentials: redacted at the cause.
    this.redactOwnFields();
  }
}

/** Why a wait failed before its deadline. */
export type WaitFailureReason = 'degraded' | 'operation-failed' | 'deleted';

/** What a {@link WaitFailedError} carries. */
export interface WaitFailedErrorOptions extends GitOpsKitErrorOptions {
  applicationName: string;
  reason: WaitFailureReason;
  detail: string;
  lastState?: Application | undefined;
}

/**
 * `applications.wait` failed fast: a resource transitioned to Degraded, the operation ended Failed/Error, or the
 * application was deleted.
 *
 * @example
 * ```ts
 * catch (error) { if (WaitFailedError.isInstance(error) && error.reason === 'degraded') await rollBack(); }
 * ```
 */
export class WaitFailedError extends GitOpsKitError {
  static override readonly kind: string = 'WaitFailedError';
  readonly applicationName: string;
  readonly reason: WaitFailureReason;
  /** The application state that made the wait fail. */
  readonly lastState: Application | undefined;

  constructor(message: string | undefined, options: WaitFailedErrorOptions) {
    super(
      message ??
        `Waiting for application "${options.applicationName}" failed (${options.reason}): ${options.detail}`,
      { code: 'WAIT_FAILED', retryable: false, cause: options.cause },
    );
    this.applicationName = options.applicationName;
    this.reason = options.reason;
    this.lastState = options.lastState;
    // Server state (operation messages, parameters) may quote credentials: redacted at the cause.
    this.redactOwnFields();
  }
}
