import type { FailurePolicy } from './promote-options.js';
import type { PromotionStepName } from './promotion-events.js';

/** How a promotion ended. */
export type PromotionOutcome =
  /** Deployed and verified: operation Succeeded at our revision, Synced, Healthy. */
  | 'succeeded'
  /** The deployment failed; see `diagnosis` and `rollback`. */
  | 'failed'
  /** The wait ran out of time; see `diagnosis`. */
  | 'timed-out'
  /** `beforeSync` said no: the commit (if any) is pushed, nothing was synced. */
  | 'skipped'
  /** Dry run: nothing was pushed or synced; `diff` says what would change. */
  | 'dry-run'
  /**
   * The caller's signal aborted (SIGINT in the CLI). Only on {@link PromotionInterruptedError.report}: `commit`
   * says what was pushed, `operationPhase` whether Argo CD is still running a sync we started.
   */
  | 'interrupted';

/** One step's record. */
export interface PromotionStepRecord {
  name: PromotionStepName;
  status: 'succeeded' | 'failed' | 'skipped';
  startedAt: string;
  durationMs: number;
  detail?: string;
}

/**
 * A change of what Argo CD reports while a promotion waits: the sync status, health and operation phase at one
 * moment. The promotion's timeline.
 */
export interface PromotionTransition {
  /** ISO time of the observation. */
  at: string;
  /** Milliseconds since the promotion started. */
  offsetMs: number;
  /** The step that was waiting. */
  step: 'wait' | 'rollback-wait' | 'refresh';
  /** `status.sync.status`. */
  syncStatus: string | undefined;
  /** `status.health.status`. */
  healthStatus: string | undefined;
  /** `status.operationState.phase`. */
  operationPhase: string | undefined;
  /** `status.sync.revision`. */
  revision: string | undefined;
}

/** A resource that kept the application from being healthy, and what would fix it. */
export interface DiagnosisFinding {
  kind: string;
  name: string;
  namespace?: string;
  health: string;
  message?: string;
  /** A known cause (`ingress-without-load-balancer-address`, …). */
  cause?: string;
  /** What to change, in a sentence. */
  suggestion?: string;
  /** The argocd-cm key to set, when a health customisation is the fix. */
  argocdCmKey?: string;
  /** A Lua health script that would fix it, evaluated offline against the live object. */
  proposedHealthLua?: string;
  /** What Argo CD would report with the proposed script (evaluated with @gitops-kit/argocd-health). */
  proposedHealthResult?: { status: string; message?: string };
}

/** Why the deployment is not healthy, readable at a glance. */
export interface PromotionDiagnosis {
  summary: string;
  applicationHealth: string | undefined;
  syncStatus: string | undefined;
  operationPhase: string | undefined;
  operationMessage: string | undefined;
  findings: DiagnosisFinding[];
}

/** What the failure policy did. */
export interface RollbackRecord {
  policy: FailurePolicy;
  outcome: 'succeeded' | 'failed' | 'refused' | 'not-needed';
  /** The revert commit (git-revert). */
  commit?: string;
  /** The history entry rolled back to (argocd-rollback). */
  historyId?: number;
  revision?: string;
  detail?: string;
}

/** The result of a promotion. JSON-serialisable. */
export interface PromotionReport {
  outcome: PromotionOutcome;
  application: string;
  project: string | undefined;
  /** The commit this promotion pushed, or null (nothing to change, dry run, helm-parameters mode). */
  commit: string | null;
  changed: boolean;
  /** The revision deployed (our commit, or the branch head when nothing changed). */
  targetRevision: string | undefined;
  /** What Argo CD reports as synced at the end. */
  syncedRevision: string | undefined;
  syncStatus: string | undefined;
  healthStatus: string | undefined;
  operationPhase: string | undefined;
  /** Whether the application syncs on its own (then we waited for the controller instead of syncing). */
  autoSync: boolean;
  edits: Array<{ file: string; path: string; oldValue: unknown; newValue: unknown }>;
  /** Unified diff of the change (dry runs and real runs). */
  diff?: string;
  steps: PromotionStepRecord[];
  /** Sync, health and operation changes seen while waiting, in order (the first observation included). */
  transitions: PromotionTransition[];
  /** The step that was running when the promotion was interrupted (outcome `interrupted`). */
  interruptedStep?: PromotionStepName;
  /** Push attempts (more than 1 after races). */
  pushAttempts: number;
  diagnosis?: PromotionDiagnosis;
  rollback?: RollbackRecord;
  /** The error that ended the promotion, without secrets. */
  error?: { name: string; code: string; message: string };
  startedAt: string;
  durationMs: number;
}
