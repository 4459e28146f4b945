import {
  DuplicateChangeRequestError,
  type ForgeProject,
  type ForgeProjects,
  type StoredChangeRequest,
} from './change-request-store.js';
import {
  type ForgeDialect,
  ForgeHttpError,
  type ForgeRequestContext,
  type ForgeRoute,
  paginate,
} from './forge-http.js';
import type { ForgeSpecIssue } from './forge-spec-validator.js';
import { ForgeMergeConflictError, ForgeMergeRaceError } from './git-merge.js';
import {
  GITLAB_TOKEN_USER,
  gitLabCommitStatus,
  gitLabMergeRequest,
  gitLabPipeline,
  gitLabUser,
} from './gitlab-shapes.js';

/**
 * Grape's (GitLab's API framework) answer to parameters its declarations refuse: 400 `{"error": "…"}` with one
 * phrase per parameter, joined by ", " — `title is missing`, `state_event does not have a valid value`,
 * `squash is invalid` (a value that does not coerce to the declared type).
 */
function gitLabRejection(issues: readonly ForgeSpecIssue[]): ForgeHttpError {
  const phrases = issues.map((issue) => {
    const name = issue.field
      .replace(/^\//, '')
      .replaceAll('/', '[')
      .replace(/\[([^[]+)/g, '[$1]');
    if (issue.kind === 'missing') return `${name} is missing`;
    return issue.expected !== undefined && 'oneOf' in issue.expected
      ? `${name} does not have a valid value`
      : `${name} is invalid`;
  });
  return new ForgeHttpError(400, { error: [...new Set(phrases)].join(', ') });
}

/** How GitLab words errors, rate limits and refused requests. */
export const gitLabDialect: ForgeDialect = {
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
  rejectRequest: gitLabRejection,
  // GitLab words its generic 400 answers `400 Bad request` (lib/api/helpers.rb `bad_request!`).
  malformedJsonMessage: '400 Bad request',
};

function notFound(what = '404 Not found'): ForgeHttpError {
  return new ForgeHttpError(404, { message: what });
}

/** The routes of the GitLab emulator (paths as in GitLab's REST documentation). */
export function gitLabRoutes(projects: ForgeProjects): ForgeRoute[] {
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
  // The single-MR entity; `rebase_in_progress` only when asked for, as GitLab does.
  const full = (p: ForgeProject, request: StoredChangeRequest, context: ForgeRequestContext) =>
    gitLabMergeRequest(p, request, base(context), {
      full: true,
      ...(context.url.searchParams.get('include_rebase_in_progress') === 'true'
        ? { rebaseInProgress: false }
        : {}),
    });
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const api = '/api/v4/projects/:id';
  return [
    {
      method: 'POST',
      pattern: `${api}/merge_requests`,
      handler: async (context) => {
        const p = project(context);
        const body = context.body;
        // The spec check refused a request without source_branch, target_branch or title (400 "… is missing").
        const source = text(body['source_branch']) ?? '';
        const target = text(body['target_branch']) ?? '';
        const rawTitle = text(body['title']) ?? '';
        refuseInvalidTitle(rawTitle);
        if (source === '' || (await p.merger.head(source)) === undefined) {
          throw new ForgeHttpError(422, { message: ['Source branch does not exist'] });
        }
        if (target === '' || (await p.merger.head(target)) === undefined) {
          throw new ForgeHttpError(422, { message: ['Target branch does not exist'] });
        }
        const draftPrefix = /^\s*(draft:|\[draft\]|\(draft\))\s*/i;
        const title = rawTitle;
        const labels = labelList(body['labels']);
        const request = await projects
          .open(p, {
            title: title.replace(draftPrefix, ''),
            description: text(body['description']) ?? '',
            sourceBranch: source,
            targetBranch: target,
            draft: draftPrefix.test(title) || body['draft'] === true,
            labels,
            author: GITLAB_TOKEN_USER.username,
          })
          .catch((error: unknown) => {
            if (!(error instanceof DuplicateChangeRequestError)) throw error;
            throw new ForgeHttpError(409, {
              message: [
                `Another open merge request already exists for this source branch: !${error.existing.number}`,
              ],
            });
          });
        return { status: 201, body: await full(p, request, context) };
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
          // Lists carry `MergeRequestBasic`: no head_pipeline, no merge_error.
          body: await Promise.all(
            page.items.map((r) => gitLabMergeRequest(p, r, base(context), { full: false })),
          ),
          headers: page.headers,
        };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/merge_requests/:iid`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        return { body: await full(p, request, context) };
      },
    },
    {
      method: 'PUT',
      pattern: `${api}/merge_requests/:iid`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        if ('title' in context.body) refuseInvalidTitle(text(context.body['title']) ?? '');
        const event = text(context.body['state_event']);
        p.update(request, {
          state: event === 'close' ? 'closed' : event === 'reopen' ? 'open' : undefined,
          title: text(context.body['title']),
          description: text(context.body['description']),
        });
        return { body: await full(p, request, context) };
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
          return { body: await full(p, request, context) };
        }
        // A merge request that is not mergeable now, a conflict included, is 405 (`not_allowed!`); a merge that
        // fails once started is 422 "Branch cannot be merged" (lib/api/merge_requests.rb `execute_merge`,
        // `execute_immediate_merge!`; openapi_v2.yaml lists 405, 409 and 422 — older GitLab answered 406).
        if (blocker !== undefined) throw new ForgeHttpError(405, { message: '405 Method Not Allowed' });
        try {
          await p.land(request, method, message);
        } catch (error) {
          if (error instanceof ForgeMergeConflictError)
            throw new ForgeHttpError(422, { message: 'Branch cannot be merged' });
          if (error instanceof ForgeMergeRaceError)
            throw new ForgeHttpError(409, { message: 'The target branch moved; try again' });
          throw error;
        }
        return { body: await full(p, request, context) };
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
        // GitLab rebases in the background and answers 202 at once; this one is done already, which the
        // client sees on its next look (`include_rebase_in_progress`).
        return { status: 202, body: { rebase_in_progress: true } };
      },
    },
    {
      method: 'POST',
      pattern: `${api}/merge_requests/:iid/approve`,
      handler: async (context) => {
        const [p, request] = mergeRequest(context);
        await p.refresh(request);
        // `sha` pins the approval to the head the approver saw (doc/api/merge_request_approvals.md): 409 otherwise.
        // The author may not approve unless the project allows it (merge_request_approvals.md, "Prevent approval
        // by author"): `can_be_approved_by?` fails and the endpoint answers 401.
        if (request.author === GITLAB_TOKEN_USER.username && !p.rules.authorCanApprove) {
          throw new ForgeHttpError(401, { message: '401 Unauthorized' });
        }
        const sha = text(context.body['sha']);
        if (sha !== undefined && sha !== request.headSha) {
          throw new ForgeHttpError(409, { message: 'SHA does not match HEAD of source branch' });
        }
        request.approvals.add(GITLAB_TOKEN_USER.username);
        await p.runAutoMerges();
        const required = p.rules.approvalsRequired;
        return {
          status: 201,
          body: {
            id: request.id,
            iid: request.number,
            project_id: p.id,
            title: request.title,
            description: request.description,
            state: request.state === 'open' ? 'opened' : request.state,
            created_at: request.createdAt,
            updated_at: request.updatedAt,
            merge_status: 'can_be_merged',
            approved: request.approvals.size >= required,
            approvals_required: required,
            approvals_left: Math.max(0, required - request.approvals.size),
            approved_by: [...request.approvals].map(() => ({ user: gitLabUser(base(context)) })),
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: `${api}/merge_requests/:iid/notes`,
      handler: (context) => {
        const [, request] = mergeRequest(context);
        const body = text(context.body['body']) as string;
        if (body.trim() === '') throw new ForgeHttpError(400, { message: { body: ["can't be blank"] } });
        const note = { id: request.comments.length + 1, body, createdAt: new Date().toISOString() };
        request.comments.push(note);
        return { status: 201, body: noteOf(request, note, base(context)) };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/merge_requests/:iid/notes`,
      handler: (context) => {
        const [, request] = mergeRequest(context);
        const page = paginate(
          request.comments.map((n) => noteOf(request, n, base(context))),
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
        // GitLab looks the commit up first (`user_project.commit(sha)`): 404 for one the repository lacks; an
        // abbreviated id or a branch name stands for the commit's full id.
        const sha = await p.merger.commit(context.params['sha'] ?? '');
        if (sha === undefined) throw notFound('404 Commit Not Found');
        const pipelineId = context.body['pipeline_id'];
        if (typeof pipelineId === 'number' && !p.checks.pipelines.some((pl) => pl.id === pipelineId)) {
          throw notFound('404 Pipeline Not Found');
        }
        // The spec check refused a missing or unknown `state` (400 "state does not have a valid value").
        const status = p.checks.addStatus(sha, {
          name: text(context.body['name']) ?? text(context.body['context']) ?? 'default',
          state: text(context.body['state']) as string,
          description: text(context.body['description']) ?? null,
          targetUrl: text(context.body['target_url']) ?? null,
          ref: text(context.body['ref']) ?? null,
          ...(typeof pipelineId === 'number' ? { pipelineId } : {}),
        });
        await p.runAutoMerges();
        return { status: 201, body: gitLabCommitStatus(base(context), sha, status) };
      },
    },
    {
      method: 'GET',
      pattern: `${api}/repository/commits/:sha/statuses`,
      handler: (context) => {
        const p = project(context);
        const sha = context.params['sha'] ?? '';
        const query = context.url.searchParams;
        // Newest first; `all` lists every status ever set, else the latest per name.
        const statuses = (
          query.get('all') === 'true' ? [...(p.checks.statuses.get(sha) ?? [])] : p.checks.latestStatuses(sha)
        )
          .filter((s) => !query.get('name') || s.name === query.get('name'))
          .filter((s) => !query.get('ref') || s.ref === query.get('ref'))
          .reverse();
        const page = paginate(
          statuses.map((s) => gitLabCommitStatus(base(context), sha, s)),
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
        const query = context.url.searchParams;
        // Ordered by id, newest first (GitLab's default `order_by=id`, `sort=desc`).
        const pipelines = [...p.checks.pipelines]
          .filter((pl) => !query.get('sha') || pl.sha === query.get('sha'))
          .filter((pl) => !query.get('ref') || pl.ref === query.get('ref'))
          .filter((pl) => !query.get('status') || p.checks.pipelineStatus(pl) === query.get('status'))
          .reverse();
        if (query.get('sort') === 'asc') pipelines.reverse();
        const page = paginate(
          pipelines.map((pl) => gitLabPipeline(base(context), p, pl)),
          context.url,
        );
        return { body: page.items, headers: page.headers };
      },
    },
  ];
}

/**
 * GitLab's model validation of a title (`Issuable`: present, at most 255 characters), which Grape's parameter check
 * lets through (a null or blank title is a String to Grape): 400 with the model's errors.
 */
function refuseInvalidTitle(title: string): void {
  if (title.trim() === '') throw new ForgeHttpError(400, { message: { title: ["can't be blank"] } });
  if ([...title].length > 255) {
    throw new ForgeHttpError(400, { message: { title: ['is too long (maximum is 255 characters)'] } });
  }
}

/** GitLab's `labels` parameter: an array, or a comma-separated string (Grape's `Array[String]` coercion). */
function labelList(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return items.map((label) => label.trim()).filter((label) => label !== '');
}

function noteOf(
  request: StoredChangeRequest,
  note: { id: number; body: string; createdAt: string },
  base: string,
) {
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: gitLabUser(base),
    created_at: note.createdAt,
    updated_at: note.createdAt,
    system: false,
    noteable_id: request.id,
    noteable_type: 'MergeRequest',
    noteable_iid: request.number,
    resolvable: false,
    confidential: false,
    internal: false,
  };
}
