import type { GitServer } from '../git/git-server.js';
import {
  DuplicateChangeRequestError,
  type ForgeProject,
  ForgeProjects,
  type MergeBlocker,
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
import { ForgeMergeConflictError, ForgeMergeRaceError } from './git-merge.js';

/** Options of {@link GitLabEmulator.start}. */
export interface GitLabEmulatorOptions {
  /** The repositories behind the projects. */
  git: GitServer;
  /** The token clients must send (`Authorization: Bearer` or `PRIVATE-TOKEN`). Default `glpat-emulator-token`. */
  token?: string;
}

const STATUS_STATES = new Set(['pending', 'running', 'success', 'failed', 'canceled']);

/**
 * A GitLab REST v4 subset (merge requests, notes, approvals, commit statuses, pipelines by sha) over the
 * repositories of a {@link GitServer}: a merge is a real git merge in the bare repository, so a deploy tool and
 * Argo CD's emulator see the merged commit. Shapes follow GitLab's REST documentation for merge requests
 * (`detailed_merge_status`, `merge_status`, 405/406/409 on merge, 409 on a duplicate source branch).
 *
 * @example
 * ```ts
 * const gitlab = await GitLabEmulator.start({ git });
 * gitlab.addProject('team/deploy', 'deploy', { approvalsRequired: 1 });
 * // … the code under test opens a merge request against `${gitlab.url}` …
 * await gitlab.approve('team/deploy', 1);
 * ```
 */
export class GitLabEmulator {
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

  /** Starts the emulator on a free loopback port. The API is at `${url}/api/v4`. */
  static async start(options: GitLabEmulatorOptions): Promise<GitLabEmulator> {
    const token = options.token ?? 'glpat-emulator-token';
    const projects = new ForgeProjects(options.git);
    const routes = gitLabRoutes(projects);
    const http = new ForgeHttpServer(routes, gitLabDialect, token);
    await http.listen();
    return new GitLabEmulator(http, projects, token);
  }

  /** Adds a project `path` (e.g. `team/deploy`) backed by the GitServer repository `repo`. Returns its numeric id. */
  addProject(path: string, repo: string, rules: ProjectRules = {}): number {
    return this.#projects.add(path, repo, rules).id;
  }

  /** Someone else opens a merge request (no HTTP). @returns its iid. */
  async openMergeRequest(
    project: string,
    input: {
      sourceBranch: string;
      targetBranch: string;
      title: string;
      description?: string;
      draft?: boolean;
    },
  ): Promise<number> {
    const request = await this.#projects.open(this.#projects.get(project), {
      description: '',
      draft: false,
      labels: [],
      ...input,
    });
    return request.number;
  }

  /** A user approves the merge request. */
  async approve(project: string, iid: number, user = 'reviewer'): Promise<void> {
    this.#request(project, iid).approvals.add(user);
    await this.#projects.get(project).runAutoMerges();
  }

  /** A user presses "Merge" in the UI (rules are not checked: maintainers can). @returns the commit on the target. */
  async merge(
    project: string,
    iid: number,
    method: 'merge' | 'squash' | 'fast-forward' = 'merge',
  ): Promise<string> {
    const request = this.#request(project, iid);
    await this.#projects
      .get(project)
      .land(request, method, `Merge branch '${request.sourceBranch}' into '${request.targetBranch}'`);
    return request.mergeCommitSha as string;
  }

  /** A user closes the merge request. */
  close(project: string, iid: number): void {
    const request = this.#request(project, iid);
    request.state = 'closed';
    request.closedAt = request.updatedAt = new Date().toISOString();
  }

  /** The CI reports a pipeline (and its commit status `name`) for `sha`; auto-merges waiting on it proceed. */
  async setPipeline(
    project: string,
    sha: string,
    status: 'pending' | 'running' | 'success' | 'failed' | 'canceled',
    name = 'pipeline',
  ): Promise<void> {
    const forgeProject = this.#projects.get(project);
    this.#projects.addStatus(forgeProject, sha, { name, state: status, description: null, targetUrl: null });
    await forgeProject.runAutoMerges();
  }

  /** The merge request as stored (for assertions). */
  changeRequest(project: string, iid: number): Readonly<StoredChangeRequest> {
    return this.#request(project, iid);
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

  #request(project: string, iid: number): StoredChangeRequest {
    const request = this.#projects.get(project).find(iid);
    if (request === undefined) throw new Error(`no merge request !${iid} in ${project}`);
    return request;
  }
}

