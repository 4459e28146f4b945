import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubEmulator, GitLabEmulator, GitServer } from '../src/index.js';

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
});
afterAll(async () => {
  await gitlab.stop();
  await github.stop();
  await git.stop();
});

async function get(base: string, token: string, path: string): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return response.json();
}

async function post(
  base: string,
  token: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Record<string, unknown>;
}

describe('GitLab pipelines in the emulator', () => {
  it('an external status makes a pipeline (source external) whose status follows its jobs', async () => {
    gitlab.addProject('team/external', 'deploy');
    const api = `${gitlab.url}/api/v4`;
    const first = await post(api, gitlab.token, `/projects/team%2Fexternal/statuses/${head}`, {
      state: 'running',
      name: 'build',
      ref: 'release/v2',
    });
    const second = await post(api, gitlab.token, `/projects/team%2Fexternal/statuses/${head}`, {
      state: 'success',
      name: 'lint',
      ref: 'release/v2',
    });
    expect(second['pipeline_id']).toBe(first['pipeline_id']);
    expect(await get(api, gitlab.token, `/projects/team%2Fexternal/pipelines?sha=${head}`)).toEqual([
      expect.objectContaining({
        id: first['pipeline_id'],
        status: 'running',
        source: 'external',
        ref: 'release/v2',
      }),
    ]);
    await post(api, gitlab.token, `/projects/team%2Fexternal/statuses/${head}`, {
      state: 'failed',
      name: 'build',
    });
    expect(await get(api, gitlab.token, `/projects/team%2Fexternal/pipelines?status=failed`)).toHaveLength(1);
    expect(await get(api, gitlab.token, `/projects/team%2Fexternal/pipelines?ref=main`)).toEqual([]);
  });

  it('pipelines list newest first; the newest is the head pipeline that gates the merge', async () => {
    gitlab.addProject('team/gated', 'deploy', { checksMustPass: true });
    const iid = await gitlab.openMergeRequest('team/gated', {
      sourceBranch: 'release/v2',
      targetBranch: 'main',
      title: 'v2',
    });
    const api = `${gitlab.url}/api/v4/projects/team%2Fgated`;
    const failed = await gitlab.addPipeline('team/gated', head, 'failed', { ref: 'release/v2' });
    expect(await get(api, gitlab.token, `/merge_requests/${iid}`)).toMatchObject({
      detailed_merge_status: 'ci_must_pass',
      head_pipeline: { id: failed, status: 'failed' },
    });
    const running = await gitlab.addPipeline('team/gated', head, 'running', { ref: 'release/v2' });
    expect(((await get(api, gitlab.token, '/pipelines')) as Array<{ id: number }>).map((p) => p.id)).toEqual([
      running,
      failed,
    ]);
    expect(await get(api, gitlab.token, `/merge_requests/${iid}`)).toMatchObject({
      detailed_merge_status: 'ci_still_running',
    });
    await gitlab.setPipelineStatus('team/gated', running, 'success');
    expect(await get(api, gitlab.token, `/merge_requests/${iid}`)).toMatchObject({
      detailed_merge_status: 'mergeable',
      head_pipeline: { id: running, status: 'success' },
    });
    // Lists carry the basic entity: no head_pipeline.
    const [listed] = (await get(api, gitlab.token, '/merge_requests')) as Array<Record<string, unknown>>;
    expect(listed).not.toHaveProperty('head_pipeline');
  });
});

