/** The longest `Retry-After` this parser accepts at all; anything later is treated as garbage (one day). */
const LONGEST_PLAUSIBLE_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Parses an HTTP `Retry-After` value — delay-seconds (`"120"`) or an HTTP-date (`"Wed, 21 Oct 2015 07:28:00
 * GMT"`) — into milliseconds from `nowMs`.
 *
 * Returns `undefined` for anything else (empty, negative, fractional garbage, unparseable dates, values beyond a
 * day), so garbage is ignored rather than trusted. A date in the past gives 0. Whether the hint is then honoured or
 * makes the call fail fast is decided by `retry()` against `maxRetryAfterMs`.
 *
 * @param value - The header value (an array takes its first element).
 * @param nowMs - The current time in epoch milliseconds; `Date.now()` by default (inject for tests).
 * @returns The delay in milliseconds, or `undefined` when the value is not a valid hint.
 * @example
 * ```ts
 * parseRetryAfterMs('3'); // 3000
 * parseRetryAfterMs(new Date(Date.now() + 5000).toUTCString()); // about 5000
 * parseRetryAfterMs('soon'); // undefined
 * ```
 */
export function parseRetryAfterMs(
  value: string | readonly string[] | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text.length === 0) return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    const delayMs = seconds * 1000;
    return Number.isSafeInteger(delayMs) && delayMs <= LONGEST_PLAUSIBLE_RETRY_AFTER_MS ? delayMs : undefined;
  }
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a weekday; this refuses `-1`, `1.5`, `soon`.
  if (!/^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,? /i.test(text)) return undefined;
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return undefined;
  const delayMs = Math.max(0, Math.ceil(dateMs - nowMs));
  return delayMs <= LONGEST_PLAUSIBLE_RETRY_AFTER_MS ? delayMs : undefined;
}