const gitLabDialect = {
  errorBody: (_status: number, message: string) => ({ message }),
  rateLimited: (retryAfterSeconds: number) => ({
    status: 429,
    message: 'Retry later',
    headers: {
      'retry-after': String(retryAfterSeconds),
      'ratelimit-limit': '600',
      'ratelimit-remaining': '0',
      'ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfterSeconds),
    },
  }),
  authorized: (headers: ForgeRequestContext['headers'], token: string) =>
    headers['private-token'] === token || headers.authorization === `Bearer ${token}`,
};

function notFound(what = '404 Not found'): ForgeHttpError {
  return new ForgeHttpError(404, { message: what });
}

/** GitLab's `detailed_merge_status` for a blocker. */
function detailedStatus(blocker: MergeBlocker | undefined, request: StoredChangeRequest): string {
  if (request.state !== 'open') return 'not_open';
  switch (blocker) {
    case undefined:
      return 'mergeable';
    case 'draft':
      return 'draft_status';
    case 'conflict':
      return 'conflict';
    case 'checks-failed':
      return 'ci_must_pass';
    case 'checks-pending':
      return 'ci_still_running';
    case 'not-approved':
      return 'not_approved';
    case 'missing-branch':
      return 'broken_status';
  }
}

async function toGitLab(project: ForgeProject, request: StoredChangeRequest, baseUrl: string) {
  await project.refresh(request);
  const blocker = request.state === 'open' ? await project.blocker(request) : undefined;
  const conflict = blocker === 'conflict';
  return {
    id: request.id,
    iid: request.number,
    project_id: project.id,
    title: request.draft ? `Draft: ${request.title}` : request.title,
    description: request.description,
    state: request.state === 'open' ? 'opened' : request.state,
    draft: request.draft,
    work_in_progress: request.draft,
    source_branch: request.sourceBranch,
    target_branch: request.targetBranch,
    source_project_id: project.id,
    target_project_id: project.id,
    sha: request.headSha,
    // A fast-forward makes no merge commit; a squash is reported as the squash commit.
    merge_commit_sha: request.mergeMethod === 'merge' ? request.mergeCommitSha : null,
    squash_commit_sha: request.mergeMethod === 'squash' ? request.mergeCommitSha : null,
    merge_status:
      request.state !== 'open' ? 'can_be_merged' : conflict ? 'cannot_be_merged' : 'can_be_merged',
    detailed_merge_status: detailedStatus(blocker, request),
    has_conflicts: conflict,
    merge_when_pipeline_succeeds: request.autoMerge !== null,
    labels: request.labels,
    web_url: `${baseUrl}/${project.path}/-/merge_requests/${request.number}`,
    created_at: request.createdAt,
    updated_at: request.updatedAt,
    merged_at: request.mergedAt,
    closed_at: request.closedAt,
    rebase_in_progress: false,
    merge_error: null,
  };
}

