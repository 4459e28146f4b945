import { GitLabEmulator, type GitServer } from '@gitops-kit/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApprovalRefusedError,
  ChecksFailedError,
  GitLabClient,
  HeadChangedError,
  NotMergeableError,
} from '../src/index.js';
import { branchOffMain, startDeployRepository } from './forge-world.js';

let git: GitServer;
let gitlab: GitLabEmulator;
let client: GitLabClient;
let project = '';
let counter = 0;

beforeAll(async () => {
  ({ git } = await startDeployRepository());
  gitlab = await GitLabEmulator.start({ git });
});
afterAll(async () => {
  await gitlab.stop();
  await git.stop();
});
beforeEach(() => {
  counter += 1;
  project = `team/pipelines-${counter}`;
  client = new GitLabClient({
    url: gitlab.url,
    token: gitlab.token,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
});
afterEach(async () => {
  await client.close();
});

/** Opens a merge request from a fresh branch off main. */
async function openRelease(tag: string) {
  const name = await branchOffMain(git, `release/pipelines-${tag}-${counter}`, tag);
  return client.changeRequests.open({ project, sourceBranch: name, targetBranch: 'main', title: tag });
}

describe('GitLab pipelines: the checks a merge waits on', () => {
  it("the head pipeline decides: a failed one blocks the merge and shows on the merge request's head_pipeline", async () => {
    gitlab.addProject(project, 'deploy', { checksMustPass: true });
    const opened = await openRelease('p1');
    expect(opened.headPipeline).toBeNull();
    const id = await gitlab.addPipeline(project, opened.headSha, 'running', { ref: opened.sourceBranch });
    const running = await client.changeRequests.get(opened);
    expect(running.headPipeline).toMatchObject({
      id,
      status: 'running',
      state: 'running',
      sha: opened.headSha,
    });
    expect(running.mergeability).toBe('blocked');
    await gitlab.setPipelineStatus(project, id, 'failed');
    const checks = await client.checks.get({ project, sha: opened.headSha });
    expect(checks).toMatchObject({ state: 'failed', pipeline: { id, status: 'failed', state: 'failed' } });
    expect(checks.statuses).toEqual([
      expect.objectContaining({ name: `pipeline #${id}`, kind: 'pipeline', state: 'failed' }),
    ]);
    await expect(client.changeRequests.merge(opened)).rejects.toBeInstanceOf(NotMergeableError);
    // A new pipeline for the same commit (a retry) is the one that counts.
    const retry = await gitlab.addPipeline(project, opened.headSha, 'success', { ref: opened.sourceBranch });
    expect((await client.checks.get({ project, sha: opened.headSha })).pipeline?.id).toBe(retry);
    expect((await client.changeRequests.merge(opened)).state).toBe('merged');
  });

  it('commit statuses are jobs of a pipeline: the pipeline, not each status, gives the verdict', async () => {
    gitlab.addProject(project, 'deploy');
    const opened = await openRelease('p2');
    await client.checks.setStatus({ project, sha: opened.headSha, name: 'build', state: 'success' });
    await client.checks.setStatus({ project, sha: opened.headSha, name: 'deploy-check', state: 'running' });
    const checks = await client.checks.get({ project, sha: opened.headSha });
    expect(checks.state).toBe('pending');
    expect(checks.pipeline?.status).toBe('running');
    expect(checks.statuses.map((status) => [status.kind, status.name, status.state])).toEqual([
      ['status', 'deploy-check', 'running'],
      ['status', 'build', 'success'],
      ['pipeline', `pipeline #${checks.pipeline?.id}`, 'running'],
    ]);
    await client.checks.setStatus({ project, sha: opened.headSha, name: 'deploy-check', state: 'success' });
    expect(await client.checks.get({ project, sha: opened.headSha })).toMatchObject({
      state: 'success',
      pipeline: { status: 'success' },
    });
    // `ref` filters the pipelines: none ran for a tag of that name.
    expect((await client.checks.get({ project, sha: opened.headSha, ref: 'v-none' })).pipeline).toBeNull();
  });

  it('waitForMerge with failOnChecks stops with ChecksFailedError when the pipeline fails (GitLab drops its auto-merge)', async () => {
    gitlab.addProject(project, 'deploy', { checksMustPass: true });
    const opened = await openRelease('p3');
    const id = await gitlab.addPipeline(project, opened.headSha, 'pending');
    expect((await client.changeRequests.merge({ ...opened, whenChecksPass: true })).state).toBe('open');
    const waiting = client.changeRequests.waitForMerge(opened, { pollIntervalMs: 20, failOnChecks: true });
    await gitlab.setPipelineStatus(project, id, 'failed');
    const error = await waiting.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChecksFailedError);
    expect((error as ChecksFailedError).failed).toEqual([`pipeline #${id}`]);
    expect(gitlab.changeRequest(project, opened.number).autoMerge).toBeNull();
  });

  it('a failed pipeline of the same commit on another ref (a tag) neither blocks the merge nor fails the wait', async () => {
    gitlab.addProject(project, 'deploy', { checksMustPass: true });
    const opened = await openRelease('p5');
    const branchPipeline = await gitlab.addPipeline(project, opened.headSha, 'success', {
      ref: opened.sourceBranch,
    });
    // A tag on the same commit runs its own pipeline, newer by id, and it fails.
    const tagPipeline = await gitlab.addPipeline(project, opened.headSha, 'failed', { ref: 'v5.0.0' });
    const current = await client.changeRequests.get(opened);
    expect(current.headPipeline?.id).toBe(branchPipeline);
    expect(current.mergeability).toBe('mergeable');
    // checks.get by sha alone reads the newest pipeline of the commit: the tag's.
    expect((await client.checks.get({ project, sha: opened.headSha })).pipeline?.id).toBe(tagPipeline);
    const progress: string[] = [];
    const waiting = client.changeRequests.waitForMerge(opened, {
      pollIntervalMs: 20,
      failOnChecks: true,
      onProgress: (request) => progress.push(request.state),
    });
    await expect.poll(() => progress.length).toBeGreaterThan(1);
    const landed = await gitlab.merge(project, opened.number);
    expect((await waiting).mergeCommitSha).toBe(landed);
  });

  it('a merge request pipeline (refs/merge-requests/<iid>/head) is the head pipeline: its failure blocks and fails the wait', async () => {
    gitlab.addProject(project, 'deploy', { checksMustPass: true });
    const opened = await openRelease('p6');
    // GitLab runs a detached merge request pipeline on the merge request's own ref, not on the source branch.
    const id = await gitlab.addPipeline(project, opened.headSha, 'running', {
      ref: `refs/merge-requests/${opened.number}/head`,
      source: 'merge_request_event',
    });
    // Another merge request's ref on the same commit is not this one's.
    await gitlab.addPipeline(project, opened.headSha, 'success', { ref: 'refs/merge-requests/999/head' });
    const current = await client.changeRequests.get(opened);
    expect(current.headPipeline?.id).toBe(id);
    expect(current.mergeability).not.toBe('mergeable');
    const waiting = client.changeRequests.waitForMerge(opened, { pollIntervalMs: 20, failOnChecks: true });
    await gitlab.setPipelineStatus(project, id, 'failed');
    const error = await waiting.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChecksFailedError);
    expect((error as ChecksFailedError).failed).toEqual([`pipeline #${id}`]);
  });

  it('approves through the API, pinned to the head it saw (409 → HeadChangedError when it moved)', async () => {
    // The token's user opened it: GitLab lets them approve only with "Prevent approval by author" off.
    gitlab.addProject(project, 'deploy', { approvalsRequired: 1, authorCanApprove: true });
    const opened = await openRelease('p4');
    expect(opened.mergeability).toBe('blocked');
    await expect(
      client.changeRequests.approve({ ...opened, expectedHeadSha: 'f'.repeat(40) }),
    ).rejects.toBeInstanceOf(HeadChangedError);
    expect(gitlab.changeRequest(project, opened.number).approvals.size).toBe(0);
    await client.changeRequests.approve({ ...opened, expectedHeadSha: opened.headSha });
    expect((await client.changeRequests.get(opened)).mergeability).toBe('mergeable');
  });

  it("approving one's own merge request is ApprovalRefusedError, not a failed authentication", async () => {
    gitlab.addProject(project, 'deploy', { approvalsRequired: 1 });
    const opened = await openRelease('p6');
    const error = await client.changeRequests.approve(opened).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApprovalRefusedError);
    expect((error as ApprovalRefusedError).code).toBe('FORGE_APPROVAL_REFUSED');
    expect(gitlab.changeRequest(project, opened.number).approvals.size).toBe(0);
  });
});
