/** The inputs of {@link computeBackoffDelayMs}. */
export interface BackoffOptions {
  /** The delay ceiling before the first retry, in milliseconds. */
  baseDelayMs: number;
  /** The largest delay ever returned, in milliseconds. */
  maxDelayMs: number;
  /** A source of uniform numbers in `[0, 1)`; `Math.random` by default. Inject a seeded one in tests. */
  random?: () => number;
}

/**
 * The delay before retry number `retryNumber` (1 for the first retry): exponential backoff with full jitter, the
 * formula the AWS SDK uses — a uniform draw from `[0, min(maxDelayMs, baseDelayMs × 2^(retryNumber−1)))`.
 *
 * Full jitter spreads clients that failed together, so they do not come back together.
 *
 * @param retryNumber - 1 for the first retry, 2 for the second, …
 * @param options - Base delay, cap and random source.
 * @returns A whole number of milliseconds in `[0, maxDelayMs]`.
 * @throws {RangeError} when `retryNumber` is below 1 or a delay is negative.
 * @example
 * ```ts
 * computeBackoffDelayMs(3, { baseDelayMs: 500, maxDelayMs: 20_000 }); // somewhere in [0, 2000)
 * ```
 */
export function computeBackoffDelayMs(retryNumber: number, options: BackoffOptions): number {
  if (!Number.isInteger(retryNumber) || retryNumber < 1) {
    throw new RangeError(`retryNumber must be a whole number >= 1, got ${retryNumber}`);
  }
  if (!(options.baseDelayMs >= 0) || !(options.maxDelayMs >= 0)) {
    throw new RangeError('baseDelayMs and maxDelayMs must be >= 0');
  }
  // Cap the exponent so 2^n never overflows to Infinity on absurd attempt counts.
  const exponent = Math.min(retryNumber - 1, 52);
  const ceilingMs = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  const draw = (options.random ?? Math.random)();
  const unit = Number.isFinite(draw) ? Math.min(Math.max(draw, 0), 1) : 0;
  return Math.min(Math.floor(unit * ceilingMs), options.maxDelayMs);
}
