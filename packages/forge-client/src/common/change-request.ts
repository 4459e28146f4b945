import type { RetryOptions } from '@gitops-kit/core';

/** Which forge a change request lives on. */
export type ForgeKind = 'gitlab' | 'github';

/** A change request's lifecycle state, the same words for GitLab merge requests and GitHub pull requests. */
export type ChangeRequestState = 'open' | 'merged' | 'closed';

/**
 * Whether the forge would merge the change request now: `mergeable`; `conflict` (the source does not merge cleanly
 * into the target); `blocked` (draft, failed or pending checks, missing approvals, discussions); `unknown` (the forge
 * has not computed it yet — GitLab's `unchecked`/`checking`, GitHub's `mergeable: null`).
 */
export type Mergeability = 'mergeable' | 'conflict' | 'blocked' | 'unknown';

/** How a change request is merged into its target branch. */
export type MergeMethod = 'merge' | 'squash' | 'rebase';

/** A project (GitLab path such as `team/deploy` or numeric id) or repository (GitHub `owner/repo`). */
export type ProjectRef = string | number;

/** Identifies one change request: the project and its number (GitLab `iid`, GitHub pull request number). */
export interface ChangeRequestRef {
  project: ProjectRef;
  number: number;
}

/** A merge request (GitLab) or pull request (GitHub), in one shape. */
export interface ChangeRequest {
  forge: ForgeKind;
  project: string;
  /** GitLab `iid` (the `!12` number), GitHub pull request number. */
  number: number;
  title: string;
  description: string;
  sourceBranch: string;
  targetBranch: string;
  /** The commit at the tip of the source branch, as the forge last saw it. */
  headSha: string;
  state: ChangeRequestState;
  draft: boolean;
  mergeability: Mergeability;
  /**
   * The commit that landed on the target branch: the merge commit, the squash commit or, for a fast-forward or
   * rebase merge, the new tip. `null` until the change request is merged.
   */
  mergeCommitSha: string | null;
  labels: string[];
  webUrl: string;
  /**
   * GitLab: the merge request's `head_pipeline` (the latest pipeline of its head commit, the one "Pipelines must
   * succeed" reads), `null` when it has none. GitHub has no such field: always `null` (see {@link ChecksApi.get}).
   */
  headPipeline: ForgePipeline | null;
}

/** A GitLab pipeline, as a merge request's `head_pipeline` or in {@link CommitChecks}. */
export interface ForgePipeline {
  id: number;
  sha: string;
  ref: string | null;
  /**
   * GitLab's own status: `created`, `waiting_for_resource`, `preparing`, `waiting_for_callback`, `pending`,
   * `running`, `success`, `failed`, `canceling`, `canceled`, `skipped`, `manual`, `scheduled`.
   */
  status: string;
  /** The status in the forge-neutral words of {@link CheckState}. */
  state: CheckState;
  webUrl: string | null;
}

/** What {@link ChangeRequestsApi.approve} takes. */
export interface ApproveChangeRequestInput extends ChangeRequestRef {
  /**
   * Approve only this head commit: {@link HeadChangedError} when the source moved past it. GitLab checks it
   * server-side (409); GitHub would record a review of an older commit and count it, so the client reads the head
   * first and sends the review with `commit_id` (a push between the two is not caught).
   */
  expectedHeadSha?: string;
}

/** What {@link ChangeRequestsApi.open} needs. */
export interface OpenChangeRequestInput {
  project: ProjectRef;
  sourceBranch: string;
  targetBranch: string;
  title: string;
  description?: string;
  labels?: readonly string[];
  draft?: boolean;
}

/** Filters for {@link ChangeRequestsApi.list}. */
export interface ListChangeRequestsInput {
  project: ProjectRef;
  /** Default `open`; `all` lists every state. */
  state?: ChangeRequestState | 'all';
  sourceBranch?: string;
  targetBranch?: string;
  /** Stop after this many (default: every page). */
  limit?: number;
}

/** What {@link ChangeRequestsApi.merge} takes. */
export interface MergeChangeRequestInput extends ChangeRequestRef {
  /** Default `merge`. */
  method?: MergeMethod;
  /**
   * Merge once the checks pass instead of now. GitLab: its own auto-merge (`merge_when_pipeline_succeeds`), the
   * call returns the still-open change request. GitHub's REST API cannot enable auto-merge, so the client waits
   * for the commit's checks (see `checksTimeoutMs`) and merges then.
   */
  whenChecksPass?: boolean;
  /** Refuse the merge when the source branch has moved past this commit (both forges check it server-side). */
  expectedHeadSha?: string;
  /** Commit message of the merge or squash commit. */
  commitMessage?: string;
  /** GitHub `whenChecksPass`: the longest wait for the checks, default 30 minutes. */
  checksTimeoutMs?: number;
  /** GitHub `whenChecksPass`: time between two looks at the checks, default 5 s. */
  checksPollIntervalMs?: number;
}

/** Options every call takes. */
export interface ForgeCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  retry?: Partial<RetryOptions> | false;
}