function gitLabRoutes(projects: ForgeProjects): ForgeRoute[] {
  const project = (context: ForgeRequestContext): ForgeProject => {
    const found = projects.find(context.params['id'] ?? '');
    if (found === undefined) throw notFound('404 Project Not Found');
    return found;
  };
  const mergeRequest = (context: ForgeRequestContext): [ForgeProject, StoredChangeRequest] => {
    const p = project(context);
    const request = p.find(Number(context.params['iid']));
    if (request === undefined) throw notFound();
    return [p, request];
  };
  const base = (context: ForgeRequestContext) => `${context.url.protocol}//${context.url.host}`;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const api = '/api/v4/projects/:id';
  return [
    {
      method: 'POST',
      pattern: `${api}/merge_requests`,
      handler: async (context) => {
        const p = project(context);
        const body = context.body;
        const source = text(body['source_branch']);
        const target = text(body['target_branch']);
        const rawTitle = text(body['title']);
        const missing = [!source && 'source_branch', !target && 'target_branch', !rawTitle && 'title'].filter(
          Boolean,
        );
        if (missing.length > 0) throw new ForgeHttpError(400, { error: `${missing.join(', ')} is missing` });
        if ((await p.merger.head(source as string)) === undefined) {
          throw new ForgeHttpError(422, { message: ['Source branch does not exist'] });
        }
        if ((await p.merger.head(target as string)) === undefined) {
          throw new ForgeHttpError(422, { message: ['Target branch does not exist'] });
        }
        const draftPrefix = /^\s*(draft:|\[draft\]|\(draft\))\s*/i;
        const title = rawTitle as string;
        const labels = text(body['labels']);
        const request = await projects
          .open(p, {
            title: title.replace(draftPrefix, ''),
            description: text(body['description']) ?? '',
            sourceBranch: source as string,
            targetBranch: target as string,
            draft: draftPrefix.test(title) || body['draft'] === true,
            labels: labels === undefined || labels === '' ? [] : labels.split(',').map((l) => l.trim()),
          })
          .catch((error: unknown) => {
            if (!(error instanceof DuplicateChangeRequestError)) throw error;
            throw new ForgeHttpError(409, {
              message: [
                `Another open merge request already exists for this source branch: !${error.existing.number}`,
              ],
            });
          });
        return { status: 201, body: await toGitLab(p, request, base(context)) };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/merge_requests`,
      handler: async (context) => {
        const p = project(context);
        const query = context.url.searchParams;
        const state = query.get('state') ?? 'all';
        const wanted = state === 'opened' ? 'open' : state;
        const matching = p.changeRequests
          .filter((r) => wanted === 'all' || r.state === wanted)
          .filter((r) => !query.get('source_branch') || r.sourceBranch === query.get('source_branch'))
          .filter((r) => !query.get('target_branch') || r.targetBranch === query.get('target_branch'))
          .reverse(); // newest first, as GitLab orders by created_at desc
        const page = paginate(matching, context.url);
        return {
          body: await Promise.all(page.items.map((r) => toGitLab(p, r, base(context)))),
          headers: page.headers,
        };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/merge_requests/:iid`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        return { body: await toGitLab(p, request, base(context)) };
      },
    },
    {
      method: 'PUT',
      pattern: `${api}/merge_requests/:iid`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        const event = text(context.body['state_event']);
        if (event === 'close' && request.state === 'open') {
          request.state = 'closed';
          request.closedAt = new Date().toISOString();
        } else if (event === 'reopen' && request.state === 'closed') {
          request.state = 'open';
          request.closedAt = null;
        }
        const title = text(context.body['title']);
        if (title !== undefined) request.title = title;
        const description = text(context.body['description']);
        if (description !== undefined) request.description = description;
        request.updatedAt = new Date().toISOString();
        return { body: await toGitLab(p, request, base(context)) };
      },
    },
    {
      method: 'PUT',
      pattern: `${api}/merge_requests/:iid/merge`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        await p.refresh(request);
        if (request.state !== 'open') throw new ForgeHttpError(405, { message: '405 Method Not Allowed' });
        const sha = text(context.body['sha']);
        if (sha !== undefined && sha !== request.headSha) {
          throw new ForgeHttpError(409, { message: 'SHA does not match HEAD of source branch: ' + sha });
        }
        const squash = context.body['squash'] === true;
        const method = squash ? 'squash' : 'merge';
        const message =
          text(context.body[squash ? 'squash_commit_message' : 'merge_commit_message']) ??
          `Merge branch '${request.sourceBranch}' into '${request.targetBranch}'\n\nSee merge request ${p.path}!${request.number}`;
        const blocker = await p.blocker(request);
        const autoMerge =
          context.body['merge_when_pipeline_succeeds'] === true || context.body['auto_merge'] === true;
        if (autoMerge && (blocker === 'checks-pending' || blocker === 'not-approved')) {
          request.autoMerge = { method, message };
          return { body: await toGitLab(p, request, base(context)) };
        }
        // GitLab answers 406 for a conflict and 405 for every other reason it cannot merge now.
        if (blocker === 'conflict') throw new ForgeHttpError(406, { message: 'Branch cannot be merged' });
        if (blocker !== undefined) throw new ForgeHttpError(405, { message: '405 Method Not Allowed' });
        try {
          await p.land(request, method, message);
        } catch (error) {
          if (error instanceof ForgeMergeConflictError)
            throw new ForgeHttpError(406, { message: 'Branch cannot be merged' });
          if (error instanceof ForgeMergeRaceError)
            throw new ForgeHttpError(409, { message: 'The target branch moved; try again' });
          throw error;
        }
        return { body: await toGitLab(p, request, base(context)) };
      },
    },
    {
      method: 'PUT',
      pattern: `${api}/merge_requests/:iid/rebase`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        if (request.state !== 'open') throw new ForgeHttpError(403, { message: '403 Forbidden' });
        try {
          await p.merger.rebase(request.sourceBranch, request.targetBranch);
        } catch (error) {
          if (error instanceof ForgeMergeConflictError) {
            throw new ForgeHttpError(409, { message: 'Rebase failed: conflicts' });
          }
          throw error;
        }
        await p.refresh(request);
        return { status: 202, body: { rebase_in_progress: false } };
      },
    },
    {
      method: 'POST',
      pattern: `${api}/merge_requests/:iid/approve`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        request.approvals.add('token-user');
        await p.runAutoMerges();
        return { status: 201, body: { approved: true, approvals_required: p.rules.approvalsRequired } };
      },
    },
    {
      method: 'POST',
      pattern: `${api}/merge_requests/:iid/notes`,
      handler: (context) => {
        const [, request] = mergeRequest(context);
        const body = text(context.body['body']);
        if (!body) throw new ForgeHttpError(400, { message: { body: ["can't be blank"] } });
        const note = { id: request.comments.length + 1, body, createdAt: new Date().toISOString() };
        request.comments.push(note);
        return { status: 201, body: { id: note.id, body, created_at: note.createdAt, system: false } };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/merge_requests/:iid/notes`,
      handler: (context) => {
        const [, request] = mergeRequest(context);
        const page = paginate(
          request.comments.map((n) => ({ id: n.id, body: n.body, created_at: n.createdAt, system: false })),
          context.url,
        );
        return { body: page.items, headers: page.headers };
      },
    },
    {
      method: 'POST',
      pattern: `${api}/statuses/:sha`,
      handler: async (context) => {
        const p = project(context);
        const state = text(context.body['state']);
        if (state === undefined || !STATUS_STATES.has(state)) {
          throw new ForgeHttpError(400, { error: 'state does not have a valid value' });
        }
        const status = projects.addStatus(p, context.params['sha'] ?? '', {
          name: text(context.body['name']) ?? text(context.body['context']) ?? 'default',
          state,
          description: text(context.body['description']) ?? null,
          targetUrl: text(context.body['target_url']) ?? null,
        });
        await p.runAutoMerges();
        return {
          status: 201,
          body: {
            id: status.id,
            sha: context.params['sha'],
            name: status.name,
            status: status.state,
            description: status.description,
            target_url: status.targetUrl,
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/repository/commits/:sha/statuses`,
      handler: (context) => {
        const p = project(context);
        const statuses = [...(p.statuses.get(context.params['sha'] ?? '') ?? [])].reverse();
        const page = paginate(
          statuses.map((s) => ({
            id: s.id,
            sha: context.params['sha'],
            name: s.name,
            status: s.state,
            description: s.description,
            target_url: s.targetUrl,
            created_at: s.createdAt,
          })),
          context.url,
        );
        return { body: page.items, headers: page.headers };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/pipelines`,
      handler: (context) => {
        const p = project(context);
        const sha = context.url.searchParams.get('sha');
        const shas = sha ? [sha] : [...p.statuses.keys()];
        const pipelines = shas
          .filter((s) => p.statuses.has(s))
          .map((s) => {
            const state = p.checksState(s);
            return {
              id: p.statuses.get(s)?.[0]?.id ?? 0,
              sha: s,
              status: state === 'none' ? 'pending' : state,
              ref: null,
            };
          });
        const page = paginate(pipelines, context.url);
        return { body: page.items, headers: page.headers };
      },
    },
  ];
}
