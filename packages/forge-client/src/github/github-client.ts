import { sleep, ValidationError } from '@gitops-kit/core';
import type {
  ApproveChangeRequestInput,
  ChangeRequest,
  ChangeRequestRef,
  ChangeRequestsApi,
  ChecksApi,
  CommitChecks,
  ForgeCallOptions,
  ForgeClient,
  GetCommitChecksInput,
  ListChangeRequestsInput,
  Mergeability,
  MergeChangeRequestInput,
  OpenChangeRequestInput,
  ProjectRef,
  SetCommitStatusInput,
} from '../common/change-request.js';
import { forgeApis, mergeFailure } from '../common/forge-apis.js';
import {
  ApprovalRefusedError,
  ChangeRequestExistsError,
  ChecksFailedError,
  ForgeApiError,
  forgeErrorOptions,
  HeadChangedError,
  NotMergeableError,
} from '../common/forge-errors.js';
import { ForgeTransport, type ForgeTransportOptions } from '../common/forge-transport.js';
import { assertBranchName, assertChangeRequestRef } from '../common/input-checks.js';
import { DEFAULT_MERGE_POLL_INTERVAL_MS, DEFAULT_MERGE_WAIT_TIMEOUT_MS } from '../common/wait-for-merge.js';
import { gitHubStatusState, readGitHubChecks } from './github-checks.js';
import {
  type GitHubPullRequest,
  gitHubMergeResultSchema,
  gitHubPullRequestSchema,
} from './github-schemas.js';

/** Options of {@link GitHubClient}. */
export interface GitHubClientOptions extends ForgeTransportOptions {
  /** The REST API root: default `https://api.github.com`; GitHub Enterprise Server: `https://<host>/api/v3`. */
  url?: string;
  /** A fine-grained or classic personal access token, or an app installation token. */
  token: string;
}

/** The API version the client speaks (GitHub's date-versioned REST API). */
export const GITHUB_API_VERSION = '2022-11-28';

/**
 * GitHub pull requests and commit statuses over REST v3, behind {@link ForgeClient}. Projects are `owner/repo`.
 *
 * @example
 * ```ts
 * const github = new GitHubClient({ token: process.env.GITHUB_TOKEN! });
 * const pr = await github.changeRequests.open({
 *   project: 'acme/deploy', sourceBranch: 'release/v2', targetBranch: 'main', title: 'prod: v2',
 * });
 * await github.changeRequests.merge({ ...pr, method: 'squash', expectedHeadSha: pr.headSha });
 * ```
 */
export class GitHubClient implements ForgeClient {
  readonly kind = 'github' as const;
  readonly changeRequests: ChangeRequestsApi;
  readonly checks: ChecksApi;
  readonly #transport: ForgeTransport;

