import {
  DuplicateChangeRequestError,
  type ForgeProject,
  type ForgeProjects,
  type StoredChangeRequest,
} from './change-request-store.js';
import { ForgeHttpError, type ForgeRequestContext, type ForgeRoute, paginate } from './forge-http.js';
import { ForgeMergeConflictError, type ForgeMergeMethod, ForgeMergeRaceError } from './git-merge.js';
import { DOCUMENTATION_URL, gitHubDialect } from './github-dialect.js';
import {
  gitHubCheckRun,
  gitHubLabel,
  gitHubMinimalRepository,
  gitHubPullRequest,
  gitHubPullRequestSimple,
  gitHubSimpleStatus,
  gitHubStatus,
  gitHubUser,
  TOKEN_USER,
} from './github-shapes.js';

/** GitHub's page size when `per_page` is absent (the `per_page` default in its OpenAPI description). */
const GITHUB_PER_PAGE = 30;

async function mergeState(project: ForgeProject, pull: StoredChangeRequest) {
  await project.refresh(pull);
  const blocker = pull.state === 'open' ? await project.blocker(pull) : undefined;
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
  return { mergeable: pull.state !== 'open' ? null : blocker !== 'conflict', mergeableState };
}

async function toGitHub(project: ForgeProject, pull: StoredChangeRequest, base: string) {
  const { mergeable, mergeableState } = await mergeState(project, pull);
  return gitHubPullRequest(base, project, pull, mergeable, mergeableState);
}

