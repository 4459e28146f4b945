import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { seededRandom } from '../../test/helpers/seeded-random.js';
import { HttpError } from '../errors/http-error.js';
import { AbortError, ConnectionError, TimeoutError, ValidationError } from '../errors/transport-errors.js';
import { retry } from './retry.js';
import { DEFAULT_RETRY_OPTIONS, isIdempotentMethod, resolveRetryOptions } from './retry-options.js';

const unavailable = (retryAfterMs?: number) =>
  new HttpError(undefined, {
    status: 503,
    method: 'GET',
    url: 'https://api.test/x',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs a promise to completion under fake timers, firing timers until it settles (bounded). */
async function runWithFakeClock<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  void outcome.then(() => {
    settled = true;
  });
  for (let step = 0; step < 50 && !settled; step++) await vi.runAllTimersAsync();
  const result = await outcome;
  if ('error' in result) throw result.error;
  return result.value;
}

describe('retry', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_RETRY_OPTIONS.maxAttempts).toBe(3);
    expect(DEFAULT_RETRY_OPTIONS.baseDelayMs).toBe(500);
    expect(DEFAULT_RETRY_OPTIONS.maxDelayMs).toBe(20_000);
    expect(DEFAULT_RETRY_OPTIONS.maxRetryAfterMs).toBe(60_000);
  });

  it('retries retryable errors with full-jitter delays inside the cap, then succeeds', async () => {
    const startedAt: number[] = [];
    const work = vi.fn(async () => {
      startedAt.push(Date.now());
      if (startedAt.length < 3) throw unavailable();
      return 'done';
    });
    const result = await runWithFakeClock(
      retry(work, { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 1500, random: seededRandom(1) }),
    );
    expect(result).toBe('done');
    expect(work).toHaveBeenCalledTimes(3);
    const gaps = [startedAt[1]! - startedAt[0]!, startedAt[2]! - startedAt[1]!];
    expect(gaps[0]).toBeGreaterThanOrEqual(0);
    expect(gaps[0]).toBeLessThan(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(0);
    expect(gaps[1]).toBeLessThanOrEqual(1500);
  });

  it('uses random() × ceiling exactly', async () => {
    const delays: number[] = [];
    await runWithFakeClock(
      retry(
        async ({ attempt }) => {
          if (attempt < 4) throw unavailable();
        },
        {
          maxAttempts: 4,
          baseDelayMs: 100,
          maxDelayMs: 250,
          random: () => 0.5,
          onRetry: (info) => delays.push(info.delayMs),
        },
      ),
    );
    expect(delays).toEqual([50, 100, 125]);
  });

  it('stops at maxAttempts and throws the last error', async () => {
    let attempts = 0;
    const error = await runWithFakeClock(
      retry(
        async () => {
          attempts++;
          throw unavailable();
        },
        { maxAttempts: 3 },
      ),
    ).catch((caught: unknown) => caught);
    expect(HttpError.isInstance(error)).toBe(true);
    expect(attempts).toBe(3);
  });

  it('does not retry errors that are not retryable, nor foreign errors', async () => {
    for (const thrown of [new ValidationError('bad input'), new Error('boom'), 'a string']) {
      let attempts = 0;
      await expect(
        runWithFakeClock(
          retry(async () => {
            attempts++;
            throw thrown;
          }),
        ),
      ).rejects.toBe(thrown);
      expect(attempts).toBe(1);
    }
  });

  it('lets shouldRetry override the classification', async () => {
    let attempts = 0;
    await expect(
      runWithFakeClock(
        retry(
          async () => {
            attempts++;
            throw new Error('flaky');
          },
          { maxAttempts: 3, shouldRetry: () => true },
        ),
      ),
    ).rejects.toThrow('flaky');
    expect(attempts).toBe(3);
  });

  it('waits at least the Retry-After hint', async () => {
    const startedAt: number[] = [];
    await runWithFakeClock(
      retry(
        async () => {
          startedAt.push(Date.now());
          if (startedAt.length === 1) throw unavailable(7000);
        },
        { baseDelayMs: 100, maxDelayMs: 200 },
      ),
    );
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(7000);
    expect(startedAt[1]! - startedAt[0]!).toBeLessThan(7200);
  });

  it('fails fast when the Retry-After hint is above maxRetryAfterMs', async () => {
    let attempts = 0;
    const error = (await runWithFakeClock(
      retry(
        async () => {
          attempts++;
          throw unavailable(90_000);
        },
        { maxRetryAfterMs: 60_000 },
      ),
    ).catch((caught: unknown) => caught)) as HttpError;
    expect(attempts).toBe(1);
    expect(error.retryAfterMs).toBe(90_000);
  });

  it('does not retry non-idempotent work, except when nothing was sent', async () => {
    let attempts = 0;
    await expect(
      runWithFakeClock(
        retry(
          async () => {
            attempts++;
            throw unavailable();
          },
          { idempotent: false },
        ),
      ),
    ).rejects.toBeInstanceOf(HttpError);
    expect(attempts).toBe(1);
    attempts = 0;
    await expect(
      runWithFakeClock(
        retry(
          async () => {
            attempts++;
            throw new ConnectionError('refused', { causeCode: 'ECONNREFUSED' });
          },
          { idempotent: false },
        ),
      ),
    ).rejects.toBeInstanceOf(ConnectionError);
    expect(attempts).toBe(3);
  });

  it('never retries a user abort and cancels the backoff timer', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const promise = retry(
      async () => {
        attempts++;
        throw unavailable();
      },
      { signal: controller.signal, baseDelayMs: 10_000, maxDelayMs: 10_000, random: () => 0.9 },
    ).catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    const error = await promise;
    expect(AbortError.isInstance(error)).toBe(true);
    expect((error as Error).name).toBe('AbortError');
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(attempts).toBe(1);
  });

  it('does not retry when the work itself reports an abort', async () => {
    let attempts = 0;
    await expect(
      runWithFakeClock(
        retry(async () => {
          attempts++;
          throw new AbortError();
        }),
      ),
    ).rejects.toBeInstanceOf(AbortError);
    expect(attempts).toBe(1);
  });

  it('reports a deadline signal as TimeoutError', async () => {
    const controller = new AbortController();
    controller.abort(new TimeoutError('deadline'));
    await expect(retry(async () => 'never', { signal: controller.signal })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });

  it('validates its options', () => {
    expect(() => resolveRetryOptions({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ baseDelayMs: -5 })).toThrow(RangeError);
    expect(() => resolveRetryOptions({ maxDelayMs: Number.POSITIVE_INFINITY })).toThrow(RangeError);
    expect(resolveRetryOptions({ maxAttempts: 7 }, { baseDelayMs: 3 })).toMatchObject({
      maxAttempts: 7,
      baseDelayMs: 3,
    });
  });

  it('knows which methods are idempotent', () => {
    expect(['get', 'HEAD', 'put', 'DELETE', 'options'].every(isIdempotentMethod)).toBe(true);
    expect(['POST', 'patch', 'CONNECT'].some(isIdempotentMethod)).toBe(false);
  });
});
