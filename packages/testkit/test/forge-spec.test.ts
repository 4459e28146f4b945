import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildGitLabExtract,
  type GitLabOpenApiExcerpt,
  type GitLabRestDocs,
} from '../scripts/gitlab-extract.js';
import gitlabExcerpt from '../src/forge/specs/gitlab-openapi-v2-excerpt.json' with { type: 'json' };
import gitlabRestDocs from '../src/forge/specs/gitlab-rest-docs.json' with { type: 'json' };
import gitlabExtract from '../src/forge/specs/gitlab-rest-extract.json' with { type: 'json' };
import { ForgeSpecValidator, GitHubEmulator, GitLabEmulator, GitServer } from '../src/index.js';

let git: GitServer;
let gitlab: GitLabEmulator;
let github: GitHubEmulator;
let head = '';

beforeAll(async () => {
  git = await GitServer.start();
  const created = await git.createRepo('deploy', { 'values.yaml': 'tag: v1\n' });
  head = await git.commit('deploy', 'release/v2', { 'values.yaml': 'tag: v2\n' }, { from: created.head });
  gitlab = await GitLabEmulator.start({ git });
  github = await GitHubEmulator.start({ git });
  gitlab.addProject('team/deploy', 'deploy');
  github.addRepository('acme/deploy', 'deploy');
});
afterAll(async () => {
  await gitlab.stop();
  await github.stop();
  await git.stop();
});

/** A route pattern as a request path (`:name` → a sample segment), as the emulator would see it. */
function samplePath(pattern: string): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => `sample-${name}`);
}

/** The routes an emulator serves that no operation of the spec extract describes. */
function uncovered(
  validator: ForgeSpecValidator,
  routes: ReadonlyArray<{ method: string; pattern: string }>,
) {
  return routes
    .filter((route) => {
      const operation = validator.match(route.method, samplePath(route.pattern));
      // The operation must have the same shape: `{param}` where the route has `:param`, literals alike.
      const expected = route.pattern.split('/').map((segment) => (segment.startsWith(':') ? '{}' : segment));
      const actual = operation?.path.split('/').map((segment) => (segment.startsWith('{') ? '{}' : segment));
      return JSON.stringify(actual) !== JSON.stringify(expected);
    })
    .map((route) => `${route.method} ${route.pattern}`);
}

