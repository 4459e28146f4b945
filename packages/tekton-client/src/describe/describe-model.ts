import type { Condition, Param, ParamValue, WorkspaceBinding } from '../schemas/common.js';
import type { PipelineSpec } from '../schemas/pipeline.js';
import type { PipelineRun, TaskRun } from '../schemas/runs.js';
import { parseGoDurationMs } from './go-duration.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** One row of the TaskRuns table. */
export interface TaskRunRow {
  name: string;
  pipelineTaskName: string;
  startTime: string | undefined;
  completionTime: string | undefined;
  conditions: Condition[];
}

/** A PipelineRun description: everything `formatDescribe` prints, as data. */
export interface PipelineRunDescription {
  name: string;
  namespace: string;
  pipelineRef: string | undefined;
  serviceAccountName: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startTime: string | undefined;
  completionTime: string | undefined;
  conditions: Condition[];
  /** Condition message plus the failed TaskRuns, only when the run failed (first condition False). */
  message: string | undefined;
  /** TaskRuns whose first condition is False, sorted. */
  failedTaskRuns: string[];
  timeouts: { pipeline?: number; tasks?: number; finally?: number } | undefined;
  params: Param[];
  results: Array<{ name: string; value: ParamValue }>;
  workspaces: WorkspaceBinding[];
  /** Newest start first, TaskRuns not yet started first (tkn's order). */
  taskRuns: TaskRunRow[];
  skippedTasks: Array<{ name: string; reason: string | undefined }>;
  /** The pipeline the run executes (`status.pipelineSpec`, else an embedded `spec.pipelineSpec`), for its graph. */
  pipelineSpec?: PipelineSpec | undefined;
}

function sortedRecord(
  record: Record<string, string> | null | undefined,
  omit?: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record ?? {}).sort()) {
    if (key !== omit) out[key] = record![key]!;
  }
  return out;
}

/** tkn's `TaskRunWithStatusList.Less`: rows without a start time first, then newest start first. */
function compareRows(a: TaskRunRow, b: TaskRunRow): number {
  if (!a.startTime && !b.startTime) return 0;
  if (!a.startTime) return -1;
  if (!b.startTime) return 1;
  return Date.parse(b.startTime) - Date.parse(a.startTime);
}

/**
 * Builds a {@link PipelineRunDescription} from a PipelineRun and its TaskRuns (from one label-selected list).
 * Only children listed in `status.childReferences` with kind TaskRun are shown, like tkn; when the run has no
 * child references yet (old controllers), every TaskRun labelled with the run is shown.
 */
export function buildPipelineRunDescription(
  run: PipelineRun,
  taskRuns: readonly TaskRun[],
): PipelineRunDescription {
  const byName = new Map(taskRuns.map((taskRun) => [taskRun.metadata.name ?? '', taskRun]));
  const children = run.status?.childReferences;
  const rows: TaskRunRow[] = [];
  const toRow = (taskRun: TaskRun, pipelineTaskName: string): TaskRunRow => ({
    name: taskRun.metadata.name ?? '',
    pipelineTaskName,
    startTime: taskRun.status?.startTime,
    completionTime: taskRun.status?.completionTime,
    conditions: taskRun.status?.conditions ?? [],
  });
  if (children && children.length > 0) {
    for (const child of children) {
      if (child.kind !== 'TaskRun') continue;
      const taskRun = byName.get(child.name);
      if (taskRun?.status) rows.push(toRow(taskRun, child.pipelineTaskName ?? ''));
    }
  } else {
    for (const taskRun of taskRuns) {
      if (taskRun.status)
        rows.push(toRow(taskRun, taskRun.metadata.labels?.['tekton.dev/pipelineTask'] ?? ''));
    }
  }
  rows.sort(compareRows);
  const first = run.status?.conditions?.[0];
  const failedTaskRuns = rows
    .filter((row) => row.conditions[0]?.status === 'False')
    .map((row) => row.name)
    .sort();
  let message: string | undefined;
  if (first?.status === 'False') {
    message = first.message ?? '';
    if (failedTaskRuns.length > 0) message += `\nTaskRun(s) cancelled: ${failedTaskRuns.join(', ')}`;
  }
  let timeouts: PipelineRunDescription['timeouts'];
  const specTimeouts = run.spec.timeouts;
  if (specTimeouts) {
    timeouts = {};
    for (const key of ['pipeline', 'tasks', 'finally'] as const) {
      const value = specTimeouts[key];
      const ms = value === undefined ? undefined : parseGoDurationMs(value);
      if (ms !== undefined) timeouts[key] = ms;
    }
  }
  return {
    name: run.metadata.name ?? '',
    namespace: run.metadata.namespace ?? '',
    pipelineRef: run.spec.pipelineRef?.name || undefined,
    serviceAccountName: run.spec.taskRunTemplate?.serviceAccountName || undefined,
    labels: sortedRecord(run.metadata.labels),
    annotations: sortedRecord(run.metadata.annotations, LAST_APPLIED),
    startTime: run.status?.startTime,
    completionTime: run.status?.completionTime,
    conditions: run.status?.conditions ?? [],
    message,
    failedTaskRuns,
    timeouts,
    params: run.spec.params ?? [],
    results: (run.status?.results ?? []).map((result) => ({ name: result.name, value: result.value })),
    workspaces: run.spec.workspaces ?? [],
    taskRuns: rows,
    skippedTasks: (run.status?.skippedTasks ?? []).map((task) => ({ name: task.name, reason: task.reason })),
    pipelineSpec: run.status?.pipelineSpec ?? run.spec.pipelineSpec,
  };
}