/** The routes of the GitHub emulator (paths as in GitHub's OpenAPI description, `:name` for `{name}`). */
export function gitHubRoutes(projects: ForgeProjects): ForgeRoute[] {
  const notFound = () => new ForgeHttpError(404, gitHubDialect.errorBody(404, 'Not Found'));
  const repository = (context: ForgeRequestContext): ForgeProject => {
    const found = projects.find(`${context.params['owner']}/${context.params['repo']}`);
    if (found === undefined) throw notFound();
    return found;
  };
  const pullRequest = (context: ForgeRequestContext): [ForgeProject, StoredChangeRequest] => {
    const p = repository(context);
    const pull = p.find(Number(context.params['number']));
    if (pull === undefined) throw notFound();
    return [p, pull];
  };
  const base = (context: ForgeRequestContext) => `${context.url.protocol}//${context.url.host}`;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const invalid = (message: string, errors: unknown[] = []) =>
    new ForgeHttpError(422, { message, errors, documentation_url: DOCUMENTATION_URL, status: '422' });
  const repo = '/repos/:owner/:repo';
  return [
    {
      method: 'POST',
      pattern: `${repo}/pulls`,
      handler: async (context) => {
        const p = repository(context);
        const head = text(context.body['head'])?.replace(/^[^:]+:/, '') as string;
        const baseBranch = text(context.body['base']) as string;
        const title = text(context.body['title']);
        if (!title)
          throw invalid('Validation Failed', [
            { resource: 'PullRequest', code: 'missing_field', field: 'title' },
          ]);
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
            author: TOKEN_USER,
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
        const page = paginate(matching, context.url, GITHUB_PER_PAGE);
        // Lists carry `pull-request-simple`: no mergeability (GitHub computes it only for a single pull request).
        for (const pull of page.items) await p.refresh(pull);
        return {
          body: page.items.map((r) => gitHubPullRequestSimple(base(context), p, r)),
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
        p.update(pull, {
          state: state === 'closed' || state === 'open' ? state : undefined,
          title: text(context.body['title']),
          description: text(context.body['body']),
        });
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
        // The spec check has refused any other merge_method (422) before this runs.
        const method = (text(context.body['merge_method']) ?? 'merge') as ForgeMergeMethod;
        if ((await p.blocker(pull)) !== undefined) throw notMergeable();
        const title =
          text(context.body['commit_title']) ??
          `Merge pull request #${pull.number} from ${pull.sourceBranch}`;
        const detail = text(context.body['commit_message']);
        try {
          await p.land(pull, method, detail === undefined ? title : `${title}\n\n${detail}`);
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
      handler: async (context) => {
        const [p, pull] = pullRequest(context);
        await p.refresh(pull);
        const event = text(context.body['event']);
        const body = text(context.body['body']) ?? '';
        // REQUEST_CHANGES and COMMENT need a body (the operation's description in GitHub's OpenAPI).
        if ((event === 'REQUEST_CHANGES' || event === 'COMMENT') && body === '') {
          throw invalid('Unprocessable Entity', [`Review body is required for ${event}`]);
        }
        // GitHub never takes an approval from the pull request's author.
        if (event === 'APPROVE' && pull.author === TOKEN_USER) {
          throw invalid('Unprocessable Entity', ['Can not approve your own pull request']);
        }
        if (event === 'APPROVE') pull.approvals.add(TOKEN_USER);
        await p.runAutoMerges();
        const id = pull.id * 100 + pull.approvals.size + pull.comments.length;
        const html = `${base(context)}/${p.path}/pull/${pull.number}`;
        const state =
          event === 'APPROVE'
            ? 'APPROVED'
            : event === 'REQUEST_CHANGES'
              ? 'CHANGES_REQUESTED'
              : event === 'COMMENT'
                ? 'COMMENTED'
                : 'PENDING';
        return {
          body: {
            id,
            node_id: Buffer.from(`PullRequestReview:${id}`).toString('base64url'),
            user: gitHubUser(base(context), TOKEN_USER, 2),
            body,
            state,
            html_url: `${html}#pullrequestreview-${id}`,
            pull_request_url: `${base(context)}/repos/${p.path}/pulls/${pull.number}`,
            _links: { html: { href: `${html}#pullrequestreview-${id}` }, pull_request: { href: html } },
            submitted_at: new Date().toISOString(),
            commit_id: text(context.body['commit_id']) ?? pull.headSha,
            author_association: 'OWNER',
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: `${repo}/issues/:number/comments`,
      handler: (context) => {
        const [p, pull] = pullRequest(context);
        const body = text(context.body['body']) as string;
        const comment = { id: pull.comments.length + 1, body, createdAt: new Date().toISOString() };
        pull.comments.push(comment);
        const api = `${base(context)}/repos/${p.path}`;
        return {
          status: 201,
          body: {
            id: comment.id,
            node_id: Buffer.from(`IssueComment:${comment.id}`).toString('base64url'),
            url: `${api}/issues/comments/${comment.id}`,
            html_url: `${base(context)}/${p.path}/pull/${pull.number}#issuecomment-${comment.id}`,
            body,
            user: gitHubUser(base(context), TOKEN_USER, 2),
            created_at: comment.createdAt,
            updated_at: comment.createdAt,
            issue_url: `${api}/issues/${pull.number}`,
            author_association: 'OWNER',
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: `${repo}/issues/:number/labels`,
      handler: (context) => {
        const [p, pull] = pullRequest(context);
        const labels = context.body['labels'];
        if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string'))
          throw invalid('Invalid request');
        for (const label of labels as string[]) if (!pull.labels.includes(label)) pull.labels.push(label);
        return { body: pull.labels.map((name, index) => gitHubLabel(base(context), p, name, index)) };
      },
    },
    {
      method: 'POST',
      pattern: `${repo}/statuses/:sha`,
      handler: async (context) => {
        const p = repository(context);
        const sha = await p.merger.commit(context.params['sha'] ?? '');
        if (sha === undefined) {
          throw invalid(`No commit found for SHA: ${context.params['sha'] ?? ''}`);
        }
        const status = p.checks.addStatus(sha, {
          name: text(context.body['context']) ?? 'default',
          state: text(context.body['state']) as string,
          description: text(context.body['description']) ?? null,
          targetUrl: text(context.body['target_url']) ?? null,
        });
        await p.runAutoMerges();
        return { status: 201, body: gitHubStatus(base(context), p, status, sha) };
      },
    },
    {
      method: 'GET',
      pattern: `${repo}/commits/:ref/status`,
      handler: (context) => {
        const p = repository(context);
        const sha = context.params['ref'] ?? '';
        const statuses = p.checks.latestStatuses(sha).reverse();
        const states = statuses.map((s) => s.state);
        // The combined state covers statuses only (check runs are a separate API): failure/error win, then
        // pending (also when there is no status at all), then success.
        const combined = states.some((s) => s === 'failure' || s === 'error')
          ? 'failure'
          : states.length === 0 || states.includes('pending')
            ? 'pending'
            : 'success';
        const api = `${base(context)}/repos/${p.path}`;
        // The statuses are paged (30 a page by default); `state` and `total_count` cover all of them.
        const page = paginate(statuses, context.url, GITHUB_PER_PAGE);
        return {
          body: {
            state: combined,
            statuses: page.items.map((s) => gitHubSimpleStatus(base(context), p, s, sha)),
            sha,
            total_count: statuses.length,
            repository: gitHubMinimalRepository(base(context), p),
            commit_url: `${api}/commits/${sha}`,
            url: `${api}/commits/${sha}/status`,
          },
          headers: { link: page.headers['link'] ?? '' },
        };
      },
    },
    {
      method: 'GET',
      pattern: `${repo}/commits/:ref/check-runs`,
      handler: (context) => {
        const p = repository(context);
        const sha = context.params['ref'] ?? '';
        const query = context.url.searchParams;
        const runs = (
          query.get('filter') === 'all'
            ? [...(p.checks.checkRuns.get(sha) ?? [])]
            : p.checks.latestCheckRuns(sha)
        )
          .filter((run) => !query.get('check_name') || run.name === query.get('check_name'))
          .filter((run) => !query.get('status') || run.status === query.get('status'))
          .reverse();
        const page = paginate(runs, context.url, GITHUB_PER_PAGE);
        return {
          body: {
            total_count: runs.length,
            check_runs: page.items.map((run) => gitHubCheckRun(base(context), p, run)),
          },
          headers: { link: page.headers['link'] ?? '' },
        };
      },
    },
  ];
}
