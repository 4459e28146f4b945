import { GitOpsKitError } from '../errors/gitops-kit-error.js';
import { AbortError } from '../errors/transport-errors.js';
import { abortReasonToError } from '../timeouts/abort-reason.js';
import { computeBackoffDelayMs } from './backoff.js';
import { type RetryOptions, resolveRetryOptions } from './retry-options.js';

/** What each attempt of {@link retry} is given. */
export interface RetryAttemptContext {
  /** 1 for the first attempt. */
  attempt: number;
  /** The caller's signal, if any; pass it on to the work. */
  signal: AbortSignal | undefined;
}

/** Options of one {@link retry} call: the retry table plus the call's signal and idempotency. */
export interface RetryCallOptions extends Partial<RetryOptions> {
  /** Aborts the attempt in flight (through the context) and any backoff sleep. Never retried. */
  signal?: AbortSignal | undefined;
  /**
   * Whether the work is safe to repeat. `false` allows only the first attempt (errors that say nothing was sent,
   * like a refused connection, are still retried). Default `true`; the HTTP client sets it from the method.
   */
  idempotent?: boolean | undefined;
}

/** Connection failures where the request never reached the server, so even a POST may be repeated. */
const NOT_SENT_CAUSE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function isAbort(error: unknown): boolean {
  return AbortError.isInstance(error) || (error instanceof Error && error.name === 'AbortError');
}

function defaultIsRetryable(error: unknown, idempotent: boolean): boolean {
  if (!GitOpsKitError.isInstance(error) || !error.retryable) return false;
  if (idempotent) return true;
  const causeCode = (error as GitOpsKitError & { causeCode?: unknown }).causeCode;
  return typeof causeCode === 'string' && NOT_SENT_CAUSE_CODES.has(causeCode);
}

function retryAfterMsOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Runs `work` until it succeeds, the error is not retryable, or `maxAttempts` is reached; sleeps between attempts
 * with full-jitter exponential backoff ({@link computeBackoffDelayMs}).
 *
 * - An error is retried when it is a gitops-kit error with `retryable: true` (or `shouldRetry` says so).
 * - A user abort (`AbortError`, or the signal firing) is never retried; the sleep is cancelled at once.
 * - An error carrying `retryAfterMs` (a server's `Retry-After`) waits at least that long when it is within
 *   `maxRetryAfterMs`; a longer hint fails fast with that error, so the caller sees `retryAfterMs` and decides.
 * - When attempts run out the last error is thrown unchanged.
 *
 * @param work - One attempt; receives the attempt number and the signal.
 * @param options - Retry table overrides, `signal`, `idempotent`.
 * @returns What `work` resolves to.
 * @throws The last attempt's error; {@link AbortError} (or the signal's `TimeoutError`) when `signal` aborts.
 * @example
 * ```ts
 * const app = await retry(({ signal }) => fetchApp(signal), { maxAttempts: 5, signal });
 * ```
 */
export async function retry<T>(
  work: (context: RetryAttemptContext) => Promise<T>,
  options: RetryCallOptions = {},
): Promise<T> {
  const { signal, idempotent = true, ...overrides } = options;
  const settings = resolveRetryOptions(overrides);
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortReasonToError(signal);
    try {
      return await work({ attempt, signal });
    } catch (error) {
      // Once the caller's signal fired, report the abort (or the deadline) rather than what it caused.
      if (signal?.aborted) throw abortReasonToError(signal);
      if (isAbort(error) || attempt >= settings.maxAttempts) throw error;
      const verdict = settings.shouldRetry?.(error, attempt);
      if (!(verdict ?? defaultIsRetryable(error, idempotent))) throw error;
      const retryAfterMs = retryAfterMsOf(error);
      if (retryAfterMs !== undefined && retryAfterMs > settings.maxRetryAfterMs) throw error;
      const backoffMs = computeBackoffDelayMs(attempt, settings);
      const delayMs = Math.max(backoffMs, retryAfterMs ?? 0);
      settings.onRetry?.({ attempt, delayMs, error });
      await settings.sleep(delayMs, signal);
    }
  }
}