describe('GitHub check runs in the emulator', () => {
  it('lists the newest run per name (filter=latest) or every run (filter=all); a failed one blocks', async () => {
    github.addRepository('acme/runs', 'deploy', { checksMustPass: true });
    const pull = await post(github.url, github.token, '/repos/acme/runs/pulls', {
      title: 'v2',
      head: 'release/v2',
      base: 'main',
    });
    github.setCheckRun('acme/runs', head, 'build', { status: 'completed', conclusion: 'failure' });
    expect(await get(github.url, github.token, `/repos/acme/runs/pulls/${pull['number']}`)).toMatchObject({
      mergeable_state: 'blocked',
    });
    github.setCheckRun('acme/runs', head, 'build', { status: 'in_progress' });
    github.setCheckRun('acme/runs', head, 'build', { status: 'completed', conclusion: 'success' });
    const latest = (await get(github.url, github.token, `/repos/acme/runs/commits/${head}/check-runs`)) as {
      total_count: number;
      check_runs: Array<{ status: string; conclusion: string | null }>;
    };
    expect(latest.total_count).toBe(1);
    expect(latest.check_runs[0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    const all = (await get(
      github.url,
      github.token,
      `/repos/acme/runs/commits/${head}/check-runs?filter=all`,
    )) as {
      check_runs: Array<{ conclusion: string | null }>;
    };
    expect(all.check_runs.map((run) => run.conclusion)).toEqual(['success', 'failure']);
    expect(await get(github.url, github.token, `/repos/acme/runs/pulls/${pull['number']}`)).toMatchObject({
      mergeable_state: 'clean',
    });
    // The combined status covers statuses only, as GitHub's does: no status yet is `pending`.
    expect(await get(github.url, github.token, `/repos/acme/runs/commits/${head}/status`)).toMatchObject({
      state: 'pending',
      total_count: 0,
    });
  });
});

describe('GitHub pagination in the emulator', () => {
  it('pages the combined status 30 a page by default, as GitHub does; state and total_count cover every page', async () => {
    github.addRepository('acme/many-statuses', 'deploy');
    for (let index = 0; index < 35; index++) {
      github.setStatus('acme/many-statuses', head, `ctx-${index}`, index === 0 ? 'failure' : 'success');
    }
    const response = await fetch(`${github.url}/repos/acme/many-statuses/commits/${head}/status`, {
      headers: { authorization: `Bearer ${github.token}` },
    });
    const first = (await response.json()) as { state: string; total_count: number; statuses: unknown[] };
    expect(first).toMatchObject({ state: 'failure', total_count: 35 });
    expect(first.statuses).toHaveLength(30);
    expect(response.headers.get('link')).toMatch(/[?&]page=2[^>]*>; rel="next"/);
    const second = (await get(
      github.url,
      github.token,
      `/repos/acme/many-statuses/commits/${head}/status?page=2`,
    )) as { statuses: Array<{ context: string }> };
    // Newest first: the oldest status (the failure) is the last one listed.
    expect(second.statuses.map((status) => status.context)).toEqual([
      'ctx-4',
      'ctx-3',
      'ctx-2',
      'ctx-1',
      'ctx-0',
    ]);
    expect(github.specViolations).toEqual([]);
  });
});

describe('commit statuses name a commit the repository has', () => {
  it('an unknown sha is refused as the forges refuse it; an abbreviated one stands for the full id', async () => {
    gitlab.addProject('team/status-sha', 'deploy');
    github.addRepository('acme/status-sha', 'deploy');
    const api = `${gitlab.url}/api/v4`;
    const send = (base: string, token: string, path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const unknown = 'f'.repeat(40);
    const gitLabUnknown = await send(api, gitlab.token, `/projects/team%2Fstatus-sha/statuses/${unknown}`, {
      state: 'success',
    });
    expect(gitLabUnknown.status).toBe(404);
    expect(await gitLabUnknown.json()).toEqual({ message: '404 Commit Not Found' });
    const gitHubUnknown = await send(github.url, github.token, `/repos/acme/status-sha/statuses/${unknown}`, {
      state: 'success',
      context: 'ci',
    });
    expect(gitHubUnknown.status).toBe(422);
    expect(await gitHubUnknown.json()).toMatchObject({ message: `No commit found for SHA: ${unknown}` });
    const short = head.slice(0, 12);
    const created = await post(api, gitlab.token, `/projects/team%2Fstatus-sha/statuses/${short}`, {
      state: 'success',
      name: 'short',
    });
    expect(created['sha']).toBe(head);
    expect(
      await get(api, gitlab.token, `/projects/team%2Fstatus-sha/repository/commits/${head}/statuses`),
    ).toEqual([expect.objectContaining({ name: 'short', sha: head })]);
    expect([gitlab.specViolations, github.specViolations]).toEqual([[], []]);
  });
});
