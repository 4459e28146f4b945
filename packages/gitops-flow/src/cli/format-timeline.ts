import type { PromotionReport, PromotionStepRecord } from '../promote/promotion-report.js';
import { formatDurationMs } from './duration.js';

const BAR_WIDTH = 40;

function offsetOf(report: PromotionReport, step: PromotionStepRecord): number {
  const offset = Date.parse(step.startedAt) - Date.parse(report.startedAt);
  return Number.isFinite(offset) ? Math.max(0, offset) : 0;
}

/** The span the picture covers: the whole promotion, or the last step's end when that is later. */
function totalOf(report: PromotionReport): number {
  const ends = report.steps.map((step) => offsetOf(report, step) + step.durationMs);
  return Math.max(1, report.durationMs, ...ends, ...report.transitions.map((item) => item.offsetMs));
}

function transitionText(transition: PromotionReport['transitions'][number]): string {
  return `sync=${transition.syncStatus ?? '?'} health=${transition.healthStatus ?? '?'} operation=${transition.operationPhase ?? 'none'}`;
}

/**
 * The promotion as a timeline for a terminal: one bar per step on one time scale (so the step that took the time
 * stands out), then the sync/health/operation transitions Argo CD reported, each at its offset.
 *
 * @example formatTimeline(report) // "Timeline (4.2s) …\n  wait   |        ██████████| 3.1s …"
 */
export function formatTimeline(report: PromotionReport): string {
  const total = totalOf(report);
  const nameWidth = Math.max(10, ...report.steps.map((step) => step.name.length)) + 1;
  const lines = [
    `Timeline (${formatDurationMs(report.durationMs)}, one column = ${formatDurationMs(total / BAR_WIDTH)})`,
  ];
  for (const step of report.steps) {
    const start = Math.min(BAR_WIDTH - 1, Math.floor((offsetOf(report, step) / total) * BAR_WIDTH));
    const length =
      step.status === 'skipped'
        ? 0
        : Math.max(1, Math.min(BAR_WIDTH - start, Math.round((step.durationMs / total) * BAR_WIDTH)));
    const fill = step.status === 'failed' ? '▓' : '█';
    const bar = `${' '.repeat(start)}${length === 0 ? '·' : fill.repeat(length)}`.padEnd(BAR_WIDTH);
    const took = step.status === 'skipped' ? 'skipped' : formatDurationMs(step.durationMs);
    lines.push(
      `  ${step.name.padEnd(nameWidth)}|${bar}| ${took.padStart(7)}${step.status === 'failed' ? '  ✗' : ''}`,
    );
  }
  if (report.commit) lines.push(`  commit ${report.commit}`);
  if (report.transitions.length > 0) {
    lines.push('  Argo CD:');
    for (const transition of report.transitions) {
      lines.push(
        `    +${formatDurationMs(transition.offsetMs).padEnd(7)} ${transition.step.padEnd(nameWidth)}${transitionText(transition)}`,
      );
    }
  }
  return lines.join('\n');
}

/** Mermaid's gantt syntax reserves `:`, `;` and `#` in task names. */
function mermaidLabel(text: string): string {
  return text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * The promotion as a Mermaid `gantt` chart, for Markdown (pull-request comments, job summaries): the steps as
 * tasks on a millisecond axis (`dateFormat x`), failed steps marked `crit`, and each Argo CD transition as a
 * milestone.
 *
 * @example formatTimelineMermaid(report).startsWith('gantt') // true
 */
export function formatTimelineMermaid(report: PromotionReport): string {
  const lines = [
    'gantt',
    `  title ${mermaidLabel(`${report.application} ${report.outcome} in ${formatDurationMs(report.durationMs)}${report.commit ? ` commit ${report.commit.slice(0, 12)}` : ''}`)}`,
    '  dateFormat x',
    '  axisFormat %M %S',
    '  section Steps',
  ];
  report.steps.forEach((step, index) => {
    if (step.status === 'skipped') return;
    const start = offsetOf(report, step);
    const tag = step.status === 'failed' ? 'crit, ' : 'done, ';
    lines.push(
      `  ${mermaidLabel(`${step.name} ${formatDurationMs(step.durationMs)}`)} :${tag}step${index}, ${start}, ${start + Math.max(1, step.durationMs)}`,
    );
  });
  if (report.transitions.length > 0) {
    lines.push('  section Argo CD');
    report.transitions.forEach((transition, index) => {
      lines.push(
        `  ${mermaidLabel(`${transition.syncStatus ?? '?'} ${transition.healthStatus ?? '?'} ${transition.operationPhase ?? ''}`)} :milestone, t${index}, ${transition.offsetMs}, ${transition.offsetMs}`,
      );
    });
  }
  return lines.join('\n');
}
