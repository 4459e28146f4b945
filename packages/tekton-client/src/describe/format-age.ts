const MICROSECOND = 0.001;
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['year', 365 * 24 * 3_600_000],
  ['week', 7 * 24 * 3_600_000],
  ['day', 24 * 3_600_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
  ['millisecond', 1],
  ['microsecond', MICROSECOND],
];

/**
 * How long ago `time` was, the way tkn prints it (durafmt's short form): only the largest non-zero unit, floored,
 * singular for one (`1 minute ago`, `4 minutes ago`, `2 weeks ago`), `0 seconds ago` at zero, a leading `-` for
 * future times, `---` when the time is unset.
 *
 * @example
 * ```ts
 * formatAge('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:04:30Z')); // '4 minutes ago'
 * ```
 */
export function formatAge(time: string | undefined | null, nowMs: number): string {
  if (!time) return '---';
  const at = Date.parse(time);
  if (Number.isNaN(at)) return '---';
  const elapsed = nowMs - at;
  const sign = elapsed < 0 ? '-' : '';
  const magnitude = Math.abs(elapsed);
  for (const [unit, size] of UNITS) {
    const count = Math.floor(magnitude / size);
    if (count >= 1) return `${sign}${count} ${unit}${count === 1 ? '' : 's'} ago`;
  }
  return '0 seconds ago';
}
