import type { GitServer } from '../git/git-server.js';
import {
  DuplicateChangeRequestError,
  type ForgeProject,
  ForgeProjects,
  type ProjectRules,
  type StoredChangeRequest,
} from './change-request-store.js';
import {
  type ForgeFault,
  ForgeHttpError,
  ForgeHttpServer,
  type ForgeRequestContext,
  type ForgeRequestRecord,
  type ForgeRoute,
  paginate,
} from './forge-http.js';
import { ForgeMergeConflictError, type ForgeMergeMethod, ForgeMergeRaceError } from './git-merge.js';

/** Options of {@link GitHubEmulator.start}. */
export interface GitHubEmulatorOptions {
  /** The repositories behind the `owner/repo` names. */
  git: GitServer;
  /** The token clients must send (`Authorization: Bearer` or `token`). Default `ghp_emulator_token`. */
  token?: string;
}

const STATUS_STATES = new Set(['pending', 'success', 'failure', 'error']);

/**
 * A GitHub REST v3 subset (pull requests, reviews, issue comments and labels, commit statuses) over the
 * repositories of a {@link GitServer}: merges, squashes and rebases are real git operations in the bare repository.
 * Shapes follow GitHub's REST documentation (`mergeable`/`mergeable_state`, 405/409 on merge, 422 for a duplicate
 * pull request, `X-RateLimit-*` headers on a 403 when the rate limit is exhausted).
 *
 * @example
 * ```ts
 * const github = await GitHubEmulator.start({ git });
 * github.addRepository('acme/deploy', 'deploy', { checksMustPass: true });
 * // … the code under test opens a pull request against github.url …
 * await github.setStatus('acme/deploy', sha, 'ci', 'success');
 * ```
 */
export class GitHubEmulator {
  /** The REST API root (what `GitHubClient({ url })` takes); `${url}/api/v3` serves the same, as GHES does. */
  readonly url: string;
  readonly token: string;
  readonly #http: ForgeHttpServer;
  readonly #projects: ForgeProjects;

  private constructor(http: ForgeHttpServer, projects: ForgeProjects, token: string) {
    this.#http = http;
    this.#projects = projects;
    this.token = token;
    this.url = http.url;
  }

  /** Starts the emulator on a free loopback port. */
  static async start(options: GitHubEmulatorOptions): Promise<GitHubEmulator> {
    const token = options.token ?? 'ghp_emulator_token';
    const projects = new ForgeProjects(options.git);
    const http = new ForgeHttpServer(gitHubRoutes(projects), gitHubDialect, token, '/api/v3');
    await http.listen();
    return new GitHubEmulator(http, projects, token);
  }

  /** Adds the repository `owner/name` backed by the GitServer repository `repo`. */
  addRepository(fullName: string, repo: string, rules: ProjectRules = {}): void {
    if (!/^[\w.-]+\/[\w.-]+$/.test(fullName))
      throw new TypeError(`a GitHub repository is owner/name, got ${fullName}`);
    this.#projects.add(fullName, repo, rules);
  }

  /** A reviewer approves the pull request. */
  approve(repository: string, number: number, user = 'reviewer'): void {
    this.#pull(repository, number).approvals.add(user);
  }

  /** A user presses "Merge" in the UI. @returns the commit on the base branch. */
  async merge(
    repository: string,
    number: number,
    method: 'merge' | 'squash' | 'rebase' = 'merge',
  ): Promise<string> {
    const pull = this.#pull(repository, number);
    await this.#projects
      .get(repository)
      .land(pull, method, `Merge pull request #${number} from ${pull.sourceBranch}`);
    return pull.mergeCommitSha as string;
  }

  /** A user closes the pull request. */
  close(repository: string, number: number): void {
    const pull = this.#pull(repository, number);
    pull.state = 'closed';
    pull.closedAt = pull.updatedAt = new Date().toISOString();
  }

  /** A CI system reports a commit status. */
  setStatus(
    repository: string,
    sha: string,
    context: string,
    state: 'pending' | 'success' | 'failure' | 'error',
  ): void {
    this.#projects.addStatus(this.#projects.get(repository), sha, {
      name: context,
      state,
      description: null,
      targetUrl: null,
    });
  }

  /** The pull request as stored (for assertions). */
  changeRequest(repository: string, number: number): Readonly<StoredChangeRequest> {
    return this.#pull(repository, number);
  }

  /** Scripts faults on the next requests (rate limits, errors). */
  addFault(fault: ForgeFault): void {
    this.#http.faults.push({ ...fault });
  }

  /** Every request answered so far. */
  get requests(): readonly ForgeRequestRecord[] {
    return this.#http.requests;
  }

  stop(): Promise<void> {
    return this.#http.close();
  }

  #pull(repository: string, number: number): StoredChangeRequest {
    const pull = this.#projects.get(repository).find(number);
    if (pull === undefined) throw new Error(`no pull request #${number} in ${repository}`);
    return pull;
  }
}

