import { formatPipelineGraphDot, formatPipelineGraphMermaid } from '../graph/format-pipeline-graph.js';
import { pipelineGraph } from '../graph/pipeline-graph.js';
import { formatConditionText } from '../runs/run-state.js';
import type { ParamValue, WorkspaceBinding } from '../schemas/common.js';
import type { PipelineRunDescription } from './describe-model.js';
import { formatAge } from './format-age.js';
import { formatGoDuration } from './go-duration.js';
import { alignColumns } from './tabwriter.js';

/** Options of {@link formatDescribe}. */
export interface FormatDescribeOptions {
  /** "Now" for ages, in epoch milliseconds; default `Date.now()`. */
  nowMs?: number;
  /**
   * Append the pipeline's graph (from {@link PipelineRunDescription.pipelineSpec}) as Mermaid or Graphviz DOT; no
   * section when the run carries no pipeline spec yet.
   */
  graph?: 'mermaid' | 'dot';
}

/** Go's `%v` of a ParamValue: `[a b c]` for arrays, `map[k:v]` (sorted keys) for objects. */
export function formatParamValue(value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.join(' ')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${key}:${value[key]}`);
  return `map[${entries.join(' ')}]`;
}

/** Formats a duration between two timestamps like tkn (`4m0s`), `---` when either is unset. */
export function formatRunDuration(start: string | undefined, end: string | undefined): string {
  if (!start || !end) return '---';
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isNaN(ms) ? '---' : formatGoDuration(ms);
}

function items(list: unknown[] | undefined): string {
  return (list ?? [])
    .map((item) => {
      const { key, path } = item as { key?: string; path?: string };
      return `,item=${key ?? ''}=${path ?? ''}`;
    })
    .join('');
}

/** The WORKSPACE BINDING column text tkn prints for a binding. */
export function formatWorkspaceBinding(binding: WorkspaceBinding): string {
  if (binding.volumeClaimTemplate) return 'VolumeClaimTemplate';
  if (binding.persistentVolumeClaim)
    return `PersistentVolumeClaim (claimName=${binding.persistentVolumeClaim.claimName})`;
  if (binding.emptyDir) {
    const medium = binding.emptyDir.medium;
    return `EmptyDir (emptyDir=${medium === 'Memory' || medium === 'HugePages' ? medium : ''})`;
  }
  if (binding.configMap)
    return `ConfigMap (config=${binding.configMap.name ?? ''}${items(binding.configMap.items)})`;
  if (binding.secret)
    return `Secret (secret=${binding.secret.secretName ?? ''}${items(binding.secret.items)})`;
  if (binding.csi) return `CSI (Driver=${binding.csi.driver ?? ''})`;
  return '';
}

/**
 * Renders a description as `tkn pipelinerun describe` lays it out (colourless): the header fields, Status,
 * Message (failed runs), Timeouts, Params, Results, Workspaces, Taskruns and Skipped Tasks sections, aligned like
 * Go's tabwriter with a padding of 3.
 *
 * @example
 * ```ts
 * console.log(formatDescribe(await client.pipelineRuns.describe('gitlab-run-x7k2p')));
 * ```
 */
export function formatDescribe(
  description: PipelineRunDescription,
  options: FormatDescribeOptions = {},
): string {
  const now = options.nowMs ?? Date.now();
  const out: string[] = [`Name:\t${description.name}`, `Namespace:\t${description.namespace}`];
  if (description.pipelineRef) out.push(`Pipeline Ref:\t${description.pipelineRef}`);
  if (description.serviceAccountName) out.push(`Service Account:\t${description.serviceAccountName}`);
  const labels = Object.entries(description.labels);
  if (labels.length > 0) out.push('Labels:', ...labels.map(([key, value]) => ` ${key}=${value}`));
  const annotations = Object.entries(description.annotations);
  if (annotations.length > 0)
    out.push('Annotations:', ...annotations.map(([key, value]) => ` ${key}=${value}`));
  out.push(
    '',
    'Status',
    '',
    'STARTED\tDURATION\tSTATUS',
    `${formatAge(description.startTime, now)}\t${formatRunDuration(description.startTime, description.completionTime)}\t${formatConditionText(description.conditions)}`,
  );
  if (description.message !== undefined) out.push('', 'Message', '', description.message);
  if (description.timeouts) {
    out.push('', 'Timeouts');
    const names = { pipeline: 'Pipeline', tasks: 'Tasks', finally: 'Finally' } as const;
    for (const key of ['pipeline', 'tasks', 'finally'] as const) {
      const ms = description.timeouts[key];
      if (ms !== undefined) out.push(` ${names[key]}:\t${formatGoDuration(ms)}`);
    }
  }
  if (description.params.length > 0) {
    out.push('', 'Params', '', ' NAME\tVALUE');
    for (const param of description.params) out.push(` ${param.name}\t${formatParamValue(param.value)}`);
  }
  if (description.results.length > 0) {
    out.push('', 'Results', '', ' NAME\tVALUE');
    for (const result of description.results) out.push(` ${result.name}\t${formatParamValue(result.value)}`);
  }
  if (description.workspaces.length > 0) {
    out.push('', 'Workspaces', '', ' NAME\tSUB PATH\tWORKSPACE BINDING');
    for (const workspace of description.workspaces) {
      out.push(` ${workspace.name}\t${workspace.subPath || '---'}\t${formatWorkspaceBinding(workspace)}`);
    }
  }
  if (description.taskRuns.length > 0) {
    out.push('', 'Taskruns', '', ' NAME\tTASK NAME\tSTARTED\tDURATION\tSTATUS');
    for (const row of description.taskRuns) {
      out.push(
        ` ${row.name}\t${row.pipelineTaskName}\t${formatAge(row.startTime, now)}\t${formatRunDuration(row.startTime, row.completionTime)}\t${formatConditionText(row.conditions)}`,
      );
    }
  }
  if (description.skippedTasks.length > 0) {
    out.push('', 'Skipped Tasks', '', ' NAME');
    for (const task of description.skippedTasks) out.push(` ${task.name}`);
  }
  const text = `${alignColumns(out.join('\n'), { padding: 3 })}\n`;
  if (!options.graph || !description.pipelineSpec) return text;
  const graph = pipelineGraph(description.pipelineSpec);
  const rendered =
    options.graph === 'dot' ? formatPipelineGraphDot(graph) : formatPipelineGraphMermaid(graph);
  return `${text}\nGraph\n\n${rendered}`;
}
