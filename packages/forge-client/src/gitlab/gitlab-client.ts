import { AuthenticationError, sleep } from '@gitops-kit/core';
import {
  type ApproveChangeRequestInput,
  type ChangeRequest,
  type ChangeRequestRef,
  type ChangeRequestsApi,
  type CheckState,
  type ChecksApi,
  type CommitChecks,
  type CommitStatus,
  combineCheckStates,
  type ForgeCallOptions,
  type ForgeClient,
  type ForgePipeline,
  type GetCommitChecksInput,
  type ListChangeRequestsInput,
  type Mergeability,
  type MergeChangeRequestInput,
  type OpenChangeRequestInput,
  type ProjectRef,
  type SetCommitStatusInput,
} from '../common/change-request.js';
import { forgeApis, mergeFailure } from '../common/forge-apis.js';
import {
  ApprovalRefusedError,
  ChangeRequestConflictError,
  ChangeRequestExistsError,
  ForgeApiError,
  forgeErrorOptions,
  HeadChangedError,
  NotMergeableError,
} from '../common/forge-errors.js';
import { ForgeTransport, type ForgeTransportOptions } from '../common/forge-transport.js';
import { assertBranchName, assertChangeRequestRef, assertProject } from '../common/input-checks.js';
import {
  type GitLabMergeRequest,
  type GitLabPipeline,
  gitLabCommitStatusSchema,
  gitLabMergeRequestSchema,
  gitLabPipelineSchema,
} from './gitlab-schemas.js';

/** Options of {@link GitLabClient}. */
export interface GitLabClientOptions extends ForgeTransportOptions {
  /** The GitLab instance, default `https://gitlab.com`; the API is at `<url>/api/v4`. */
  url?: string;
  /** A personal, project or group access token (or OAuth token), sent as `Authorization: Bearer`. */
  token: string;
}

/** How long a rebase may take before the merge that follows it gives up. */
const REBASE_TIMEOUT_MS = 120_000;

/**
 * GitLab merge requests, commit statuses and pipelines over REST v4, behind {@link ForgeClient}.
 *
 * @example
 * ```ts
 * const gitlab = new GitLabClient({ url: 'https://gitlab.example.com', token: process.env.GITLAB_TOKEN! });
 * const mr = await gitlab.changeRequests.open({
 *   project: 'team/deploy', sourceBranch: 'release/v2', targetBranch: 'main', title: 'prod: v2',
 * });
 * const { mergeCommitSha } = await gitlab.changeRequests.waitForMerge(mr, { timeoutMs: 3_600_000 });
 * ```
 */
export class GitLabClient implements ForgeClient {
  readonly kind = 'gitlab' as const;
  readonly changeRequests: ChangeRequestsApi;
  readonly checks: ChecksApi;
  readonly #transport: ForgeTransport;