const gitHubDialect = {
  errorBody: (status: number, message: string) => ({
    message,
    documentation_url: 'https://docs.github.com/rest',
    status: String(status),
  }),
  // GitHub reports an exhausted primary rate limit as 403 with the X-RateLimit headers.
  rateLimited: (retryAfterSeconds: number) => ({
    status: 403,
    message: 'API rate limit exceeded',
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfterSeconds),
      'x-ratelimit-resource': 'core',
    },
  }),
  authorized: (headers: ForgeRequestContext['headers'], token: string) =>
    headers.authorization === `Bearer ${token}` || headers.authorization === `token ${token}`,
};

async function toGitHub(project: ForgeProject, pull: StoredChangeRequest, base: string) {
  await project.refresh(pull);
  const blocker = pull.state === 'open' ? await project.blocker(pull) : undefined;
  const [owner] = project.path.split('/');
  const mergeableState =
    pull.state !== 'open'
      ? 'unknown'
      : blocker === undefined
        ? 'clean'
        : blocker === 'conflict'
          ? 'dirty'
          : blocker === 'draft'
            ? 'draft'
            : 'blocked';
  return {
    id: pull.id,
    number: pull.number,
    state: pull.state === 'open' ? 'open' : 'closed',
    title: pull.title,
    body: pull.description,
    draft: pull.draft,
    merged: pull.state === 'merged',
    merged_at: pull.mergedAt,
    closed_at: pull.closedAt ?? pull.mergedAt,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    merge_commit_sha: pull.mergeCommitSha,
    mergeable: pull.state !== 'open' ? null : blocker !== 'conflict',
    mergeable_state: mergeableState,
    head: { ref: pull.sourceBranch, sha: pull.headSha, label: `${owner}:${pull.sourceBranch}` },
    base: { ref: pull.targetBranch, label: `${owner}:${pull.targetBranch}` },
    labels: pull.labels.map((name, index) => ({ id: index + 1, name })),
    html_url: `${base}/${project.path}/pull/${pull.number}`,
    url: `${base}/repos/${project.path}/pulls/${pull.number}`,
  };
}