  /** @throws {ValidationError} for a missing token or a URL that is not http(s) without credentials. */
  constructor(options: GitHubClientOptions) {
    const { url = 'https://api.github.com', token, ...transportOptions } = options;
    this.#transport = new ForgeTransport(
      'github',
      url.replace(/\/+$/, ''),
      token,
      { accept: 'application/vnd.github+json', 'x-github-api-version': GITHUB_API_VERSION },
      transportOptions,
    );
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
      headChecks: (request, o) => this.#checks({ project: request.project, sha: request.headSha }, o),
    }));
  }

  close(): Promise<void> {
    return this.#transport.close();
  }

  async #open(input: OpenChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest> {
    const repo = repoPath(input.project);
    assertBranchName(input.sourceBranch, 'sourceBranch');
    assertBranchName(input.targetBranch, 'targetBranch');
    let created: GitHubPullRequest;
    try {
      created = await this.#transport.request(
        {
          method: 'POST',
          path: `${repo}/pulls`,
          body: {
            title: input.title,
            head: input.sourceBranch,
            base: input.targetBranch,
            body: input.description ?? '',
            draft: input.draft ?? false,
          },
          schema: gitHubPullRequestSchema,
        },
        options,
      );
    } catch (error) {
      if (
        ForgeApiError.isInstance(error) &&
        error.status === 422 &&
        /already exists/i.test(error.serverMessage ?? '')
      ) {
        throw new ChangeRequestExistsError(error.message, forgeErrorOptions(error));
      }
      throw error;
    }
    // Labels live on the pull request's issue.
    if (input.labels !== undefined && input.labels.length > 0) {
      await this.#transport.request(
        { method: 'POST', path: `${repo}/issues/${created.number}/labels`, body: { labels: input.labels } },
        options,
      );
      created = { ...created, labels: input.labels.map((name) => ({ name })) };
    }
    return toChangeRequest(input.project, created);
  }

  async #get(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest> {
    assertChangeRequestRef(ref);
    const pull = await this.#transport.request(
      { path: `${repoPath(ref.project)}/pulls/${ref.number}`, schema: gitHubPullRequestSchema },
      options,
    );
    return toChangeRequest(ref.project, pull);
  }

  async #list(input: ListChangeRequestsInput, options?: ForgeCallOptions): Promise<ChangeRequest[]> {
    const repo = repoPath(input.project);
    const state = input.state ?? 'open';
    // GitHub filters `head` by `owner:branch`; a merged pull request is a closed one with `merged_at`.
    const owner = String(input.project).split('/')[0];
    const items = await this.#transport.list(
      `${repo}/pulls`,
      {
        state: state === 'merged' ? 'closed' : state,
        head: input.sourceBranch === undefined ? undefined : `${owner}:${input.sourceBranch}`,
        base: input.targetBranch,
      },
      gitHubPullRequestSchema,
      state === 'merged' || state === 'closed' ? undefined : input.limit,
      options,
    );
    const requests = items.map((item) => toChangeRequest(input.project, item));
    const filtered =
      state === 'merged' || state === 'closed' ? requests.filter((r) => r.state === state) : requests;
    return input.limit === undefined ? filtered : filtered.slice(0, input.limit);
  }

  async #merge(input: MergeChangeRequestInput, options?: ForgeCallOptions): Promise<ChangeRequest> {
    assertChangeRequestRef(input);
    const repo = repoPath(input.project);
    let expectedHeadSha = input.expectedHeadSha;
    if (input.whenChecksPass) {
      // REST cannot enable GitHub's auto-merge (GraphQL only): wait for the head's checks, then merge that head.
      const current = await this.#get(input, options);
      expectedHeadSha ??= current.headSha;
      await this.#waitForChecks(
        input,
        expectedHeadSha,
        input.checksTimeoutMs ?? DEFAULT_MERGE_WAIT_TIMEOUT_MS,
        input.checksPollIntervalMs ?? DEFAULT_MERGE_POLL_INTERVAL_MS,
        options,
      );
    }
    try {
      await this.#transport.request(
        {
          method: 'PUT',
          path: `${repo}/pulls/${input.number}/merge`,
          body: {
            merge_method: input.method ?? 'merge',
            ...(expectedHeadSha === undefined ? {} : { sha: expectedHeadSha }),
            ...(input.commitMessage === undefined ? {} : commitMessageFields(input.commitMessage)),
          },
          schema: gitHubMergeResultSchema,
        },
        options,
      );
    } catch (error) {
      throw await mergeFailure(input, error, (r, o) => this.#get(r, o), options);
    }
    return this.#get(input, options);
  }

  async #waitForChecks(
    ref: ChangeRequestRef,
    sha: string,
    timeoutMs: number,
    pollIntervalMs: number,
    options?: ForgeCallOptions,
  ): Promise<void> {
    if (!(Number.isFinite(timeoutMs) && timeoutMs >= 0)) {
      throw new ValidationError(`merge: checksTimeoutMs must be a finite number >= 0, got ${timeoutMs}`);
    }
    if (!(Number.isFinite(pollIntervalMs) && pollIntervalMs > 0)) {
      throw new ValidationError(
        `merge: checksPollIntervalMs must be a finite number > 0, got ${pollIntervalMs}`,
      );
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checks = await this.#checks({ project: ref.project, sha }, options);
      if (checks.state === 'success' || checks.state === 'none') return;
      if (checks.state === 'failed') throw new ChecksFailedError(ref, sha, checks.statuses);
      if (Date.now() > deadline) {
        throw new NotMergeableError(`checks of ${sha} were still pending after ${timeoutMs} ms`, {
          forge: 'github',
          status: 408,
          method: 'GET',
          url: `${repoPath(ref.project)}/commits/${sha}/status`,
        });
      }
      await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())), options?.signal);
    }
  }

  async #close(ref: ChangeRequestRef, options?: ForgeCallOptions): Promise<ChangeRequest> {
    assertChangeRequestRef(ref);
    const closed = await this.#transport.request(
      {
        method: 'PATCH',
        path: `${repoPath(ref.project)}/pulls/${ref.number}`,
        body: { state: 'closed' },
        schema: gitHubPullRequestSchema,
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
        path: `${repoPath(input.project)}/issues/${input.number}/comments`,
        body: { body: input.body },
      },
      options,
    );
  }

  /**
   * A review with event `APPROVE` (on `commit_id` when pinned). GitHub takes a review on an older commit of the pull
   * request without complaint, and unless the branch protection dismisses stale approvals it counts for the new
   * head: so a pinned approval first looks at the head and refuses, as GitLab's `sha` does, when it moved.
   */
  async #approve(input: ApproveChangeRequestInput, options?: ForgeCallOptions): Promise<void> {
    assertChangeRequestRef(input);
    if (input.expectedHeadSha !== undefined) {
      const current = await this.#get(input, options);
      if (current.headSha !== input.expectedHeadSha) {
        throw new HeadChangedError(
          `github: not approving ${input.project}#${input.number}: its head moved from ${input.expectedHeadSha.slice(0, 12)} to ${current.headSha.slice(0, 12)}`,
          {
            forge: 'github',
            status: 409,
            method: 'POST',
            url: `${repoPath(input.project)}/pulls/${input.number}/reviews`,
          },
        );
      }
    }
    try {
      await this.#transport.request(
        {
          method: 'POST',
          path: `${repoPath(input.project)}/pulls/${input.number}/reviews`,
          body: {
            event: 'APPROVE',
            ...(input.expectedHeadSha === undefined ? {} : { commit_id: input.expectedHeadSha }),
          },
        },
        options,
      );
    } catch (error) {
      // GitHub: 422 "Can not approve your own pull request".
      if (
        ForgeApiError.isInstance(error) &&
        error.status === 422 &&
        /approve your own/i.test(error.serverMessage ?? '')
      ) {
        throw new ApprovalRefusedError(error.message, forgeErrorOptions(error));
      }
      throw error;
    }
  }

  async #setStatus(input: SetCommitStatusInput, options?: ForgeCallOptions): Promise<void> {
    await this.#transport.request(
      {
        method: 'POST',
        path: `${repoPath(input.project)}/statuses/${encodeURIComponent(input.sha)}`,
        body: {
          state: gitHubStatusState(input.state),
          context: input.name,
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.targetUrl === undefined ? {} : { target_url: input.targetUrl }),
        },
      },
      options,
    );
  }

  #checks(input: GetCommitChecksInput, options?: ForgeCallOptions): Promise<CommitChecks> {
    return readGitHubChecks(this.#transport, repoPath(input.project), input.sha, options);
  }
}

