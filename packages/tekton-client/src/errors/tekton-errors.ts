import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';

/** A pod whose logs were asked for no longer exists (Tekton deletes pods on cancel and timeout). */
export class PodGoneError extends GitOpsKitError {
  static override readonly kind: string = 'PodGoneError';
  readonly pod: string;
  constructor(pod: string, options: GitOpsKitErrorOptions = {}) {
    super(
      `pod "${pod}" no longer exists; its logs are gone (Tekton deletes pods of cancelled or timed-out runs)`,
      {
        code: 'POD_GONE',
        retryable: false,
        ...options,
      },
    );
    this.pod = pod;
  }
}

/**
 * A wait (`waitForCompletion`, log start, trigger lookup) ran past its `timeoutMs`. Carries the last state seen.
 * Retryable: waiting longer may succeed.
 */
export class WaitTimeoutError<T = unknown> extends GitOpsKitError {
  static override readonly kind: string = 'WaitTimeoutError';
  readonly timeoutMs: number;
  /** The last object observed before the deadline, when there was one. */
  readonly lastState: T | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { timeoutMs: number; lastState?: T }) {
    super(message, { code: 'WAIT_TIMEOUT', retryable: true, ...options });
    this.timeoutMs = options.timeoutMs;
    this.lastState = options.lastState;
  }
}

/** The EventListener refused an event (non-2xx), or never created a PipelineRun for it before the deadline. */
export class TriggerError extends GitOpsKitError {
  static override readonly kind: string = 'TriggerError';
  /** The event id the listener answered with, when it accepted the event. */
  readonly eventId: string | undefined;
  readonly status: number | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { eventId?: string; status?: number } = {}) {
    super(message, { code: 'TRIGGER_FAILED', retryable: false, ...options });
    this.eventId = options.eventId;
    this.status = options.status;
  }
}

/** An invalid argument (cancel mode, missing pipelineRef/pipelineSpec, unknown run state) rejected before sending. */
export class TektonUsageError extends GitOpsKitError {
  static override readonly kind: string = 'TektonUsageError';
  constructor(message: string, options: GitOpsKitErrorOptions = {}) {
    super(message, { code: 'INVALID_ARGUMENT', retryable: false, ...options });
  }
}

/** A document built or given to `start`/`apply` failed {@link validateTektonDocument}; nothing was sent. */
export class TektonValidationError extends GitOpsKitError {
  static override readonly kind: string = 'TektonValidationError';
  readonly issues: ReadonlyArray<{ code: string; path: Array<string | number>; message: string }>;
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & {
      issues: ReadonlyArray<{ code: string; path: Array<string | number>; message: string }>;
    },
  ) {
    super(message, { code: 'TEKTON_VALIDATION_FAILED', retryable: false, ...options });
    this.issues = options.issues;
    // Server state (operation messages, parameters) may quote credentials: redacted at the cause.
    this.redactOwnFields();
  }
}
