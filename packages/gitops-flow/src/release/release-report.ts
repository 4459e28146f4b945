import type { PromotionReport } from '../promote/promotion-report.js';

/** How a stage of a release ended. */
export type StageOutcome =
  /** The release was written, merged where a change request was needed, synced, waited for and verified. */
  | 'promoted'
  /** The stage already held the release and was verified, not rewritten (a re-run resumes). */
  | 'verified'
  /** Deployment, verification or the gate failed; the stage's failure policy ran. */
  | 'failed'
  /** A later release changed the stage. */
  | 'superseded'
  /** Not reached: an earlier stage stopped the release. */
  | 'not-started';

/** What happened at one stage. */
export interface StageReport {
  name: string;
  application: string;
  outcome: StageOutcome;
  strategy: 'push' | 'change-request';
  /** The commit that carries the release on the stage's branch (ours, the merge commit, or the head it was found at). */
  commit: string | undefined;
  /** The values the stage held before (for a revert by hand). */
  previousValues: Record<string, Record<string, unknown>>;
  /**
   * The branch a change-request stage wrote the release to (`release/<id>/<stage>`), set as soon as it was pushed,
   * with the commit it holds.
   */
  reviewBranch?: { name: string; commit: string };
  /**
   * The stage's change request, set as soon as it was opened or found open (so an abort or a failed wait still
   * says which one is left), then updated when it merged.
   */
  changeRequest?: {
    number: number;
    webUrl: string;
    state: string;
    mergeCommitSha: string | null;
    /**
     * The checks on its head when the stage stopped on them (`strategy.failOnChecks`): `failed` names the failed
     * statuses, check runs or pipeline (`pipeline #<id>`).
     */
    checks?: { state: 'failed'; sha: string; failed: string[] };
  };
  /** The promotion of this stage (push, or the sync and wait after a merge). */
  promotion?: PromotionReport;
  startedAt: string;
  durationMs: number;
  error?: { name: string; code: string; message: string };
}

/** How a release ended. */
export interface ReleaseReport {
  releaseId: string;
  outcome: 'succeeded' | 'failed';
  values: Record<string, unknown>;
  stages: StageReport[];
  /** Set when the run promoted this one stage (`onlyStage`): earlier stages were checked, later ones not touched. */
  onlyStage?: string;
  startedAt: string;
  durationMs: number;
}
