import { AbortError, GitOpsKitError } from '@gitops-kit/core';
import type { PromotionStepName } from './promotion-events.js';
import type { PromotionReport } from './promotion-report.js';

/**
 * A promotion could not run to a verdict: a step failed for a reason other than the deployment itself (git
 * authentication, Argo CD unreachable, a conflict retries could not resolve). `cause` is the typed error from the
 * step; `report` says what had happened by then (a commit may already be pushed).
 *
 * A failed *deployment* is not an error: `promote` returns a report with outcome `failed` or `timed-out`.
 */
export class PromotionError extends GitOpsKitError {
  static override readonly kind: string = 'PromotionError';
  /** The step that failed. */
  readonly step: PromotionStepName | undefined;
  /** What had happened by then. */
  readonly report: PromotionReport;

  constructor(
    message: string,
    options: { step: PromotionStepName | undefined; report: PromotionReport; cause: unknown },
  ) {
    const retryable = GitOpsKitError.isInstance(options.cause) ? options.cause.retryable : false;
    super(message, { code: 'PROMOTION_FAILED', retryable, cause: options.cause });
    this.step = options.step;
    this.report = options.report;
    // The report quotes server text (step details, diagnosis messages, the diff): a redacted copy, like every field.
    this.redactOwnFields();
  }
}

/**
 * The promotion was interrupted by the caller's `signal` (SIGINT in the CLI). It is an `AbortError` (core), so code
 * that handles aborts keeps working, and it carries what had happened by then: `report.commit` was pushed (an
 * auto-sync app will deploy it), `report.operationPhase` says whether Argo CD is still running a sync we started
 * (it continues on the server; `argocd app terminate-op` stops it).
 *
 * @example
 * ```ts
 * try { await promote({ ...options, signal }); }
 * catch (error) { if (error instanceof PromotionInterruptedError) console.log(error.report.commit); }
 * ```
 */
export class PromotionInterruptedError extends AbortError {
  static override readonly kind: string = 'PromotionInterruptedError';
  /** The step that was running. */
  readonly step: PromotionStepName | undefined;
  /** What had happened by then (outcome `interrupted`). */
  readonly report: PromotionReport;

  constructor(
    message: string,
    options: { step: PromotionStepName | undefined; report: PromotionReport; cause: unknown },
  ) {
    super(message, { cause: options.cause });
    // Keep the name every abort carries (DOM and node: `error.name === 'AbortError'`), so code that recognises aborts
    // by name still does; `PromotionInterruptedError.isInstance` tells this class apart.
    this.name = 'AbortError';
    this.step = options.step;
    this.report = options.report;
  }
}
