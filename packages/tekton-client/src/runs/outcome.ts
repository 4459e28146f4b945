import type { PipelineRun, TaskRun } from '../schemas/runs.js';
import { runState, succeededCondition } from './run-state.js';

/** A failed (or cancelled / timed-out) task of a run. */
export interface FailedTask {
  pipelineTask: string;
  taskRun: string;
  reason: string;
  message: string;
}

/** How a finished PipelineRun ended, like a smithy waiter result. */
export interface PipelineRunOutcome {
  status: 'Succeeded' | 'Failed' | 'Cancelled' | 'TimedOut';
  /** The condition reason (`Succeeded`, `Completed`, `Failed`, `Cancelled`, `PipelineRunTimeout`…). */
  reason: string;
  message: string;
  failedTasks: FailedTask[];
  /** Milliseconds from start to completion, when both are known. */
  durationMs: number | undefined;
  /** The run as last observed. */
  run: PipelineRun;
}

/** Builds the outcome of a finished run from the run and its TaskRuns. */
export function outcomeOf(run: PipelineRun, taskRuns: readonly TaskRun[]): PipelineRunOutcome {
  const state = runState(run);
  const condition = succeededCondition(run);
  const status =
    state === 'succeeded'
      ? 'Succeeded'
      : state === 'cancelled'
        ? 'Cancelled'
        : state === 'timedOut'
          ? 'TimedOut'
          : 'Failed';
  const failedTasks: FailedTask[] = taskRuns
    .filter((taskRun) => succeededCondition(taskRun)?.status === 'False')
    .map((taskRun) => ({
      pipelineTask: taskRun.metadata.labels?.['tekton.dev/pipelineTask'] ?? '',
      taskRun: taskRun.metadata.name ?? '',
      reason: succeededCondition(taskRun)?.reason ?? '',
      message: succeededCondition(taskRun)?.message ?? '',
    }))
    .sort((a, b) => a.taskRun.localeCompare(b.taskRun));
  const start = run.status?.startTime ? Date.parse(run.status.startTime) : Number.NaN;
  const end = run.status?.completionTime ? Date.parse(run.status.completionTime) : Number.NaN;
  return {
    status,
    reason: condition?.reason ?? '',
    message: condition?.message ?? '',
    failedTasks,
    durationMs: Number.isNaN(start) || Number.isNaN(end) ? undefined : end - start,
    run,
  };
}
