import { formatConditionText } from '../runs/run-state.js';
import type { TaskRunDescription } from '../runs/task-runs.js';
import type { ParamValue } from '../schemas/common.js';
import { formatAge } from './format-age.js';
import { type FormatDescribeOptions, formatParamValue, formatRunDuration } from './format-describe.js';
import { formatGoDuration, parseGoDurationMs } from './go-duration.js';
import { alignColumns } from './tabwriter.js';

/**
 * Renders a TaskRun description in the spirit of `tkn taskrun describe` (colourless): header fields, Status,
 * Message (failed runs), Params, Results and Steps, aligned like Go's tabwriter.
 *
 * @example
 * ```ts
 * console.log(formatTaskRunDescribe(await client.taskRuns.describe('gitlab-run-x7k2p-build')));
 * ```
 */
export function formatTaskRunDescribe(
  description: TaskRunDescription,
  options: FormatDescribeOptions = {},
): string {
  const now = options.nowMs ?? Date.now();
  const out: string[] = [`Name:\t${description.name}`, `Namespace:\t${description.namespace}`];
  if (description.taskRef) out.push(`Task Ref:\t${description.taskRef}`);
  if (description.serviceAccountName) out.push(`Service Account:\t${description.serviceAccountName}`);
  if (description.timeout) {
    const ms = parseGoDurationMs(description.timeout);
    out.push(`Timeout:\t${ms === undefined ? description.timeout : formatGoDuration(ms)}`);
  }
  const labels = Object.keys(description.labels).sort();
  if (labels.length > 0) out.push('Labels:', ...labels.map((key) => ` ${key}=${description.labels[key]}`));
  out.push(
    '',
    'Status',
    '',
    'STARTED\tDURATION\tSTATUS',
    `${formatAge(description.startTime, now)}\t${formatRunDuration(description.startTime, description.completionTime)}\t${formatConditionText(description.conditions)}`,
  );
  const first = description.conditions[0];
  if (first?.status === 'False' && first.message) out.push('', 'Message', '', first.message);
  if (description.retries > 0) out.push('', `Retries:\t${description.retries}`);
  if (description.params.length > 0) {
    out.push('', 'Params', '', ' NAME\tVALUE');
    for (const param of description.params) out.push(` ${param.name}\t${formatParamValue(param.value)}`);
  }
  if (description.results.length > 0) {
    out.push('', 'Results', '', ' NAME\tVALUE');
    for (const result of description.results)
      out.push(` ${result.name}\t${formatParamValue(result.value as ParamValue)}`);
  }
  if (description.steps.length > 0) {
    out.push('', 'Steps', '', ' NAME\tSTATUS');
    for (const step of description.steps) out.push(` ${step.name}\t${step.status}`);
  }
  return `${alignColumns(out.join('\n'), { padding: 3 })}\n`;
}
