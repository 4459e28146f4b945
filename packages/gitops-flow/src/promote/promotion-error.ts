import { GitOpsKitError } from '@gitops-kit/core';
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
