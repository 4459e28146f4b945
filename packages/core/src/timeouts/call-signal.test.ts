import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AbortError, TimeoutError } from '../errors/transport-errors.js';
import { abortReasonToError } from './abort-reason.js';
import { createCallSignal } from './call-signal.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createCallSignal', () => {
  it('keeps a time limit longer than a timer holds (2^31 - 1 ms) instead of aborting after 1 ms', async () => {
    const call = createCallSignal(undefined, 30 * 24 * 3_600_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(call.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(2 ** 31);
    expect(call.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(30 * 24 * 3_600_000 - 2 ** 31 - 1_000);
    expect(call.signal?.aborted).toBe(true);
    call.dispose();
  });

  it('aborts with a TimeoutError when the time runs out', async () => {
    const call = createCallSignal(undefined, 500);
    expect(call.signal?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(call.signal?.aborted).toBe(true);
    const error = abortReasonToError(call.signal as AbortSignal);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).timeoutMs).toBe(500);
    expect(error.retryable).toBe(true);
  });

  it('reports the caller abort as AbortError', () => {
    const controller = new AbortController();
    const call = createCallSignal(controller.signal, 500);
    controller.abort(new Error('user pressed ctrl-c'));
    expect(call.signal?.aborted).toBe(true);
    const error = abortReasonToError(call.signal as AbortSignal);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(error.retryable).toBe(false);
    call.dispose();
  });

  it('leaves no timer after dispose', () => {
    const call = createCallSignal(new AbortController().signal, 10_000);
    expect(vi.getTimerCount()).toBe(1);
    call.dispose();
    call.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes the caller signal through when there is no timeout', () => {
    const controller = new AbortController();
    expect(createCallSignal(controller.signal, undefined).signal).toBe(controller.signal);
    expect(createCallSignal(undefined, 0).signal).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    expect(() => createCallSignal(undefined, -1)).toThrow(RangeError);
  });

  it('maps a platform TimeoutError reason to ours', () => {
    const controller = new AbortController();
    controller.abort(new DOMException('timed out', 'TimeoutError'));
    expect(TimeoutError.isInstance(abortReasonToError(controller.signal))).toBe(true);
  });
});
