import type {
  ApproveChangeRequestInput,
  ChangeRequest,
  ChangeRequestRef,
  ChangeRequestsApi,
  ChecksApi,
  CommitChecks,
  ForgeCallOptions,
  GetCommitChecksInput,
  ListChangeRequestsInput,
  MergeChangeRequestInput,
  OpenChangeRequestInput,
  SetCommitStatusInput,
} from './change-request.js';
import {
  ChangeRequestConflictError,
  ForgeApiError,
  forgeErrorOptions,
  HeadChangedError,
  NotMergeableError,
} from './forge-errors.js';
import { waitForMerge } from './wait-for-merge.js';

/** The calls a forge client implements; {@link forgeApis} turns them into the public interface. */
export interface ForgeOperations {
  open(input: OpenChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest>;
  get(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest>;
  list(input: ListChangeRequestsInput, options?: ForgeCallOptions): Promise<ChangeRequest[]>;
  merge(input: MergeChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest>;
  close(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest>;
  comment(input: ChangeRequestRef & { body: string }, options?: ForgeCallOptions): Promise<void>;
  approve(input: ApproveChangeRequestInput, options?: ForgeCallOptions): Promise<void>;
  setStatus(input: SetCommitStatusInput, options?: ForgeCallOptions): Promise<void>;
  checks(input: GetCommitChecksInput, options?: ForgeCallOptions): Promise<CommitChecks>;
  /**
   * The checks that gate this change request's merge (its head commit's): GitLab reads the merge request's own
   * `head_pipeline`, not whichever pipeline of the commit is newest (a tag's, another branch's).
   */
  headChecks(changeRequest: ChangeRequest, options?: ForgeCallOptions): Promise<CommitChecks>;
}

/**
 * The public `changeRequests` and `checks` of a client, over its operations: `waitForMerge` polls `get` and, with
 * `failOnChecks`, reads the checks that gate the change request ({@link ForgeOperations.headChecks}).
 */
export function forgeApis(operations: ForgeOperations): {
  changeRequests: ChangeRequestsApi;
  checks: ChecksApi;
} {
  return {
    changeRequests: {
      open: (input, options) => operations.open(input, options),
      get: (ref, options) => operations.get(ref, options),
      list: (input, options) => operations.list(input, options),
      merge: (input, options) => operations.merge(input, options),
      close: (ref, options) => operations.close(ref, options),
      comment: (input, options) => operations.comment(input, options),
      approve: (input, options) => operations.approve(input, options),
      waitForMerge: (ref, options) =>
        waitForMerge(
          (r, o) => operations.get(r, o),
          ref,
          options,
          (request, o) => operations.headChecks(request, o),
        ),
    },
    checks: {
      setStatus: (input, options) => operations.setStatus(input, options),
      get: (input, options) => operations.checks(input, options),
    },
  };
}

/**
 * A failed merge in the forge-neutral errors: 409 → {@link HeadChangedError} (the source moved past the pinned
 * head; GitHub also for a base that moved); 406 → {@link ChangeRequestConflictError} (GitLab); 405 and 422 →
 * whichever the change request now shows: a conflict (several GitLab versions and GitHub answer a conflict with
 * 405), else {@link NotMergeableError} with its state. Anything else is returned as it is.
 */
export async function mergeFailure(
  ref: ChangeRequestRef,
  error: unknown,
  get: (ref: ChangeRequestRef, options?: ForgeCallOptions) => Promise<ChangeRequest>,
  options?: ForgeCallOptions,
): Promise<unknown> {
  if (!ForgeApiError.isInstance(error)) return error;
  if (error.status === 409) return new HeadChangedError(error.message, forgeErrorOptions(error));
  if (error.status === 406) {
    return new ChangeRequestConflictError(ref, error.serverMessage ?? 'HTTP 406', error);
  }
  if (error.status !== 405 && error.status !== 422) return error;
  const current = await get(ref, options).catch(() => undefined);
  if (current?.mergeability === 'conflict') {
    return new ChangeRequestConflictError(ref, error.serverMessage ?? `HTTP ${error.status}`, error);
  }
  const why =
    current === undefined
      ? ''
      : ` (state ${current.state}, ${current.draft ? 'draft, ' : ''}${current.mergeability})`;
  return new NotMergeableError(`${error.message}${why}`, forgeErrorOptions(error));
}