  /** @throws {ValidationError} for a missing token or a URL that is not http(s) without credentials. */
  constructor(options: GitLabClientOptions) {
    const { url = 'https://gitlab.com', token, ...transportOptions } = options;
    const base = `${url.replace(/\/+$/, '')}/api/v4`;
    this.#transport = new ForgeTransport('gitlab', base, token, {}, transportOptions);
    ({ changeRequests: this.changeRequests, checks: this.checks } = forgeApis({
      open: (input, o) => this.#open(input, o),
      get: (ref, o) => this.#get(ref, o),
      list: (input, o) => this.#list(input, o),
      merge: (input, o) => this.#merge(input, o),
      close: (ref, o) => this.#close(ref, o),
      comment: (input, o) => this.#comment(input, o),
      approve: (input, o) => this.#approve(input, o),
      setStatus: (input, o) => this.#setStatus(input, o),
      checks: (input, o) => this.#checks(input, o),
      headChecks: (request, o) => this.#headChecks(request, o),
    }));
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  async #open(input: OpenChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest> {
    assertProject(input.project);
    assertBranchName(input.sourceBranch, 'sourceBranch');
    assertBranchName(input.targetBranch, 'targetBranch');
    // GitLab marks a draft by the title prefix (the `draft` attribute is read-only on older versions).
    const title =
      input.draft && !/^(draft:|\[draft\]|\(draft\))/i.test(input.title)
        ? `Draft: ${input.title}`
        : input.title;
    try {
      const created = await this.#transport.request(
        {
          method: 'POST',
          path: `${projectPath(input.project)}/merge_requests`,
          body: {
            source_branch: input.sourceBranch,
            target_branch: input.targetBranch,
            title,
            ...(input.description === undefined ? {} : { description: input.description }),
            ...(input.labels === undefined ? {} : { labels: input.labels.join(',') }),
          },
          schema: gitLabMergeRequestSchema,
        },
        options,
      );
      return toChangeRequest(input.project, created);
    } catch (error) {
      if (ForgeApiError.isInstance(error) && error.status === 409) {
        throw new ChangeRequestExistsError(error.message, { ...forgeErrorOptions(error) });
      }
      throw error;
    }
  }

  async #get(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest> {
    return toChangeRequest(ref.project, await this.#getRaw(ref, options));
  }

  #getRaw(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<GitLabMergeRequest> {
    assertChangeRequestRef(ref);
    return this.#transport.request(
      {
        path: `${projectPath(ref.project)}/merge_requests/${ref.number}`,
        query: { include_rebase_in_progress: true },
        schema: gitLabMergeRequestSchema,
      },
      options,
    );
  }

  async #list(input: ListChangeRequestsInput, options?: ForgeCallOptions): Promise<ChangeRequest[]> {
    assertProject(input.project);
    const state = input.state ?? 'open';
    const items = await this.#transport.list(
      `${projectPath(input.project)}/merge_requests`,
      {
        state: state === 'open' ? 'opened' : state,
        source_branch: input.sourceBranch,
        target_branch: input.targetBranch,
      },
      gitLabMergeRequestSchema,
      input.limit,
      options,
    );
    return items.map((item) => toChangeRequest(input.project, item));
  }

  async #merge(input: MergeChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest> {
    assertChangeRequestRef(input);
    const method = input.method ?? 'merge';
    if (method === 'rebase') await this.#rebase(input, options);
    try {
      const merged = await this.#transport.request(
        {
          method: 'PUT',
          path: `${projectPath(input.project)}/merge_requests/${input.number}/merge`,
          body: {
            squash: method === 'squash',
            ...(input.expectedHeadSha === undefined ? {} : { sha: input.expectedHeadSha }),
            ...(input.whenChecksPass ? { merge_when_pipeline_succeeds: true } : {}),
            ...(input.commitMessage === undefined
              ? {}
              : method === 'squash'
                ? { squash_commit_message: input.commitMessage }
                : { merge_commit_message: input.commitMessage }),
          },
          schema: gitLabMergeRequestSchema,
        },
        options,
      );
      return toChangeRequest(input.project, merged);
    } catch (error) {
      throw await mergeFailure(input, error, (r, o) => this.#get(r, o), options);
    }
  }

  /** GitLab's rebase is asynchronous: start it, then look until it is done (or failed). */
  async #rebase(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<void> {
    await this.#transport.request(
      { method: 'PUT', path: `${projectPath(ref.project)}/merge_requests/${ref.number}/rebase` },
      options,
    );
    const deadline = Date.now() + REBASE_TIMEOUT_MS;
    for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 2_000)) {
      const current = await this.#getRaw(ref, options);
      if (current.merge_error) {
        throw new ChangeRequestConflictError(ref, `rebase failed: ${current.merge_error}`);
      }
      if (!current.rebase_in_progress) return;
      if (Date.now() > deadline) {
        throw new NotMergeableError(`rebase of ${ref.project}!${ref.number} did not finish in time`, {
          forge: 'gitlab',
          status: 408,
          method: 'PUT',
          url: `${projectPath(ref.project)}/merge_requests/${ref.number}/rebase`,
        });
      }
      await sleep(delayMs, options?.signal);
    }
  }

  async #close(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest> {
    assertChangeRequestRef(ref);
    const closed = await this.#transport.request(
      {
        method: 'PUT',
        path: `${projectPath(ref.project)}/merge_requests/${ref.number}`,
        body: { state_event: 'close' },
        schema: gitLabMergeRequestSchema,
      },
      options,
    );
    return toChangeRequest(ref.project, closed);
  }

  async #comment(input: ChangeRequestRef & { body: string }, options?: ForgeCallOptions): Promise<void> {
    assertChangeRequestRef(input);
    await this.#transport.request(
      {
        method: 'POST',
        path: `${projectPath(input.project)}/merge_requests/${input.number}/notes`,
        body: { body: input.body },
      },
      options,
    );
  }

  /** `POST …/approve` with the head pinned when asked: GitLab answers 409 when the source moved past it. */
  async #approve(input: ApproveChangeRequestInput, options?: ForgeCallOptions): Promise<void> {
    assertChangeRequestRef(input);
    try {
      await this.#transport.request(
        {
          method: 'POST',
          path: `${projectPath(input.project)}/merge_requests/${input.number}/approve`,
          body: input.expectedHeadSha === undefined ? {} : { sha: input.expectedHeadSha },
        },
        options,
      );
    } catch (error) {
      if (ForgeApiError.isInstance(error) && error.status === 409) {
        throw new HeadChangedError(error.message, forgeErrorOptions(error));
      }
      // `POST …/approve` answers 401 when the user may not approve (merge_request_approvals.md): core would call it
      // a failed authentication, and send the reader off to replace a token that works everywhere else.
      if (AuthenticationError.isInstance(error)) {
        throw new ApprovalRefusedError(
          `gitlab: the approval of ${input.project}!${input.number} was refused (HTTP 401): the token's user may not approve it (its author while "Prevent approval by author" is on, or not an eligible approver), or the token is not accepted`,
          {
            forge: 'gitlab',
            status: 401,
            method: 'POST',
            url: `${projectPath(input.project)}/merge_requests/${input.number}/approve`,
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  async #setStatus(input: SetCommitStatusInput, options?: ForgeCallOptions): Promise<void> {
    assertProject(input.project);
    await this.#transport.request(
      {
        method: 'POST',
        path: `${projectPath(input.project)}/statuses/${encodeURIComponent(input.sha)}`,
        body: {
          state: input.state,
          name: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.targetUrl === undefined ? {} : { target_url: input.targetUrl }),
        },
      },
      options,
    );
  }

  async #checks(input: GetCommitChecksInput, options?: ForgeCallOptions): Promise<CommitChecks> {
    assertProject(input.project);
    const statuses = await this.#statuses(input.project, input.sha, options);
    return commitChecks(input.sha, statuses, await this.#newestPipeline(input, options));
  }

  /**
   * The checks that gate a merge request: its `head_pipeline` decides, as "Pipelines must succeed" reads it
   * (GitLab's `MergeRequest#head_pipeline`: the newest pipeline of the head commit among the source branch's and
   * the merge request's own). The newest pipeline of the sha may belong to a tag or another branch at the same
   * commit, whose failure does not block this merge. Without a head pipeline, the newest of the source branch.
   */
  async #headChecks(changeRequest: ChangeRequest, options?: ForgeCallOptions): Promise<CommitChecks> {
    const { project, headSha: sha } = changeRequest;
    const head = changeRequest.headPipeline;
    if (head === null || head.sha !== sha) {
      return this.#checks({ project, sha, ref: changeRequest.sourceBranch }, options);
    }
    return commitChecks(sha, await this.#statuses(project, sha, options), head);
  }

  /** The commit's statuses, the newest per name. */
  async #statuses(project: ProjectRef, sha: string, options?: ForgeCallOptions): Promise<CommitStatus[]> {
    const raw = await this.#transport.list(
      `${projectPath(project)}/repository/commits/${encodeURIComponent(sha)}/statuses`,
      {},
      gitLabCommitStatusSchema,
      undefined,
      options,
    );
    // GitLab lists every status ever set; the newest per name counts (it lists newest first).
    const latest = new Map<string, (typeof raw)[number]>();
    for (const status of raw) if (!latest.has(status.name)) latest.set(status.name, status);
    return [...latest.values()].map((status) => ({
      name: status.name,
      state: gitLabCheckState(status.status),
      description: status.description ?? null,
      targetUrl: status.target_url ?? null,
      kind: 'status',
    }));
  }

  /** The newest pipeline of the commit (GitLab orders by id, newest first), of `ref` when given. */
  async #newestPipeline(
    input: GetCommitChecksInput,
    options?: ForgeCallOptions,
  ): Promise<ForgePipeline | null> {
    const [newest] = await this.#transport.list(
      `${projectPath(input.project)}/pipelines`,
      { sha: input.sha, ref: input.ref, order_by: 'id', sort: 'desc' },
      gitLabPipelineSchema,
      1,
      options,
    );
    if (newest === undefined) return null;
    // A server that ignored the filter (a proxy, a broken instance) would give the verdict of another commit.
    const otherRef = input.ref !== undefined && (newest.ref ?? input.ref) !== input.ref;
    if (!newest.sha.toLowerCase().startsWith(input.sha.toLowerCase()) || otherRef) {
      throw new ForgeApiError(
        `gitlab: asked for the pipelines of ${input.sha.slice(0, 12)}${input.ref === undefined ? '' : ` on ${input.ref}`}, got pipeline #${newest.id} of ${newest.sha.slice(0, 12)}${newest.ref ? ` on ${newest.ref}` : ''}`,
        {
          forge: 'gitlab',
          status: 200,
          method: 'GET',
          url: `${projectPath(input.project)}/pipelines`,
          code: 'FORGE_UNEXPECTED_RESPONSE',
          retryable: false,
        },
      );
    }
    return toPipeline(newest);
  }
}

