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
