import type { StageStatus } from './release-status.js';

/**
 * Renders stage statuses as the aligned table `gitops-flow release status` prints (kubectl-style columns):
 * STAGE, APP, one column per release value, GIT (the branch head), SYNC, HEALTH, DEPLOYED, CHANGE REQUEST (its
 * number, mergeability and the verdict of its head's checks: `!3 blocked, checks failed (pipeline #7)`).
 *
 * @example
 * ```ts
 * console.log(formatReleaseStatusTable(await releaseStatus({ stages, argocd, gitAuth })));
 * ```
 */
export function formatReleaseStatusTable(statuses: readonly StageStatus[]): string {
  const valueNames = [...new Set(statuses.flatMap((status) => Object.keys(status.values)))];
  const header = [
    'STAGE',
    'APP',
    ...valueNames.map((name) => name.toUpperCase()),
    'GIT',
    'SYNC',
    'HEALTH',
    'DEPLOYED',
    'CHANGE REQUEST',
  ];
  const rows = statuses.map((status) => [
    status.name,
    status.application,
    ...valueNames.map((name) => {
      const value = status.values[name];
      const text = value === undefined ? '<none>' : String(value);
      return status.atRelease === false ? `${text} *` : text;
    }),
    status.branchHead?.slice(0, 12) ?? '?',
    status.syncStatus ?? 'Unknown',
    status.healthStatus ?? 'Unknown',
    status.deployed ? 'yes' : status.syncedRevision ? `no (${status.syncedRevision.slice(0, 12)})` : 'no',
    status.changeRequest ? changeRequestCell(status.changeRequest) : '-',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('   ')
      .trimEnd();
  const errors = statuses.flatMap((status) => status.errors.map((error) => `! ${status.name}: ${error}`));
  const legend = statuses.some((status) => status.atRelease === false) ? ['* not at the release'] : [];
  return [line(header), ...rows.map(line), ...legend, ...errors].join('\n');
}

/** `!3 blocked, checks failed (pipeline #7)`: the change request, its mergeability and its head's checks. */
function changeRequestCell(request: NonNullable<StageStatus['changeRequest']>): string {
  const checks = request.checks;
  const checksText =
    checks === undefined || checks.state === 'none'
      ? ''
      : `, checks ${checks.state}${checks.failed.length > 0 ? ` (${checks.failed.join(', ')})` : ''}`;
  return `!${request.number} ${request.mergeability}${checksText}`;
}
