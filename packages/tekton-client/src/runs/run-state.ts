import type { Condition } from '../schemas/common.js';

/** The state of a PipelineRun or TaskRun, derived from `spec.status` and the `Succeeded` condition. */
export type RunState =
  | 'pending'
  | 'running'
  | 'cancelling'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timedOut';

const CANCELLED_REASONS = new Set(['Cancelled', 'PipelineRunCancelled', 'TaskRunCancelled']);
const TIMEOUT_REASONS = new Set(['PipelineRunTimeout', 'TaskRunTimeout']);
const PENDING_REASONS = new Set(['PipelineRunPending', 'TaskRunPending']);

/** Anything with Tekton-style status conditions. */
export interface RunLike {
  spec?: { status?: string | undefined } | undefined;
  status?: { conditions?: Condition[] | undefined } | undefined;
}

/** The `type: Succeeded` condition of a run, if any. */
export function succeededCondition(run: RunLike): Condition | undefined {
  return run.status?.conditions?.find((condition) => condition.type === 'Succeeded');
}

/**
 * Whether a run is finished. Read from the condition **status** (True/False), never from the reason alone:
 * Unknown with `CancelledRunningFinally` is still running its finally tasks (Tekton docs, pipelineruns.md).
 */
export function isRunDone(run: RunLike): boolean {
  const status = succeededCondition(run)?.status;
  return status === 'True' || status === 'False';
}

/**
 * Derives a {@link RunState}.
 *
 * @example
 * ```ts
 * if (runState(run) === 'failed') console.log(succeededCondition(run)?.message);
 * ```
 */
export function runState(run: RunLike): RunState {
  const condition = succeededCondition(run);
  const specStatus = run.spec?.status;
  if (!condition) {
    if (specStatus && PENDING_REASONS.has(specStatus)) return 'pending';
    return specStatus && specStatus !== 'PipelineRunPending' ? 'cancelling' : 'pending';
  }
  const reason = condition.reason ?? '';
  if (condition.status === 'True') return 'succeeded';
  if (condition.status === 'False') {
    if (CANCELLED_REASONS.has(reason)) return 'cancelled';
    if (TIMEOUT_REASONS.has(reason)) return 'timedOut';
    return 'failed';
  }
  if (PENDING_REASONS.has(reason)) return 'pending';
  if (specStatus && !PENDING_REASONS.has(specStatus)) return 'cancelling';
  if (/Cancelled|Stopp/.test(reason)) return 'cancelling';
  return 'running';
}

/**
 * The condition text tkn prints (`formatted.Condition`): Running / Succeeded / Failed, with the reason in
 * parentheses when it says more, and tkn's special cases for Completed, cancellation, stopping and pending.
 */
export function formatConditionText(conditions: readonly Condition[] | undefined): string {
  const first = conditions?.[0];
  if (!first) return '---';
  const word = first.status === 'True' ? 'Succeeded' : first.status === 'False' ? 'Failed' : 'Running';
  const reason = first.reason ?? '';
  if (reason === '' || reason === word) return word;
  if (reason === 'Completed' && first.status === 'True') return 'Succeeded';
  if (reason === 'Cancelled') return 'Cancelled';
  if (reason === 'PipelineRunCancelled' || reason === 'TaskRunCancelled') return `Cancelled(${reason})`;
  if (reason === 'PipelineRunStopping' || reason === 'TaskRunStopping') return `Failed(${reason})`;
  if (['CreateContainerConfigError', 'ExceededNodeResources', 'ExceededResourceQuota'].includes(reason)) {
    return `Pending(${reason})`;
  }
  if (reason === 'PipelineRunPending') return 'Pending';
  return `${word}(${reason})`;
}
