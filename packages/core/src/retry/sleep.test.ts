import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError } from '../errors/transport-errors.js';
import { sleep } from './sleep.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    let done = false;
    const promise = sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await promise;
    expect(done).toBe(true);
  });

  it('rejects with AbortError on abort and clears its timer', async () => {
    const controller = new AbortController();
    const promise = sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await expect(promise).rejects.toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once for an aborted signal, without a timer', async () => {
    await expect(sleep(10, AbortSignal.abort())).rejects.toBeInstanceOf(AbortError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats negative and NaN delays as 0', async () => {
    const promise = sleep(Number.NaN);
    await vi.advanceTimersByTimeAsync(0);
    await expect(promise).resolves.toBeUndefined();
    await expect(
      Promise.race([sleep(-5), vi.advanceTimersByTimeAsync(0).then(() => 'late')]),
    ).resolves.toBeUndefined();
  });

  it('waits a delay longer than a timer holds (2^31 - 1 ms) instead of ending after 1 ms', async () => {
    let done = false;
    const promise = sleep(2 ** 31 + 10_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    await promise;
    expect(done).toBe(true);
  });
});
