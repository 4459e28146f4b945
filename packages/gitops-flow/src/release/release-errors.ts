import { GitOpsKitError } from '@gitops-kit/core';
import type { ReleaseReport } from './release-report.js';

/**
 * A later release changed a stage this release had promoted (or is promoting): the later one wins, this one
 * stops before touching any further stage. `report` says where it stood.
 */
export class ReleaseSupersededError extends GitOpsKitError {
  static override readonly kind: string = 'ReleaseSupersededError';
  readonly stage: string;
  readonly report: ReleaseReport;
  constructor(stage: string, detail: string, report: ReleaseReport) {
    super(`release ${report.releaseId} was superseded at stage ${stage}: ${detail}`, {
      code: 'RELEASE_SUPERSEDED',
      retryable: false,
    });
    this.stage = stage;
    this.report = report;
    this.redactOwnFields();
  }
}

/**
 * A stage could not run to a verdict (git or Argo CD unreachable, a forge error, an abort). `cause` is the typed
 * error; `report` says which stages had been promoted by then.
 */
export class ReleaseError extends GitOpsKitError {
  static override readonly kind: string = 'ReleaseError';
  readonly stage: string | undefined;
  readonly report: ReleaseReport;
  constructor(
    message: string,
    options: { stage: string | undefined; report: ReleaseReport; cause: unknown },
  ) {
    const retryable = GitOpsKitError.isInstance(options.cause) ? options.cause.retryable : false;
    super(message, { code: 'RELEASE_FAILED', retryable, cause: options.cause });
    this.stage = options.stage;
    this.report = options.report;
    this.redactOwnFields();
  }
}

/**
 * A single-stage run (`onlyStage`, `release promote --stage`) found an earlier stage that does not run the release
 * yet: its branch does not hold the values, or Argo CD does not report its application Synced and Healthy. Nothing
 * was written; `earlierStage` names the first such stage, `report` lists what was checked.
 */
export class EarlierStageNotAtReleaseError extends GitOpsKitError {
  static override readonly kind: string = 'EarlierStageNotAtReleaseError';
  /** The stage the run was asked to promote. */
  readonly stage: string;
  /** The first earlier stage that is not at the release. */
  readonly earlierStage: string;
  readonly report: ReleaseReport;
  constructor(stage: string, earlierStage: string, detail: string, report: ReleaseReport) {
    super(
      `release ${report.releaseId} cannot promote stage ${stage}: the earlier stage ${earlierStage} is not at the release (${detail}); promote ${earlierStage} first`,
      { code: 'EARLIER_STAGE_NOT_AT_RELEASE', retryable: false },
    );
    this.stage = stage;
    this.earlierStage = earlierStage;
    this.report = report;
    this.redactOwnFields();
  }
}

/**
 * A change-request stage stopped because the checks on its change request's head failed (a GitLab pipeline, a
 * commit status, a GitHub check run), with `strategy.failOnChecks` (the default). Nothing was merged, so nothing
 * was deployed and no failure policy ran; the change request stays open (`changeRequest`), later stages were not
 * touched. Fix (or re-run) the checks, then run the release again: it reuses the change request. `cause` is
 * forge-client's `ChecksFailedError`.
 *
 * @example
 * ```ts
 * try { await promoteRelease(options); }
 * catch (error) { if (ReleaseChecksFailedError.isInstance(error)) console.error(error.failed, error.changeRequest.webUrl); }
 * ```
 */
export class ReleaseChecksFailedError extends GitOpsKitError {
  static override readonly kind: string = 'ReleaseChecksFailedError';
  readonly stage: string;
  /** The change request whose checks failed, as the forge names it (`!3` on GitLab, `#3` on GitHub). */
  readonly changeRequest: { number: number; webUrl: string };
  /** The head commit the checks ran on. */
  readonly sha: string;
  /** The failed checks: status or check-run names, or `pipeline #<id>`. */
  readonly failed: readonly string[];
  readonly report: ReleaseReport;
  constructor(options: {
    stage: string;
    changeRequest: { number: number; webUrl: string };
    /** `merge request !3` or `pull request #3`. */
    changeRequestName: string;
    sha: string;
    failed: readonly string[];
    report: ReleaseReport;
    cause: unknown;
  }) {
    super(
      `release ${options.report.releaseId} stopped at stage ${options.stage}: ${options.changeRequestName} failed its checks on ${options.sha.slice(0, 12)} (${options.failed.join(', ') || 'failed'}); nothing was merged and it stays open (${options.changeRequest.webUrl}): fix or re-run the checks, then run the release again`,
      { code: 'RELEASE_CHECKS_FAILED', retryable: false, cause: options.cause },
    );
    this.stage = options.stage;
    this.changeRequest = options.changeRequest;
    this.sha = options.sha;
    this.failed = options.failed;
    this.report = options.report;
    this.redactOwnFields();
  }
}
