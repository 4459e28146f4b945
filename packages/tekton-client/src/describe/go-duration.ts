const NANOSECONDS_PER_MILLISECOND = 1_000_000;
const UNIT_NANOSECONDS: Record<string, number> = {
  ns: 1,
  us: 1_000,
  µs: 1_000,
  μs: 1_000,
  ms: 1_000_000,
  s: 1_000_000_000,
  m: 60_000_000_000,
  h: 3_600_000_000_000,
};

/**
 * Parses a Go duration string (`1h0m0s`, `90m`, `1.5s`, `0`) into milliseconds, as Tekton's timeouts are written.
 * Returns `undefined` for text that is not a Go duration.
 *
 * @example
 * ```ts
 * parseGoDurationMs('1h30m'); // 5_400_000
 * ```
 */
export function parseGoDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0' || trimmed === '+0' || trimmed === '-0') return 0;
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(trimmed);
  if (!match) return undefined;
  const sign = match[1] === '-' ? -1 : 1;
  let totalNanoseconds = 0;
  for (const part of trimmed
    .slice(match[1]?.length ?? 0)
    .matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    totalNanoseconds += Number(part[1]) * (UNIT_NANOSECONDS[part[2] ?? 's'] ?? 0);
  }
  return (sign * totalNanoseconds) / NANOSECONDS_PER_MILLISECOND;
}

function trimFraction(whole: bigint, fraction: bigint, digits: number): string {
  if (fraction === 0n) return whole.toString();
  const text = fraction.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${text}`;
}

/**
 * Formats milliseconds like Go's `time.Duration.String()`: `4m0s`, `1h0m0s`, `1.5s`, `500ms`, `0s`.
 *
 * @example
 * ```ts
 * formatGoDuration(240_000); // '4m0s'
 * ```
 */
export function formatGoDuration(milliseconds: number): string {
  let nanoseconds = BigInt(Math.round(milliseconds * NANOSECONDS_PER_MILLISECOND));
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  if (nanoseconds < 0n) nanoseconds = -nanoseconds;
  if (nanoseconds < 1_000n) return `${sign}${nanoseconds}ns`;
  if (nanoseconds < 1_000_000n)
    return `${sign}${trimFraction(nanoseconds / 1_000n, nanoseconds % 1_000n, 3)}µs`;
  if (nanoseconds < 1_000_000_000n) {
    return `${sign}${trimFraction(nanoseconds / 1_000_000n, nanoseconds % 1_000_000n, 6)}ms`;
  }
  const hours = nanoseconds / 3_600_000_000_000n;
  const minutes = (nanoseconds / 60_000_000_000n) % 60n;
  const secondsNanoseconds = nanoseconds % 60_000_000_000n;
  const seconds = trimFraction(secondsNanoseconds / 1_000_000_000n, secondsNanoseconds % 1_000_000_000n, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
