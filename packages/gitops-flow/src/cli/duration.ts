import { ValidationError } from '@gitops-kit/core';

/** The longest delay a Node timer can hold (2^31 - 1 ms, about 24.8 days). */
const MAXIMUM_DURATION_MS = 2 ** 31 - 1;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a Go-style duration (`90s`, `10m`, `1h30m`, `500ms`) or a plain number of seconds (`600`, the unit the
 * argocd CLI's `--timeout` uses) into milliseconds.
 *
 * @throws {ValidationError} when the text is not a positive duration, or is longer than 2^31 - 1 ms (24.8 days).
 * @example parseDurationMs('1m30s') // 90_000
 */
export function parseDurationMs(text: string, field = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return withinTimerRange(Number(trimmed) * 1000, text, field);
  const pattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = pattern.exec(trimmed); match; match = pattern.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
    consumed = pattern.lastIndex;
  }
  if (trimmed.length === 0 || consumed !== trimmed.length || total <= 0) {
    throw new ValidationError(
      `Invalid ${field} "${text}": use a duration such as 90s, 10m or 1h30m, or a number of seconds`,
      { field },
    );
  }
  return withinTimerRange(total, text, field);
}

function withinTimerRange(milliseconds: number, text: string, field: string): number {
  if (milliseconds > MAXIMUM_DURATION_MS) {
    // Node's timers hold at most 2^31 - 1 ms and fire after 1 ms for anything longer: a 1000h soak would end at once.
    throw new ValidationError(
      `Invalid ${field} "${text}": at most 596h (about 24.8 days, what a timer can wait)`,
      {
        field,
      },
    );
  }
  return Math.round(milliseconds);
}

/** Formats milliseconds the way Go prints durations, rounded to what a person reads (`1m30s`, `850ms`). */
export function formatDurationMs(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)}ms`;
  const totalSeconds = Math.round(milliseconds / 100) / 10;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.round((totalSeconds % 60) * 10) / 10;
  return `${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${seconds}s`;
}