/**
 * GitHub takes a merge commit's message in two parts: `commit_title` (the first line; GitHub's default otherwise)
 * and `commit_message` ("extra detail to append", per its OpenAPI description). Sending the whole message as
 * `commit_message` would keep GitHub's default title on top of it.
 */
function commitMessageFields(message: string): { commit_title: string; commit_message?: string } {
  // A message written on Windows ends its lines with CRLF: the title must not keep the carriage return.
  const [title = '', ...rest] = message.split(/\r?\n/);
  const detail = rest.join('\n').replace(/^\n+/, '');
  return detail === '' ? { commit_title: title } : { commit_title: title, commit_message: detail };
}

/** `owner/repo` → `/repos/owner/repo`. */
function repoPath(project: ProjectRef): string {
  const parts = String(project).split('/');
  if (parts.length !== 2 || !parts.every((part) => /^[\w.-]+$/.test(part) && part !== '.' && part !== '..')) {
    throw new ValidationError(`a GitHub project is "owner/repo", got ${JSON.stringify(project)}`);
  }
  return `/repos/${parts.map(encodeURIComponent).join('/')}`;
}

/** `mergeable_state`: clean/unstable/has_hooks merge; dirty conflicts; blocked/behind/draft wait; unknown is unknown. */
function gitHubMergeability(pull: GitHubPullRequest): Mergeability {
  if (pull.mergeable_state === 'dirty') return 'conflict';
  if (pull.mergeable === null || pull.mergeable === undefined || pull.mergeable_state === 'unknown')
    return 'unknown';
  if (pull.mergeable === false) return 'conflict';
  if (
    pull.mergeable_state === 'blocked' ||
    pull.mergeable_state === 'behind' ||
    pull.mergeable_state === 'draft'
  ) {
    return 'blocked';
  }
  return 'mergeable';
}

function toChangeRequest(project: ProjectRef, pull: GitHubPullRequest): ChangeRequest {
  const merged = pull.merged === true || (pull.merged_at !== null && pull.merged_at !== undefined);
  const state = merged ? 'merged' : pull.state === 'open' ? 'open' : 'closed';
  return {
    forge: 'github',
    project: String(project),
    number: pull.number,
    title: pull.title,
    description: pull.body ?? '',
    sourceBranch: pull.head.ref,
    targetBranch: pull.base.ref,
    headSha: pull.head.sha,
    state,
    draft: pull.draft ?? false,
    mergeability: state === 'open' ? gitHubMergeability(pull) : 'unknown',
    mergeCommitSha: merged ? (pull.merge_commit_sha ?? null) : null,
    labels: (pull.labels ?? []).map((label) => label.name),
    webUrl: pull.html_url,
    headPipeline: null,
  };
}
