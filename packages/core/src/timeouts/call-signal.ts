import { TimeoutError } from '../errors/transport-errors.js';
import { setLongTimeout } from './long-timeout.js';

/** A signal that fires on the caller's abort or when the call's time runs out; dispose it when the call ends. */
export interface CallSignal {
  /** Pass this to the work; `undefined` when there is neither a caller signal nor a timeout. */
  readonly signal: AbortSignal | undefined;
  /** Clears the timeout timer; safe to call more than once. */
  dispose(): void;
}

/**
 * Combines a caller's `AbortSignal` with a per-call timeout. When the time runs out, the combined signal aborts
 * with a {@link TimeoutError} as its reason (so `abortReasonToError` reports a timeout, retryable); when the caller
 * aborts, the reason is the caller's (reported as `AbortError`, never retried).
 *
 * The timer is an ordinary cleared `setTimeout` rather than `AbortSignal.timeout()`, so `dispose()` leaves no
 * timer behind and fake timers in tests control it.
 *
 * @param signal - The caller's signal, if any.
 * @param timeoutMs - The time limit in milliseconds; `undefined`, `0` or `Infinity` means none.
 * @returns The combined signal and a `dispose` function.
 * @throws {RangeError} when `timeoutMs` is negative or NaN.
 * @example
 * ```ts
 * const call = createCallSignal(options.signal, 30_000);
 * try { await work(call.signal); } finally { call.dispose(); }
 * ```
 */
export function createCallSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): CallSignal {
  if (timeoutMs !== undefined && (Number.isNaN(timeoutMs) || timeoutMs < 0)) {
    throw new RangeError(`timeoutMs must be >= 0, got ${timeoutMs}`);
  }
  if (timeoutMs === undefined || timeoutMs === 0 || !Number.isFinite(timeoutMs)) {
    return { signal, dispose: () => {} };
  }
  const controller = new AbortController();
  const cancel = setLongTimeout(() => {
    controller.abort(new TimeoutError(`The call did not finish within ${timeoutMs} ms`, { timeoutMs }));
  }, timeoutMs);
  const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
  return {
    signal: combined,
    dispose: cancel,
  };
}
