import type { ReleaseReport } from '../release/release-report.js';

/** Whether an error's `report` is a release's (stages) rather than one promotion's. */
export function isReleaseReport(report: unknown): report is ReleaseReport {
  return (
    typeof report === 'object' &&
    report !== null &&
    typeof (report as { releaseId?: unknown }).releaseId === 'string' &&
    Array.isArray((report as { stages?: unknown }).stages)
  );
}

/** The text form of a release report: one line for the release, one per stage. */
export function formatReleaseReport(report: ReleaseReport): string {
  const lines = [
    `release ${report.releaseId}: ${report.outcome} in ${(report.durationMs / 1000).toFixed(1)}s`,
  ];
  for (const stage of report.stages) {
    const detail = [
      stage.commit ? `at ${stage.commit.slice(0, 12)}` : undefined,
      stage.changeRequest ? `!${stage.changeRequest.number} ${stage.changeRequest.state}` : undefined,
      stage.promotion?.rollback
        ? `rollback: ${stage.promotion.rollback.policy} ${stage.promotion.rollback.outcome}`
        : undefined,
      stage.error?.message,
    ].filter(Boolean);
    lines.push(`  ${stage.name.padEnd(12)} ${stage.outcome.padEnd(11)} ${detail.join(' · ')}`.trimEnd());
  }
  return lines.join('\n');
}
