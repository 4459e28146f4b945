import { inspect } from 'node:util';
import { AuthenticationError } from '@gitops-kit/core';
import { GitLabEmulator, type GitServer } from '@gitops-kit/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChangeRequestClosedError,
  ChangeRequestConflictError,
  ChangeRequestExistsError,
  ForgeApiError,
  GitLabClient,
  HeadChangedError,
  NotMergeableError,
  RateLimitError,
} from '../src/index.js';
import { parentsOf, startDeployRepository } from './forge-world.js';

let git: GitServer;
let mainHead: string;
let releaseHead: string;
let branch: (name: string, tag: string) => Promise<string>;
let gitlab: GitLabEmulator;
let client: GitLabClient;
let project = '';
let counter = 0;

beforeAll(async () => {
  ({ git, mainHead, releaseHead, branch } = await startDeployRepository());
  gitlab = await GitLabEmulator.start({ git });
});
afterAll(async () => {
  await gitlab.stop();
  await git.stop();
});
beforeEach(() => {
  // A project per test over the same repository keeps the merge request numbers and rules apart.
  counter += 1;
  project = `team/deploy-${counter}`;
  client = new GitLabClient({
    url: gitlab.url,
    token: gitlab.token,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
});
afterEach(async () => {
  await client.close();
});

/** A fresh release branch from main's current tip, so merges in one test never disturb another. */
async function releaseBranch(tag: string): Promise<string> {
  const name = `release/${tag}-${counter}`;
  const head = await git.headOf('deploy', 'main');
  await git.commit(
    'deploy',
    name,
    { 'env/prod/values.yaml': `# prod values\nimage:\n  tag: ${tag}\n` },
    { from: head as string },
  );
  return name;
}

describe('GitLabClient against the GitLab emulator', () => {
  it('opens, reads and lists a merge request (draft by title prefix, labels, head sha)', async () => {
    gitlab.addProject(project, 'deploy');
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: 'release/v2',
      targetBranch: 'main',
      title: 'prod: v2',
      description: 'promote v2',
      labels: ['release', 'prod'],
      draft: true,
    });
    expect(opened).toMatchObject({
      forge: 'gitlab',
      project,
      number: 1,
      title: 'Draft: prod: v2',
      state: 'open',
      draft: true,
      mergeability: 'blocked',
      headSha: releaseHead,
      labels: ['release', 'prod'],
      mergeCommitSha: null,
    });
    expect((await client.changeRequests.get({ project, number: 1 })).description).toBe('promote v2');
    const listed = await client.changeRequests.list({ project, sourceBranch: 'release/v2' });
    expect(listed.map((request) => request.number)).toEqual([1]);
    expect(await client.changeRequests.list({ project, sourceBranch: 'other' })).toEqual([]);
    await expect(
      client.changeRequests.open({
        project,
        sourceBranch: 'release/v2',
        targetBranch: 'main',
        title: 'again',
      }),
    ).rejects.toBeInstanceOf(ChangeRequestExistsError);
  });

  it('of two merge requests opened at once for the same branches, one is created and the other refused (409)', async () => {
    gitlab.addProject(project, 'deploy');
    const input = { project, sourceBranch: 'release/v2', targetBranch: 'main', title: 'race' };
    const results = await Promise.allSettled([
      client.changeRequests.open(input),
      client.changeRequests.open(input),
      client.changeRequests.open(input),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ChangeRequestExistsError);
    }
    expect(await client.changeRequests.list({ project, sourceBranch: 'release/v2' })).toHaveLength(1);
  });

  it('merges with a merge commit whose parents are the target and the source', async () => {
    gitlab.addProject(project, 'deploy');
    const source = await releaseBranch('v3');
    const before = (await git.headOf('deploy', 'main')) as string;
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v3',
    });
    expect(opened.mergeability).toBe('mergeable');
    const merged = await client.changeRequests.merge({
      project,
      number: opened.number,
      expectedHeadSha: opened.headSha,
    });
    expect(merged.state).toBe('merged');
    expect(merged.mergeCommitSha).toBe(await git.headOf('deploy', 'main'));
    expect(await parentsOf(git, merged.mergeCommitSha as string)).toEqual([before, opened.headSha]);
    expect(await git.readFile('deploy', 'main', 'env/prod/values.yaml')).toContain('tag: v3');
  });

  it('squashes into one commit on the target', async () => {
    gitlab.addProject(project, 'deploy');
    const source = await releaseBranch('v4');
    const before = (await git.headOf('deploy', 'main')) as string;
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v4',
    });
    const merged = await client.changeRequests.merge({ project, number: opened.number, method: 'squash' });
    expect(await parentsOf(git, merged.mergeCommitSha as string)).toEqual([before]);
    expect(merged.mergeCommitSha).toBe(await git.headOf('deploy', 'main'));
  });

  it('refuses a merge pinned to a head that moved (409 → HeadChangedError)', async () => {
    gitlab.addProject(project, 'deploy');
    const source = await releaseBranch('v5');
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v5',
    });
    await git.commit('deploy', source, { 'NOTES.md': 'more\n' });
    await expect(
      client.changeRequests.merge({ project, number: opened.number, expectedHeadSha: opened.headSha }),
    ).rejects.toBeInstanceOf(HeadChangedError);
  });

  it('reports a conflict with the target as ChangeRequestConflictError, on merge and while waiting', async () => {
    gitlab.addProject(project, 'deploy');
    const source = await releaseBranch('v6');
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v6',
    });
    await git.commit('deploy', 'main', { 'env/prod/values.yaml': '# prod values\nimage:\n  tag: hotfix\n' });
    expect((await client.changeRequests.get(opened)).mergeability).toBe('conflict');
    await expect(client.changeRequests.merge(opened)).rejects.toBeInstanceOf(ChangeRequestConflictError);
    await expect(client.changeRequests.waitForMerge(opened, { pollIntervalMs: 10 })).rejects.toBeInstanceOf(
      ChangeRequestConflictError,
    );
  });

  it('refuses to merge without the required approval (405 → NotMergeableError), merges after it', async () => {
    gitlab.addProject(project, 'deploy', { approvalsRequired: 1 });
    const source = await releaseBranch('v7');
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v7',
    });
    const error = await client.changeRequests.merge(opened).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotMergeableError);
    expect((error as NotMergeableError).status).toBe(405);
    await gitlab.approve(project, opened.number);
    expect((await client.changeRequests.merge(opened)).state).toBe('merged');
  });

  it('waitForMerge resolves with the commit a reviewer merged, and fails typed when closed', async () => {
    gitlab.addProject(project, 'deploy', { approvalsRequired: 1 });
    const source = await releaseBranch('v8');
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v8',
    });
    const seen: string[] = [];
    const waiting = client.changeRequests.waitForMerge(opened, {
      pollIntervalMs: 20,
      onProgress: (request) => seen.push(request.state),
    });
    await expect.poll(() => seen.length).toBeGreaterThan(0);
    await gitlab.approve(project, opened.number);
    const landed = await gitlab.merge(project, opened.number);
    const result = await waiting;
    expect(result.mergeCommitSha).toBe(landed);
    expect(result.mergeCommitSha).toBe(await git.headOf('deploy', 'main'));

    const other = await releaseBranch('v8b');
    const second = await client.changeRequests.open({
      project,
      sourceBranch: other,
      targetBranch: 'main',
      title: 'v8b',
    });
    const waitingForClosed = client.changeRequests.waitForMerge(second, { pollIntervalMs: 20 });
    gitlab.close(project, second.number);
    await expect(waitingForClosed).rejects.toBeInstanceOf(ChangeRequestClosedError);
    expect((await client.changeRequests.close(second)).state).toBe('closed');
  });

  it('merges when the pipeline succeeds (GitLab auto-merge), and reports the commit statuses', async () => {
    gitlab.addProject(project, 'deploy', { checksMustPass: true });
    const source = await releaseBranch('v9');
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v9',
    });
    await client.checks.setStatus({ project, sha: opened.headSha, name: 'smoke', state: 'running' });
    const scheduled = await client.changeRequests.merge({ ...opened, whenChecksPass: true });
    expect(scheduled.state).toBe('open');
    // The status is a job of the commit's pipeline (GitLab creates one for an external status).
    expect(await client.checks.get({ project, sha: opened.headSha })).toMatchObject({
      state: 'pending',
      statuses: [
        { name: 'smoke', state: 'running', kind: 'status' },
        { kind: 'pipeline', state: 'running' },
      ],
      pipeline: { status: 'running' },
    });
    await client.checks.setStatus({ project, sha: opened.headSha, name: 'smoke', state: 'success' });
    const merged = await client.changeRequests.get(opened);
    expect(merged.state).toBe('merged');
    expect((await client.checks.get({ project, sha: opened.headSha })).state).toBe('success');
  });

  it('comments on a merge request', async () => {
    gitlab.addProject(project, 'deploy');
    const source = await releaseBranch('v10');
    const opened = await client.changeRequests.open({
      project,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v10',
    });
    await client.changeRequests.comment({ ...opened, body: 'prod soak passed' });
    expect(gitlab.changeRequest(project, opened.number).comments.map((c) => c.body)).toEqual([
      'prod soak passed',
    ]);
  });

  it('reads every page of a long list (Link: rel="next")', async () => {
    gitlab.addProject(project, 'deploy');
    for (let index = 0; index < 105; index++) {
      const iid = await gitlab.openMergeRequest(project, {
        sourceBranch: 'release/v2',
        targetBranch: 'main',
        title: `t${index}`,
      });
      gitlab.close(project, iid);
    }
    const all = await client.changeRequests.list({ project, state: 'all' });
    expect(all).toHaveLength(105);
    expect(new Set(all.map((request) => request.number)).size).toBe(105);
    expect(
      gitlab.requests.filter(
        (r) =>
          r.method === 'GET' && r.path.endsWith(`/projects/${encodeURIComponent(project)}/merge_requests`),
      ),
    ).toHaveLength(2);
    expect(await client.changeRequests.list({ project, state: 'closed', limit: 3 })).toHaveLength(3);
  });

  it('waits out a short rate limit and surfaces a long one as RateLimitError', async () => {
    gitlab.addProject(project, 'deploy');
    gitlab.addFault({ kind: 'rate-limit', requests: 1, retryAfterSeconds: 1 });
    expect(await client.changeRequests.list({ project })).toEqual([]);
    gitlab.addFault({ kind: 'rate-limit', requests: 1, retryAfterSeconds: 3600 });
    const error = await client.changeRequests.list({ project }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(3_600_000);
  });

  it('a wrong token is AuthenticationError with no token anywhere in it', async () => {
    gitlab.addProject(project, 'deploy');
    const secret = 'glpat-this-is-wrong-0123456789';
    const wrong = new GitLabClient({ url: gitlab.url, token: secret, retry: false });
    const error = await wrong.changeRequests.list({ project }).catch((caught: unknown) => caught);
    await wrong.close();
    expect(error).toBeInstanceOf(AuthenticationError);
    for (const form of [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]) {
      expect(form).not.toContain(secret);
    }
  });

  it('a server error that echoes the token keeps it out of every field and printed form', async () => {
    gitlab.addProject(project, 'deploy');
    const echoing = new GitLabClient({ url: gitlab.url, token: gitlab.token, retry: false });
    gitlab.addFault({
      kind: 'status',
      requests: 1,
      status: 500,
      message: `proxy said: Authorization: Bearer ${gitlab.token}`,
    });
    const error = await echoing.changeRequests.list({ project }).catch((caught: unknown) => caught);
    await echoing.close();
    expect(error).toBeInstanceOf(ForgeApiError);
    const forgeError = error as ForgeApiError;
    expect(forgeError.serverMessage).toContain('proxy said');
    for (const form of [
      forgeError.serverMessage ?? '',
      forgeError.message,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
    ]) {
      expect(form).not.toContain(gitlab.token);
    }
  });

  it('refuses bad input before any request', async () => {
    const before = gitlab.requests.length;
    expect(() => new GitLabClient({ url: gitlab.url, token: ' ' })).toThrow(/token/);
    await expect(client.changeRequests.get({ project: '../etc', number: 1 })).rejects.toThrow(/project/);
    await expect(client.changeRequests.get({ project, number: 0 })).rejects.toThrow(/positive integer/);
    await expect(
      client.changeRequests.open({ project, sourceBranch: 'bad..branch', targetBranch: 'main', title: 'x' }),
    ).rejects.toThrow(/branch name/);
    expect(gitlab.requests.length).toBe(before);
    expect(mainHead).toMatch(/^[0-9a-f]{40}$/);
    expect(branch).toBeTypeOf('function');
  });
});