async function call(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

describe('forge spec extracts', () => {
  it('every route the emulators serve is an operation of their spec extract', () => {
    expect(uncovered(new ForgeSpecValidator('gitlab'), gitlab.routes)).toEqual([]);
    expect(uncovered(new ForgeSpecValidator('github'), github.routes)).toEqual([]);
    expect(gitlab.routes.length).toBeGreaterThan(10);
    // The check fails for a route outside the extract, or one whose parameters sit elsewhere.
    expect(
      uncovered(new ForgeSpecValidator('github'), [
        { method: 'DELETE', pattern: '/repos/:owner/:repo/pulls/:number' },
        { method: 'GET', pattern: '/repos/:owner/:repo/pulls/merge' },
      ]),
    ).toEqual(['DELETE /repos/:owner/:repo/pulls/:number', 'GET /repos/:owner/:repo/pulls/merge']);
  });

  it("the GitLab extract is GitLab's OpenAPI excerpt with the REST docs laid over it, and says which is which", () => {
    const excerpt = gitlabExcerpt as unknown as GitLabOpenApiExcerpt;
    const docs = gitlabRestDocs as unknown as GitLabRestDocs;
    // The committed extract is exactly what the script builds from the two committed inputs.
    expect(buildGitLabExtract(excerpt, docs)).toEqual(gitlabExtract);
    const handWritten: string[] = [];
    for (const operation of new ForgeSpecValidator('gitlab').operations) {
      const name = `${operation.method} ${operation.path}`;
      if (operation.coverage === 'rest-docs') {
        handWritten.push(name);
        expect(operation.source, name).toMatch(/^doc\/api\/[\w_]+\.md /);
        continue;
      }
      expect(operation.source, name).toBe(`openapi_v2.yaml@${excerpt.source.commit}`);
      expect(operation.restDoc, name).toMatch(/^doc\/api\/[\w_]+\.md /);
      const upstream = excerpt.paths[operation.path]?.[operation.method.toLowerCase()];
      expect(typeof upstream === 'object' ? upstream.operationId : undefined, name).toBe(
        operation.operationId,
      );
    }
    // Only the notes endpoints are missing from openapi_v2.yaml at the pinned commit.
    expect(handWritten).toEqual([
      'POST /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes',
      'GET /api/v4/projects/{id}/merge_requests/{merge_request_iid}/notes',
    ]);
  });

  it('the GitLab build refuses an operation that is neither excerpted nor written by hand', () => {
    const excerpt = structuredClone(gitlabExcerpt) as unknown as GitLabOpenApiExcerpt;
    delete excerpt.paths['/api/v4/projects/{id}/pipelines'];
    expect(() => buildGitLabExtract(excerpt, gitlabRestDocs as unknown as GitLabRestDocs)).toThrow(
      'GET /api/v4/projects/{id}/pipelines is neither in the excerpt nor written by hand',
    );
  });

  it('GitLab answers a merge request that cannot be merged now with 405, a conflict included (not 406)', async () => {
    const created = await git.createRepo('conflicting', { 'values.yaml': 'tag: v1\n' });
    await git.commit('conflicting', 'feature', { 'values.yaml': 'tag: v2\n' }, { from: created.head });
    await git.commit('conflicting', 'main', { 'values.yaml': 'tag: v3\n' });
    gitlab.addProject('team/conflicting', 'conflicting');
    const api = `${gitlab.url}/api/v4`;
    const opened = await call(api, gitlab.token, 'POST', '/projects/team%2Fconflicting/merge_requests', {
      source_branch: 'feature',
      target_branch: 'main',
      title: 'conflicts',
    });
    expect(opened.json['detailed_merge_status']).toBe('conflict');
    const merge = await call(
      api,
      gitlab.token,
      'PUT',
      `/projects/team%2Fconflicting/merge_requests/${opened.json['iid']}/merge`,
      {},
    );
    expect(merge).toEqual({ status: 405, json: { message: '405 Method Not Allowed' } });
    expect(gitlab.changeRequest('team/conflicting', Number(opened.json['iid'])).state).toBe('open');
  });

  it('a response that does not match the schema fails the request (throw mode) and is recorded', async () => {
    const opened = await call(github.url, github.token, 'POST', '/repos/acme/deploy/pulls', {
      title: 'v2',
      head: 'release/v2',
      base: 'main',
    });
    expect(opened.status).toBe(201);
    const before = github.specViolations.length;
    github.rewriteReplies((reply) => {
      const { number: _dropped, ...rest } = reply.body as Record<string, unknown>;
      return { ...reply, body: { ...rest, invented: true } };
    });
    try {
      const broken = await call(
        github.url,
        github.token,
        'GET',
        `/repos/acme/deploy/pulls/${opened.json['number']}`,
      );
      expect(broken.status).toBe(500);
      expect(String(broken.json['message'])).toContain('emulator spec violation');
      const violation = github.specViolations[before];
      expect(violation?.side).toBe('response');
      expect(violation?.operationId).toBe('pulls/get');
      expect(violation?.issues.map((issue) => `${issue.kind} ${issue.field}`).sort()).toEqual([
        'missing /number',
        'unknown /invented',
      ]);
    } finally {
      github.rewriteReplies(undefined);
    }
    expect(
      (await call(github.url, github.token, 'GET', `/repos/acme/deploy/pulls/${opened.json['number']}`))
        .status,
    ).toBe(200);
    await call(github.url, github.token, 'PATCH', `/repos/acme/deploy/pulls/${opened.json['number']}`, {
      state: 'closed',
    });
  });

  it('record mode answers as usual and only records', async () => {
    const recording = await GitLabEmulator.start({ git, specViolations: 'record' });
    try {
      recording.addProject('team/deploy', 'deploy');
      recording.rewriteReplies((reply) => ({ ...reply, body: [{ id: 'not a number' }] }));
      const answer = await call(
        `${recording.url}/api/v4`,
        recording.token,
        'GET',
        '/projects/team%2Fdeploy/pipelines',
      );
      expect(answer.status).toBe(200);
      expect(recording.specViolations).toHaveLength(1);
      expect(recording.specViolations[0]?.issues.some((issue) => issue.field === '/0/id')).toBe(true);
    } finally {
      await recording.stop();
    }
  });

  it('GitHub refuses a body its schema refuses with 422 "Invalid request." (unknown merge_method, wrong type)', async () => {
    const opened = await call(github.url, github.token, 'POST', '/repos/acme/deploy/pulls', {
      title: 'v2 again',
      head: 'release/v2',
      base: 'main',
    });
    const number = opened.json['number'];
    const squish = await call(github.url, github.token, 'PUT', `/repos/acme/deploy/pulls/${number}/merge`, {
      merge_method: 'squish',
    });
    expect(squish.status).toBe(422);
    expect(squish.json['message']).toBe(
      `Invalid request.\n\nFor 'properties/merge_method', "squish" is not a member of ["merge","squash","rebase"].`,
    );
    const nullBody = await call(
      github.url,
      github.token,
      'POST',
      `/repos/acme/deploy/issues/${number}/comments`,
      {
        body: null,
      },
    );
    expect(nullBody.status).toBe(422);
    expect(nullBody.json['message']).toBe(`Invalid request.\n\nFor 'properties/body', nil is not a string.`);
    const noHead = await call(github.url, github.token, 'POST', '/repos/acme/deploy/pulls', {
      title: 'x',
      base: 'main',
    });
    expect(noHead.json['message']).toBe(`Invalid request.\n\n"head" wasn't supplied.`);
    expect(github.changeRequest('acme/deploy', Number(number)).state).toBe('open');
    github.close('acme/deploy', Number(number));
  });

  it("GitLab refuses parameters Grape's declarations refuse with 400 {error}", async () => {
    const api = `${gitlab.url}/api/v4`;
    const missing = await call(api, gitlab.token, 'POST', '/projects/team%2Fdeploy/merge_requests', {
      source_branch: 'release/v2',
    });
    // Grape names the missing parameters in the order they are declared: title, source_branch, target_branch.
    expect(missing).toEqual({ status: 400, json: { error: 'title is missing, target_branch is missing' } });
    const opened = await call(api, gitlab.token, 'POST', '/projects/team%2Fdeploy/merge_requests', {
      source_branch: 'release/v2',
      target_branch: 'main',
      title: 'v2',
      labels: ['release', 'prod'],
    });
    expect(opened.status).toBe(201);
    expect(opened.json['labels']).toEqual(['release', 'prod']);
    const iid = opened.json['iid'];
    const badEvent = await call(api, gitlab.token, 'PUT', `/projects/team%2Fdeploy/merge_requests/${iid}`, {
      state_event: 'delete',
    });
    expect(badEvent).toEqual({ status: 400, json: { error: 'state_event does not have a valid value' } });
    const badType = await call(
      api,
      gitlab.token,
      'PUT',
      `/projects/team%2Fdeploy/merge_requests/${iid}/merge`,
      {
        squash: 'maybe',
      },
    );
    expect(badType).toEqual({ status: 400, json: { error: 'squash is invalid' } });
    // Grape coerces what it can: the text "true" is a Boolean to GitLab.
    const coerced = await call(api, gitlab.token, 'PUT', `/projects/team%2Fdeploy/merge_requests/${iid}`, {
      title: 'v2 (coerced)',
      squash: 'true',
    });
    expect(coerced.status).toBe(200);
    const badState = await call(api, gitlab.token, 'POST', `/projects/team%2Fdeploy/statuses/${head}`, {
      state: 'done',
    });
    expect(badState).toEqual({ status: 400, json: { error: 'state does not have a valid value' } });
    const badQuery = await call(
      api,
      gitlab.token,
      'GET',
      '/projects/team%2Fdeploy/merge_requests?state=open',
    );
    expect(badQuery).toEqual({ status: 400, json: { error: 'state does not have a valid value' } });
    await call(api, gitlab.token, 'PUT', `/projects/team%2Fdeploy/merge_requests/${iid}`, {
      state_event: 'close',
    });
  });

  it('GitLab: a null is Grape\'s nil (not "" or false); a blank or over-long title is the model\'s 400', async () => {
    const api = `${gitlab.url}/api/v4`;
    const create = (title: unknown) =>
      call(api, gitlab.token, 'POST', '/projects/team%2Fdeploy/merge_requests', {
        source_branch: 'release/v2',
        target_branch: 'main',
        title,
      });
    const blank = { status: 400, json: { message: { title: ["can't be blank"] } } };
    expect(await create(null)).toEqual(blank);
    expect(await create('  ')).toEqual(blank);
    expect(await create('é'.repeat(256))).toEqual({
      status: 400,
      json: { message: { title: ['is too long (maximum is 255 characters)'] } },
    });
    const opened = await create('v2 (nulls)');
    expect(opened.status).toBe(201);
    const path = `/projects/team%2Fdeploy/merge_requests/${opened.json['iid']}`;
    // An optional parameter sent as null is no change to Grape, not an invalid value.
    const unchanged = await call(api, gitlab.token, 'PUT', path, { state_event: null, description: 'd' });
    expect(unchanged.status).toBe(200);
    expect(unchanged.json).toMatchObject({ state: 'opened', title: 'v2 (nulls)', description: 'd' });
    expect(await call(api, gitlab.token, 'PUT', path, { title: null })).toEqual(blank);
    // The model's 400 is GitLab's answer on every operation, whatever error body the operation documents.
    expect(await call(api, gitlab.token, 'POST', `${path}/notes`, { body: ' ' })).toEqual({
      status: 400,
      json: { message: { body: ["can't be blank"] } },
    });
    await call(api, gitlab.token, 'PUT', path, { state_event: 'close' });
  });

  it("the author's own approval is refused as the forges refuse it (GitLab 401 by default, GitHub 422)", async () => {
    const violations = [gitlab.specViolations.length, github.specViolations.length];
    await git.commit('deploy', 'release/own', { 'values.yaml': 'tag: own\n' }, { from: head });
    const api = `${gitlab.url}/api/v4`;
    gitlab.addProject('team/own', 'deploy', { approvalsRequired: 1 });
    const own = await call(api, gitlab.token, 'POST', '/projects/team%2Fown/merge_requests', {
      source_branch: 'release/own',
      target_branch: 'main',
      title: 'own',
    });
    const approve = (iid: unknown) =>
      call(api, gitlab.token, 'POST', `/projects/team%2Fown/merge_requests/${iid}/approve`, {});
    expect(await approve(own.json['iid'])).toEqual({ status: 401, json: { message: '401 Unauthorized' } });
    expect(gitlab.changeRequest('team/own', Number(own.json['iid'])).approvals.size).toBe(0);
    gitlab.close('team/own', Number(own.json['iid']));
    const theirs = await gitlab.openMergeRequest('team/own', {
      sourceBranch: 'release/own',
      targetBranch: 'main',
      title: 'theirs',
    });
    expect((await approve(theirs)).status).toBe(201);
    gitlab.close('team/own', theirs);

    github.addRepository('acme/own', 'deploy', { approvalsRequired: 1 });
    const pull = await call(github.url, github.token, 'POST', '/repos/acme/own/pulls', {
      head: 'release/own',
      base: 'main',
      title: 'own',
    });
    const review = (number: unknown) =>
      call(github.url, github.token, 'POST', `/repos/acme/own/pulls/${number}/reviews`, { event: 'APPROVE' });
    expect(await review(pull.json['number'])).toMatchObject({
      status: 422,
      json: { errors: ['Can not approve your own pull request'] },
    });
    expect(github.changeRequest('acme/own', Number(pull.json['number'])).approvals.size).toBe(0);
    github.close('acme/own', Number(pull.json['number']));
    const other = await github.openPullRequest('acme/own', {
      sourceBranch: 'release/own',
      targetBranch: 'main',
      title: 'theirs',
    });
    expect((await review(other)).status).toBe(200);
    expect([gitlab.specViolations.length, github.specViolations.length]).toEqual(violations);
  });

  it("GitLab reads Grape's Boolean texts (yes, t, on, 1, …) in the body and the query as GitLab does", async () => {
    const api = `${gitlab.url}/api/v4`;
    const opened = await call(api, gitlab.token, 'POST', '/projects/team%2Fdeploy/merge_requests', {
      source_branch: 'release/v2',
      target_branch: 'main',
      title: 'v2 (booleans)',
    });
    expect(opened.status).toBe(201);
    const path = `/projects/team%2Fdeploy/merge_requests/${opened.json['iid']}`;
    for (const text of ['yes', 'T', 'on', 'N', 'off', '0']) {
      expect(
        (await call(api, gitlab.token, 'PUT', path, { title: 'v2 (booleans)', squash: text })).status,
      ).toBe(200);
    }
    expect(await call(api, gitlab.token, 'PUT', path, { squash: 'maybe' })).toEqual({
      status: 400,
      json: { error: 'squash is invalid' },
    });
    const asked = await call(api, gitlab.token, 'GET', `${path}?include_rebase_in_progress=yes`);
    expect(asked.status).toBe(200);
    expect(asked.json).toHaveProperty('rebase_in_progress', false);
    const notAsked = await call(api, gitlab.token, 'GET', `${path}?include_rebase_in_progress=no`);
    expect(notAsked.json).not.toHaveProperty('rebase_in_progress');
    await call(api, gitlab.token, 'PUT', path, { state_event: 'close' });
  });

  it('a repeated query parameter is read as the forges (Rack) read it: the last value wins', async () => {
    const api = `${gitlab.url}/api/v4`;
    const lastValid = await call(
      api,
      gitlab.token,
      'GET',
      '/projects/team%2Fdeploy/merge_requests?state=bogus&state=closed',
    );
    expect(lastValid.status).toBe(200);
    const states = (lastValid.json as unknown as Array<{ state: string }>).map((mr) => mr.state);
    expect(states.length).toBeGreaterThan(0);
    expect(new Set(states)).toEqual(new Set(['closed']));
    const lastInvalid = await call(
      api,
      gitlab.token,
      'GET',
      '/projects/team%2Fdeploy/merge_requests?state=opened&state=bogus',
    );
    expect(lastInvalid).toEqual({ status: 400, json: { error: 'state does not have a valid value' } });
    const pulls = await call(
      github.url,
      github.token,
      'GET',
      '/repos/acme/deploy/pulls?state=bogus&state=all',
    );
    expect(pulls.status).toBe(200);
  });

  it('a body that is not JSON is GitHub\'s 400 "Problems parsing JSON"', async () => {
    const response = await fetch(`${github.url}/repos/acme/deploy/pulls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${github.token}`, 'content-type': 'application/json' },
      body: '{"title": ',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: 'Problems parsing JSON' });
  });

  it('a query parameter the spec does not define is a client bug: reported, not silently served', async () => {
    const before = gitlab.specViolations.length;
    const answer = await call(
      `${gitlab.url}/api/v4`,
      gitlab.token,
      'GET',
      '/projects/team%2Fdeploy/pipelines?commit=abc',
    );
    expect(answer.status).toBe(500);
    expect(gitlab.specViolations[before]?.issues).toEqual([
      { location: 'query', field: 'commit', kind: 'unknown', message: 'commit is not in the spec' },
    ]);
  });
});
