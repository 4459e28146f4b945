export {
  type ApproveChangeRequestInput,
  type ChangeRequest,
  type ChangeRequestRef,
  type ChangeRequestState,
  type ChangeRequestsApi,
  type CheckKind,
  type CheckState,
  type ChecksApi,
  type CommitChecks,
  type CommitStatus,
  combineCheckStates,
  type ForgeCallOptions,
  type ForgeClient,
  type ForgeKind,
  type ForgePipeline,
  type GetCommitChecksInput,
  type ListChangeRequestsInput,
  type Mergeability,
  type MergeChangeRequestInput,
  type MergeMethod,
  type OpenChangeRequestInput,
  type ProjectRef,
  type SetCommitStatusInput,
  type WaitForMergeOptions,
} from './common/change-request.js';
export {
  ApprovalRefusedError,
  ChangeRequestClosedError,
  ChangeRequestConflictError,
  ChangeRequestExistsError,
  ChecksFailedError,
  ForgeApiError,
  type ForgeApiErrorOptions,
  HeadChangedError,
  MergeWaitTimeoutError,
  NotMergeableError,
  RateLimitError,
} from './common/forge-errors.js';
export type { ForgeTransportOptions } from './common/forge-transport.js';
export { nextPageUrl, rateLimitDelayMs } from './common/pagination.js';
export { DEFAULT_MERGE_POLL_INTERVAL_MS, DEFAULT_MERGE_WAIT_TIMEOUT_MS } from './common/wait-for-merge.js';
export { GITHUB_API_VERSION, GitHubClient, type GitHubClientOptions } from './github/github-client.js';
export { GitLabClient, type GitLabClientOptions } from './gitlab/gitlab-client.js';