/** The verdict: the pipeline alone decides when there is one ("Pipelines must succeed"), else the statuses. */
function commitChecks(sha: string, statuses: CommitStatus[], pipeline: ForgePipeline | null): CommitChecks {
  if (pipeline === null) return { sha, state: combineCheckStates(statuses), statuses, pipeline };
  const entry: CommitStatus = {
    name: `pipeline #${pipeline.id}`,
    state: pipeline.state,
    description: pipeline.status,
    targetUrl: pipeline.webUrl,
    kind: 'pipeline',
  };
  return { sha, state: combineCheckStates([entry]), statuses: [...statuses, entry], pipeline };
}

function toPipeline(pipeline: GitLabPipeline): ForgePipeline {
  return {
    id: pipeline.id,
    sha: pipeline.sha,
    ref: pipeline.ref ?? null,
    status: pipeline.status,
    state: gitLabCheckState(pipeline.status),
    webUrl: pipeline.web_url ?? null,
  };
}

function projectPath(project: ProjectRef): string {
  return `/projects/${encodeURIComponent(String(project))}`;
}

function gitLabCheckState(status: string): CheckState {
  switch (status) {
    case 'success':
      return 'success';
    case 'failed':
      return 'failed';
    case 'canceled':
    case 'skipped':
      return 'canceled';
    case 'running':
    case 'canceling':
      return 'running';
    default:
      // created, waiting_for_resource, preparing, waiting_for_callback, pending, manual, scheduled — and a
      // status a newer GitLab invents: not finished, so never success.
      return 'pending';
  }
}

