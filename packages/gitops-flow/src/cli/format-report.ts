import type { PromotionReport } from '../promote/promotion-report.js';
import { formatDurationMs } from './duration.js';

function short(revision: string | null | undefined): string {
  return revision ? revision.slice(0, 12) : '-';
}

/** The human summary printed after a promotion: verdict first, then what holds it back and what to change. */
export function formatPromotionReport(report: PromotionReport): string {
  const lines: string[] = [];
  const verdict: Record<PromotionReport['outcome'], string> = {
    succeeded: 'DEPLOYED',
    failed: 'FAILED',
    'timed-out': 'TIMED OUT',
    skipped: 'SKIPPED (beforeSync said no)',
    'dry-run': 'DRY RUN (nothing pushed or synced)',
    interrupted: 'INTERRUPTED',
  };
  lines.push(
    `${verdict[report.outcome]}  ${report.application}${report.project ? ` (project ${report.project})` : ''}`,
  );
  lines.push(
    `  commit ${short(report.commit)}${report.changed ? '' : ' (no change)'} · revision ${short(report.targetRevision)} · sync ${report.syncStatus ?? '-'} · health ${report.healthStatus ?? '-'} · ${formatDurationMs(report.durationMs)}`,
  );
  for (const edit of report.edits) {
    lines.push(
      `  ${edit.file}: ${edit.path} ${JSON.stringify(edit.oldValue ?? null)} → ${JSON.stringify(edit.newValue)}`,
    );
  }
  if (report.diff && report.outcome === 'dry-run') lines.push('', report.diff.trimEnd());
  if (report.diagnosis) {
    lines.push('', `Why: ${report.diagnosis.summary}`);
    for (const finding of report.diagnosis.findings) {
      lines.push(
        `  - ${finding.kind} ${finding.namespace ? `${finding.namespace}/` : ''}${finding.name}: ${finding.health}${finding.message ? ` — ${finding.message}` : ''}`,
      );
      if (finding.suggestion) lines.push(`    ${finding.suggestion}`);
      if (finding.argocdCmKey)
        lines.push(`    fix: set ${finding.argocdCmKey} in argocd-cm to a health script`);
      if (finding.proposedHealthResult) {
        lines.push(
          `    with the proposed script Argo CD would report: ${finding.proposedHealthResult.status}${finding.proposedHealthResult.message ? ` (${finding.proposedHealthResult.message})` : ''}`,
        );
      }
    }
  }
  if (report.rollback && report.rollback.policy !== 'none') {
    const rollback = report.rollback;
    lines.push(
      '',
      `Rollback (${rollback.policy}): ${rollback.outcome}${rollback.commit ? ` · commit ${short(rollback.commit)}` : ''}${rollback.historyId !== undefined ? ` · history ${rollback.historyId}` : ''}${rollback.detail ? ` — ${rollback.detail}` : ''}`,
    );
  }
  if (report.outcome === 'interrupted') lines.push(...interruptedLines(report));
  if (report.error && report.outcome !== 'succeeded') lines.push(`Error: ${report.error.message}`);
  return lines.join('\n');
}

/** What an interrupt leaves behind: what was pushed, what Argo CD synced, and what it is still running. */
function interruptedLines(report: PromotionReport): string[] {
  const lines = ['', `Interrupted during ${report.interruptedStep ?? 'start'}.`];
  lines.push(
    report.commit
      ? `  pushed: ${report.commit} (it stays on the branch${report.autoSync ? '; auto-sync will deploy it' : ''})`
      : '  pushed: nothing',
  );
  const syncRan = report.steps.some((step) => step.name === 'sync' && step.status === 'succeeded');
  lines.push(
    `  synced: ${syncRan ? `a sync to ${short(report.targetRevision)} was started` : 'no sync was started by this run'}; Argo CD reports ${report.syncStatus ?? '-'} at ${short(report.syncedRevision)}, health ${report.healthStatus ?? '-'}`,
  );
  if (report.operationPhase === 'Running') {
    lines.push(
      `  left running: the sync operation continues on the server; \`argocd app terminate-op ${report.application}\` stops it`,
    );
  } else {
    lines.push(`  left running: nothing (operation ${report.operationPhase ?? 'none'})`);
  }
  return lines;
}
