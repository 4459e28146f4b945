import { sleep } from './sleep.js';

/** How a call is retried. Every field has a default in {@link DEFAULT_RETRY_OPTIONS}. */
export interface RetryOptions {
  /** Attempts in total, the first one included (1 = no retry). */
  maxAttempts: number;
  /** Ceiling of the first backoff delay, in milliseconds; it doubles per retry (full jitter below it). */
  baseDelayMs: number;
  /** The largest backoff delay, in milliseconds. */
  maxDelayMs: number;
  /**
   * The longest server `Retry-After` hint honoured, in milliseconds. A longer hint makes the call fail at once with
   * the error (which carries `retryAfterMs`) instead of sleeping for it.
   */
  maxRetryAfterMs: number;
  /** Uniform random numbers in `[0, 1)`, for jitter. Inject a seeded source in tests. */
  random: () => number;
  /** The clock, in epoch milliseconds; used to turn an HTTP-date `Retry-After` into a delay. */
  now: () => number;
  /** The abortable sleep between attempts. Inject to observe or shorten delays in tests. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Overrides the default classification: return `true`/`false` to force a decision, `undefined` to keep the
   * default (retry errors with `retryable: true`). A user abort is never retried whatever this returns.
   */
  shouldRetry?: ((error: unknown, attempt: number) => boolean | undefined) | undefined;
  /** Called before each backoff sleep (for logging or metrics). */
  onRetry?: ((info: RetryAttemptInfo) => void) | undefined;
}

/** What {@link RetryOptions.onRetry} is told before each sleep. */
export interface RetryAttemptInfo {
  /** The attempt that just failed (1 for the first). */
  attempt: number;
  /** How long the sleep before the next attempt lasts, in milliseconds. */
  delayMs: number;
  /** The error the attempt failed with. */
  error: unknown;
}

/**
 * The default retry table.
 *
 * | Option | Default | Why |
 * |---|---|---|
 * | `maxAttempts` | 3 | AWS SDK v3 standard mode (1 try + 2 retries) |
 * | `baseDelayMs` | 500 | undici's retry handler start value; AWS uses 100 ms but Argo CD/Kubernetes API servers under load need longer |
 * | `maxDelayMs` | 20 000 | AWS `MAXIMUM_RETRY_DELAY` |
 * | `maxRetryAfterMs` | 60 000 | vercel/ai honours hints between 0 and 60 s |
 * | `random` | `Math.random` | |
 * | `now` | `Date.now` | |
 * | `sleep` | {@link sleep} (abortable) | |
 */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  random: () => Math.random(),
  now: () => Date.now(),
  sleep,
});

/** HTTP methods that are safe to repeat (RFC 9110 §9.2.2, the list undici's retry handler uses). */
export const IDEMPOTENT_HTTP_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'PUT',
  'DELETE',
  'TRACE',
]);

/**
 * Whether an HTTP method may be repeated without changing the outcome.
 *
 * @example
 * ```ts
 * isIdempotentMethod('get'); // true
 * isIdempotentMethod('POST'); // false
 * ```
 */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_HTTP_METHODS.has(method.toUpperCase());
}

/**
 * Merges partial options over the defaults and checks them.
 *
 * @throws {RangeError} when a number is out of range.
 * @example
 * ```ts
 * const options = resolveRetryOptions({ maxAttempts: 5 });
 * ```
 */
export function resolveRetryOptions(...layers: Array<Partial<RetryOptions> | undefined>): RetryOptions {
  const merged: RetryOptions = { ...DEFAULT_RETRY_OPTIONS };
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
    }
  }
  if (!Number.isInteger(merged.maxAttempts) || merged.maxAttempts < 1 || merged.maxAttempts > 100) {
    throw new RangeError(`retry.maxAttempts must be a whole number from 1 to 100, got ${merged.maxAttempts}`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    if (!(merged[key] >= 0) || !Number.isFinite(merged[key])) {
      throw new RangeError(`retry.${key} must be a finite number >= 0, got ${merged[key]}`);
    }
  }
  return merged;
}
