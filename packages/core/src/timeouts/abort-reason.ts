import { GitOpsKitError } from '../errors/gitops-kit-error.js';
import { AbortError, TimeoutError } from '../errors/transport-errors.js';

/**
 * Turns an aborted signal's reason into the error the SDK throws: our own errors (a deadline's `TimeoutError`)
 * pass through; a platform `TimeoutError` (from `AbortSignal.timeout`) becomes our `TimeoutError`; anything else
 * becomes an `AbortError` whose cause is the (redacted) reason.
 *
 * @param signal - An aborted signal.
 * @returns The error to throw.
 * @example
 * ```ts
 * if (signal.aborted) throw abortReasonToError(signal);
 * ```
 */
export function abortReasonToError(signal: AbortSignal): GitOpsKitError {
  const reason: unknown = signal.reason;
  if (GitOpsKitError.isInstance(reason)) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError('The operation timed out', { cause: reason });
  }
  return new AbortError('The operation was aborted', reason === undefined ? {} : { cause: reason });
}
