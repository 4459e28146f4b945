/** The steps of a promotion, in order. */
export type PromotionStepName =
  | 'preflight'
  | 'write-back'
  | 'set-parameters'
  | 'refresh'
  | 'gate'
  | 'sync'
  | 'wait'
  | 'verify'
  | 'diagnose'
  | 'rollback'
  | 'rollback-sync'
  | 'rollback-wait';

/** A step started, finished, failed or was skipped. */
export interface PromotionStepEvent {
  type: 'step';
  step: PromotionStepName;
  status: 'started' | 'succeeded' | 'failed' | 'skipped';
  message: string;
  durationMs?: number;
}

/** What the wait observes, as it changes. */
export interface PromotionProgressEvent {
  type: 'progress';
  step: 'wait' | 'rollback-wait' | 'refresh';
  syncStatus: string | undefined;
  healthStatus: string | undefined;
  operationPhase: string | undefined;
  revision: string | undefined;
  /** Resources that are not yet Synced and Healthy. */
  pending: Array<{
    kind: string;
    name: string;
    syncStatus: string | undefined;
    healthStatus: string | undefined;
  }>;
}

/** Something the caller should know that does not stop the promotion. */
export interface PromotionWarningEvent {
  type: 'warning';
  message: string;
}

/** Everything {@link PromoteOptions.onEvent} receives. */
export type PromotionEvent = PromotionStepEvent | PromotionProgressEvent | PromotionWarningEvent;
