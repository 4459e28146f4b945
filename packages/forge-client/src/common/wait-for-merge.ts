import { abortReasonToError, sleep, ValidationError } from '@gitops-kit/core';
import type {
  ChangeRequest,
  ChangeRequestRef,
  CommitChecks,
  ForgeCallOptions,
  WaitForMergeOptions,
} from './change-request.js';
import {
  ChangeRequestClosedError,
  ChangeRequestConflictError,
  ChecksFailedError,
  MergeWaitTimeoutError,
} from './forge-errors.js';

/** Default limit of a merge wait: someone has to review and approve, so minutes, not seconds. */
export const DEFAULT_MERGE_WAIT_TIMEOUT_MS = 30 * 60_000;
/** Default time between two looks at a change request. */
export const DEFAULT_MERGE_POLL_INTERVAL_MS = 5_000;

/**
 * Polls a change request until it is merged (→ the commit that landed), closed (→ {@link ChangeRequestClosedError})
 * or conflicts with its target (→ {@link ChangeRequestConflictError}), within `timeoutMs`; with `failOnChecks`,
 * also stops when the head commit's checks failed (→ {@link ChecksFailedError}).
 */
export async function waitForMerge(
  get: (ref: ChangeRequestRef, options: ForgeCallOptions) => Promise<ChangeRequest>,
  ref: ChangeRequestRef,
  options: WaitForMergeOptions = {},
  checks?: (changeRequest: ChangeRequest, options: ForgeCallOptions) => Promise<CommitChecks>,
): Promise<{ mergeCommitSha: string; changeRequest: ChangeRequest }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_MERGE_WAIT_TIMEOUT_MS;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_MERGE_POLL_INTERVAL_MS;
  // NaN would never time out and a pause of 0 or less would poll the forge in a tight loop.
  if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
    throw new ValidationError(`waitForMerge: timeoutMs must be a finite number >= 0, got ${timeoutMs}`);
  }
  if (!(Number.isFinite(pollIntervalMs) && pollIntervalMs > 0)) {
    throw new ValidationError(
      `waitForMerge: pollIntervalMs must be a finite number > 0, got ${pollIntervalMs}`,
    );
  }
  const deadline = Date.now() + timeoutMs;
  const signal = options.signal;
  for (;;) {
    if (signal?.aborted) throw abortReasonToError(signal);
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) throw new MergeWaitTimeoutError(ref, timeoutMs);
    const callOptions: ForgeCallOptions = {
      ...(signal === undefined ? {} : { signal }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      timeoutMs: Math.max(1_000, remainingMs),
    };
    const changeRequest = await get(ref, callOptions);
    options.onProgress?.(changeRequest);
    if (changeRequest.state === 'merged') {
      // A forge may fill the merge commit in just after it flips the state: then look again.
      if (changeRequest.mergeCommitSha !== null) {
        return { mergeCommitSha: changeRequest.mergeCommitSha, changeRequest };
      }
    } else if (changeRequest.state === 'closed') {
      throw new ChangeRequestClosedError(ref);
    } else if (changeRequest.mergeability === 'conflict') {
      throw new ChangeRequestConflictError(
        ref,
        `${changeRequest.sourceBranch} → ${changeRequest.targetBranch}`,
      );
    } else if (options.failOnChecks && checks !== undefined && changeRequest.headSha !== '') {
      const current = await checks(changeRequest, callOptions);
      if (current.state === 'failed') throw new ChecksFailedError(ref, current.sha, current.statuses);
    }
    const pauseMs = Math.min(pollIntervalMs, deadline - Date.now());
    if (pauseMs > 0) await sleep(pauseMs, signal);
  }
}
