/**
 * The URL of the next page from an RFC 8288 `Link` header (`<…>; rel="next"`), which both GitHub and GitLab send
 * on paginated lists; undefined on the last page.
 */
export function nextPageUrl(linkHeader: string | string[] | undefined): string | undefined {
  const value = Array.isArray(linkHeader) ? linkHeader.join(',') : linkHeader;
  if (value === undefined || value === '') return undefined;
  for (const part of value.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /\brel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}

/**
 * How long to wait for a rate limit to reset, from the headers both forges send: `Retry-After` (seconds or a date,
 * already parsed by core) first, else the reset time (`RateLimit-Reset` / `X-RateLimit-Reset`, epoch seconds) when
 * nothing is left (`RateLimit-Remaining` / `X-RateLimit-Remaining` is 0). Undefined when the response says neither.
 */
export function rateLimitDelayMs(
  headers: Record<string, string | string[] | undefined>,
  retryAfterMs: number | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const remaining = header('x-ratelimit-remaining') ?? header('ratelimit-remaining');
  const reset = header('x-ratelimit-reset') ?? header('ratelimit-reset');
  if (remaining === undefined || Number(remaining) > 0 || reset === undefined) return undefined;
  const resetSeconds = Number(reset);
  if (!Number.isFinite(resetSeconds)) return undefined;
  return Math.max(0, resetSeconds * 1000 - nowMs);
}
