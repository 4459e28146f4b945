import { AbortError } from '../errors/transport-errors.js';
import { abortReasonToError } from '../timeouts/abort-reason.js';
import { setLongTimeout } from '../timeouts/long-timeout.js';

/**
 * Waits `ms` milliseconds, or rejects as soon as `signal` aborts. The timer is cleared on abort, so nothing is
 * left pending.
 *
 * @param ms - How long to wait, in milliseconds; negative or non-finite values wait 0 ms.
 * @param signal - Aborts the wait.
 * @throws {AbortError} when `signal` aborts (or the signal's `TimeoutError` when it is a deadline signal).
 * @example
 * ```ts
 * await sleep(250, controller.signal);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const delayMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (signal?.aborted) return Promise.reject(abortReasonToError(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      reject(signal ? abortReasonToError(signal) : new AbortError());
    };
    const cancel = setLongTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