/** Options of {@link ChangeRequestsApi.waitForMerge}. */
export interface WaitForMergeOptions extends Omit<ForgeCallOptions, 'timeoutMs'> {
  /** The longest wait, default 30 minutes. */
  timeoutMs?: number;
  /** Time between two looks at the change request, default 5 s (a forge has no merge event stream to watch). */
  pollIntervalMs?: number;
  /** Called with every observation. */
  onProgress?: (changeRequest: ChangeRequest) => void;
  /**
   * Stop with {@link ChecksFailedError} as soon as the head commit's checks have failed (statuses, GitHub check
   * runs, GitLab's head pipeline) instead of waiting for a merge that the forge will not make (GitLab cancels its
   * auto-merge then). Default `false`: someone may re-run the checks and merge. Costs one more request per look.
   */
  failOnChecks?: boolean;
}

/** The state of one check on a commit (a commit status, a GitHub check run, a GitLab pipeline). */
export type CheckState = 'pending' | 'running' | 'success' | 'failed' | 'canceled';

/**
 * What reported a check: a commit status (both forges), a GitHub check run (GitHub Apps, Actions), a GitLab
 * pipeline.
 */
export type CheckKind = 'status' | 'check-run' | 'pipeline';

/** One named check on a commit. */
export interface CommitStatus {
  name: string;
  state: CheckState;
  description: string | null;
  targetUrl: string | null;
  /** What reported it. */
  kind: CheckKind;
}

/**
 * The combined verdict of a commit's checks (`none` when nothing reported) and the checks themselves: commit
 * statuses and GitHub check runs (the newest per name), or on GitLab the commit statuses and the commit's latest
 * pipeline — which alone decides there, as GitLab's "Pipelines must succeed" reads only it (a status is a job of a
 * pipeline, and a job allowed to fail does not fail it).
 */
export interface CommitChecks {
  sha: string;
  state: 'none' | 'pending' | 'success' | 'failed';
  statuses: CommitStatus[];
  /** GitLab: the commit's latest pipeline (for `ref`, when given); GitHub: `null`. */
  pipeline: ForgePipeline | null;
}

/** What {@link ChecksApi.get} takes. */
export interface GetCommitChecksInput {
  project: ProjectRef;
  sha: string;
  /** GitLab: only pipelines of this branch or tag (`GET /projects/:id/pipelines?sha=&ref=`). Ignored by GitHub. */
  ref?: string;
}

/** What {@link ChecksApi.setStatus} takes. */
export interface SetCommitStatusInput {
  project: ProjectRef;
  sha: string;
  name: string;
  state: CheckState;
  description?: string;
  targetUrl?: string;
}

/** Merge requests / pull requests. */
export interface ChangeRequestsApi {
  open(input: OpenChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest>;
  get(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest>;
  list(input: ListChangeRequestsInput, options?: ForgeCallOptions): Promise<ChangeRequest[]>;
  merge(input: MergeChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest>;
  close(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest>;
  comment(ref: ChangeRequestRef & { body: string }, options?: ForgeCallOptions): Promise<void>;
  /**
   * Approves as the token's user: GitLab `POST …/merge_requests/:iid/approve`, GitHub a review with event
   * `APPROVE`. Forges refuse an author's approval of their own change by default (GitLab 401, GitHub 422):
   * {@link ApprovalRefusedError}.
   */
  approve(input: ApproveChangeRequestInput, options?: ForgeCallOptions): Promise<void>;
  waitForMerge(
    ref: ChangeRequestRef,
    options?: WaitForMergeOptions,
  ): Promise<{ mergeCommitSha: string; changeRequest: ChangeRequest }>;
}

/** The checks a merge waits on: commit statuses, GitHub check runs, GitLab pipelines. */
export interface ChecksApi {
  setStatus(input: SetCommitStatusInput, options?: ForgeCallOptions): Promise<void>;
  get(input: GetCommitChecksInput, options?: ForgeCallOptions): Promise<CommitChecks>;
}

/** The one interface both forge clients implement. */
export interface ForgeClient {
  readonly kind: ForgeKind;
  readonly changeRequests: ChangeRequestsApi;
  readonly checks: ChecksApi;
  /** Closes the client's connections. */
  close(): Promise<void>;
}

/**
 * Combines checks into one verdict: any failure fails; anything not finished is pending; all success is success.
 *
 * @example
 * ```ts
 * combineCheckStates([{ name: 'ci', state: 'running', description: null, targetUrl: null, kind: 'status' }]); // 'pending'
 * ```
 */
export function combineCheckStates(
  statuses: ReadonlyArray<Pick<CommitStatus, 'state'>>,
): CommitChecks['state'] {
  if (statuses.length === 0) return 'none';
  if (statuses.some((status) => status.state === 'failed' || status.state === 'canceled')) return 'failed';
  if (statuses.some((status) => status.state === 'pending' || status.state === 'running')) return 'pending';
  return 'success';
}