function gitHubRoutes(projects: ForgeProjects): ForgeRoute[] {
  const repository = (context: ForgeRequestContext): ForgeProject => {
    const found = projects.find(`${context.params['owner']}/${context.params['repo']}`);
    if (found === undefined) throw new ForgeHttpError(404, gitHubDialect.errorBody(404, 'Not Found'));
    return found;
  };
  const pullRequest = (context: ForgeRequestContext): [ForgeProject, StoredChangeRequest] => {
    const p = repository(context);
    const pull = p.find(Number(context.params['number']));
    if (pull === undefined) throw new ForgeHttpError(404, gitHubDialect.errorBody(404, 'Not Found'));
    return [p, pull];
  };
  const base = (context: ForgeRequestContext) => `${context.url.protocol}//${context.url.host}`;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const invalid = (message: string, errors: unknown[] = []) =>
    new ForgeHttpError(422, {
      message,
      errors,
      documentation_url: 'https://docs.github.com/rest',
      status: '422',
    });
  const repo = '/repos/:owner/:repo';
  return [
    {
      method: 'POST',
      pattern: `${repo}/pulls`,
      handler: async (context) => {
        const p = repository(context);
        const head = text(context.body['head'])?.replace(/^[^:]+:/, '');
        const baseBranch = text(context.body['base']);
        const title = text(context.body['title']);
        if (!head || !baseBranch || !title)
          throw invalid('Validation Failed', [{ resource: 'PullRequest', code: 'missing_field' }]);
        if ((await p.merger.head(head)) === undefined) {
          throw invalid('Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
        }
        if ((await p.merger.head(baseBranch)) === undefined) {
          throw invalid('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
        }
        const [owner] = p.path.split('/');
        const pull = await projects
          .open(p, {
            title,
            description: text(context.body['body']) ?? '',
            sourceBranch: head,
            targetBranch: baseBranch,
            draft: context.body['draft'] === true,
            labels: [],
          })
          .catch((error: unknown) => {
            if (!(error instanceof DuplicateChangeRequestError)) throw error;
            throw invalid('Validation Failed', [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${owner}:${head}.`,
              },
            ]);
          });
        return { status: 201, body: await toGitHub(p, pull, base(context)) };
      },
    },
    {
      method: 'GET',
      pattern: `${repo}/pulls`,
      handler: async (context) => {
        const p = repository(context);
        const query = context.url.searchParams;
        const state = query.get('state') ?? 'open';
        const head = query.get('head')?.replace(/^[^:]+:/, '');
        const matching = p.changeRequests
          .filter((r) => state === 'all' || (state === 'open' ? r.state === 'open' : r.state !== 'open'))
          .filter((r) => !head || r.sourceBranch === head)
          .filter((r) => !query.get('base') || r.targetBranch === query.get('base'))
          .reverse();
        const page = paginate(matching, context.url);
        return {
          body: await Promise.all(page.items.map((r) => toGitHub(p, r, base(context)))),
          headers: { link: page.headers['link'] ?? '' },
        };
      },
    },
    {
      method: 'GET',
      pattern: `${repo}/pulls/:number`,
      handler: async (context) => {
        const [p, pull] = pullRequest(context);
        return { body: await toGitHub(p, pull, base(context)) };
      },
    },
    {
      method: 'PATCH',
      pattern: `${repo}/pulls/:number`,
      handler: async (context) => {
        const [p, pull] = pullRequest(context);
        const state = text(context.body['state']);
        if (state === 'closed' && pull.state === 'open') {
          pull.state = 'closed';
          pull.closedAt = new Date().toISOString();
        } else if (state === 'open' && pull.state === 'closed') {
          pull.state = 'open';
          pull.closedAt = null;
        }
        const title = text(context.body['title']);
        if (title !== undefined) pull.title = title;
        const body = text(context.body['body']);
        if (body !== undefined) pull.description = body;
        pull.updatedAt = new Date().toISOString();
        return { body: await toGitHub(p, pull, base(context)) };
      },
    },
    {
      method: 'PUT',
      pattern: `${repo}/pulls/:number/merge`,
      handler: async (context) => {
        const [p, pull] = pullRequest(context);
        await p.refresh(pull);
        const notMergeable = () =>
          new ForgeHttpError(405, gitHubDialect.errorBody(405, 'Pull Request is not mergeable'));
        if (pull.state !== 'open') throw notMergeable();
        const sha = text(context.body['sha']);
        if (sha !== undefined && sha !== pull.headSha) {
          throw new ForgeHttpError(
            409,
            gitHubDialect.errorBody(409, 'Head branch was modified. Review and try the merge again.'),
          );
        }
        const method = text(context.body['merge_method']) ?? 'merge';
        if (!['merge', 'squash', 'rebase'].includes(method)) throw invalid('Invalid merge_method');
        if ((await p.blocker(pull)) !== undefined) throw notMergeable();
        try {
          await p.land(
            pull,
            method as ForgeMergeMethod,
            text(context.body['commit_message']) ??
              `Merge pull request #${pull.number} from ${pull.sourceBranch}`,
          );
        } catch (error) {
          if (error instanceof ForgeMergeConflictError) throw notMergeable();
          if (error instanceof ForgeMergeRaceError) {
            throw new ForgeHttpError(
              409,
              gitHubDialect.errorBody(409, 'Base branch was modified. Review and try the merge again.'),
            );
          }
          throw error;
        }
        return {
          body: { sha: pull.mergeCommitSha, merged: true, message: 'Pull Request successfully merged' },
        };
      },
    },
    {
      method: 'POST',
      pattern: `${repo}/pulls/:number/reviews`,
      handler: (context) => {
        const [, pull] = pullRequest(context);
        const event = text(context.body['event']);
        if (event === 'APPROVE') pull.approvals.add('token-user');
        return { body: { id: pull.approvals.size, state: event === 'APPROVE' ? 'APPROVED' : 'COMMENTED' } };
      },
    },
    {
      method: 'POST',
      pattern: `${repo}/issues/:number/comments`,
      handler: (context) => {
        const [, pull] = pullRequest(context);
        const body = text(context.body['body']);
        if (!body)
          throw invalid('Validation Failed', [
            { resource: 'IssueComment', field: 'body', code: 'missing_field' },
          ]);
        const comment = { id: pull.comments.length + 1, body, createdAt: new Date().toISOString() };
        pull.comments.push(comment);
        return { status: 201, body: { id: comment.id, body, created_at: comment.createdAt } };
      },
    },
    {
      method: 'POST',
      pattern: `${repo}/issues/:number/labels`,
      handler: (context) => {
        const [, pull] = pullRequest(context);
        const labels = context.body['labels'];
        if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string'))
          throw invalid('Invalid request');
        for (const label of labels as string[]) if (!pull.labels.includes(label)) pull.labels.push(label);
        return { body: pull.labels.map((name, index) => ({ id: index + 1, name })) };
      },
    },
    {
      method: 'POST',
      pattern: `${repo}/statuses/:sha`,
      handler: (context) => {
        const p = repository(context);
        const state = text(context.body['state']);
        if (state === undefined || !STATUS_STATES.has(state)) {
          throw invalid('Validation Failed', [{ resource: 'Status', field: 'state', code: 'invalid' }]);
        }
        const status = projects.addStatus(p, context.params['sha'] ?? '', {
          name: text(context.body['context']) ?? 'default',
          state,
          description: text(context.body['description']) ?? null,
          targetUrl: text(context.body['target_url']) ?? null,
        });
        return {
          status: 201,
          body: {
            id: status.id,
            state,
            context: status.name,
            description: status.description,
            target_url: status.targetUrl,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: `${repo}/commits/:ref/status`,
      handler: (context) => {
        const p = repository(context);
        const sha = context.params['ref'] ?? '';
        const statuses = p.latestStatuses(sha);
        const combined = p.checksState(sha);
        return {
          body: {
            state: combined === 'failed' ? 'failure' : combined === 'none' ? 'pending' : combined,
            sha,
            total_count: statuses.length,
            statuses: statuses.map((s) => ({
              id: s.id,
              context: s.name,
              state: s.state,
              description: s.description,
              target_url: s.targetUrl,
            })),
          },
        };
      },
    },
  ];
}