/** GitLab's `detailed_merge_status` (15.6+), else the older `merge_status`. */
function gitLabMergeability(request: GitLabMergeRequest): Mergeability {
  if (request.has_conflicts) return 'conflict';
  const detailed = request.detailed_merge_status;
  if (detailed) {
    if (detailed === 'mergeable') return 'mergeable';
    if (detailed === 'conflict' || detailed === 'broken_status') return 'conflict';
    if (detailed === 'checking' || detailed === 'unchecked' || detailed === 'preparing') return 'unknown';
    return 'blocked';
  }
  switch (request.merge_status) {
    case 'can_be_merged':
      return 'mergeable';
    case 'cannot_be_merged':
      return 'conflict';
    default:
      return 'unknown';
  }
}

function toChangeRequest(project: ProjectRef, request: GitLabMergeRequest): ChangeRequest {
  const state = request.state === 'merged' ? 'merged' : request.state === 'opened' ? 'open' : 'closed';
  return {
    forge: 'gitlab',
    project: String(project),
    number: request.iid,
    title: request.title,
    description: request.description ?? '',
    sourceBranch: request.source_branch,
    targetBranch: request.target_branch,
    headSha: request.sha ?? '',
    state,
    draft: request.draft ?? request.work_in_progress ?? false,
    mergeability: state === 'open' ? gitLabMergeability(request) : 'unknown',
    // A fast-forward merge makes no merge commit: the target's new tip is the source head.
    mergeCommitSha:
      state === 'merged'
        ? (request.merge_commit_sha ?? request.squash_commit_sha ?? request.sha ?? null)
        : null,
    labels: request.labels ?? [],
    webUrl: request.web_url,
    headPipeline:
      request.head_pipeline === null || request.head_pipeline === undefined
        ? null
        : toPipeline(request.head_pipeline),
  };
}
