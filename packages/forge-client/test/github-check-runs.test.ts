import { GitHubEmulator, type GitServer } from '@gitops-kit/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalRefusedError, ChecksFailedError, GitHubClient, HeadChangedError } from '../src/index.js';
import { branchOffMain, startDeployRepository } from './forge-world.js';

let git: GitServer;
let github: GitHubEmulator;
let client: GitHubClient;
let repository = '';
let counter = 0;

beforeAll(async () => {
  ({ git } = await startDeployRepository());
  github = await GitHubEmulator.start({ git });
});
afterAll(async () => {
  await github.stop();
  await git.stop();
});
beforeEach(() => {
  counter += 1;
  repository = `acme/check-runs-${counter}`;
  client = new GitHubClient({
    url: github.url,
    token: github.token,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
});
afterEach(async () => {
  await client.close();
});

async function openRelease(tag: string) {
  const name = await branchOffMain(git, `release/check-runs-${tag}-${counter}`, tag);
  return client.changeRequests.open({
    project: repository,
    sourceBranch: name,
    targetBranch: 'main',
    title: tag,
  });
}

/** A pull request someone else opened (GitHub never lets the author approve their own). */
async function openForReview(tag: string) {
  const name = await branchOffMain(git, `release/check-runs-${tag}-${counter}`, tag);
  const number = await github.openPullRequest(repository, {
    sourceBranch: name,
    targetBranch: 'main',
    title: tag,
  });
  return client.changeRequests.get({ project: repository, number });
}

describe('GitHub check runs: the checks a merge waits on', () => {
  it('checks.get combines statuses and check runs; neutral and skipped pass, timed_out fails', async () => {
    github.addRepository(repository, 'deploy');
    const opened = await openRelease('c1');
    github.setStatus(repository, opened.headSha, 'legacy-ci', 'success');
    github.setCheckRun(repository, opened.headSha, 'build', { status: 'in_progress' });
    github.setCheckRun(repository, opened.headSha, 'lint', { status: 'completed', conclusion: 'neutral' });
    const running = await client.checks.get({ project: repository, sha: opened.headSha });
    expect(running.state).toBe('pending');
    expect(running.statuses.map((check) => [check.kind, check.name, check.state])).toEqual([
      ['status', 'legacy-ci', 'success'],
      ['check-run', 'lint', 'success'],
      ['check-run', 'build', 'running'],
    ]);
    github.setCheckRun(repository, opened.headSha, 'build', { status: 'completed', conclusion: 'skipped' });
    expect((await client.checks.get({ project: repository, sha: opened.headSha })).state).toBe('success');
    github.setCheckRun(repository, opened.headSha, 'e2e', { status: 'completed', conclusion: 'timed_out' });
    expect((await client.checks.get({ project: repository, sha: opened.headSha })).state).toBe('failed');
  });

  it('whenChecksPass waits for a queued check run, then merges; a failed one is ChecksFailedError', async () => {
    github.addRepository(repository, 'deploy', { checksMustPass: true });
    const opened = await openRelease('c2');
    github.setCheckRun(repository, opened.headSha, 'build', { status: 'queued' });
    expect((await client.changeRequests.get(opened)).mergeability).toBe('blocked');
    const merging = client.changeRequests.merge({
      ...opened,
      whenChecksPass: true,
      checksPollIntervalMs: 20,
    });
    await expect
      .poll(() => github.requests.filter((r) => r.path.endsWith('/check-runs')).length)
      .toBeGreaterThan(0);
    github.setCheckRun(repository, opened.headSha, 'build', { status: 'completed', conclusion: 'success' });
    expect((await merging).state).toBe('merged');

    const second = await openRelease('c3');
    github.setCheckRun(repository, second.headSha, 'build', { status: 'completed', conclusion: 'failure' });
    const error = await client.changeRequests
      .merge({ ...second, whenChecksPass: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksFailedError);
    expect((error as ChecksFailedError).failed).toEqual(['build']);
  });

  it('a re-run check run replaces the failed one (the newest per name counts)', async () => {
    github.addRepository(repository, 'deploy');
    const opened = await openRelease('c4');
    github.setCheckRun(repository, opened.headSha, 'build', { status: 'completed', conclusion: 'failure' });
    github.setCheckRun(repository, opened.headSha, 'build', { status: 'completed', conclusion: 'success' });
    expect(await client.checks.get({ project: repository, sha: opened.headSha })).toMatchObject({
      state: 'success',
      statuses: [{ name: 'build', state: 'success', kind: 'check-run' }],
    });
  });

  it('waitForMerge with failOnChecks stops when a check run fails; approve is a review with event APPROVE', async () => {
    github.addRepository(repository, 'deploy', { approvalsRequired: 1 });
    const opened = await openForReview('c5');
    await client.changeRequests.approve({ ...opened, expectedHeadSha: opened.headSha });
    expect([...github.changeRequest(repository, opened.number).approvals]).toHaveLength(1);
    expect((await client.changeRequests.get(opened)).mergeability).toBe('mergeable');
    github.setCheckRun(repository, opened.headSha, 'deploy-preview', {
      status: 'completed',
      conclusion: 'action_required',
    });
    const error = await client.changeRequests
      .waitForMerge(opened, { pollIntervalMs: 20, failOnChecks: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksFailedError);
    expect((error as ChecksFailedError).failed).toEqual(['deploy-preview']);
  });

  it('approve pinned to a head the branch has moved past is HeadChangedError and records no approval', async () => {
    github.addRepository(repository, 'deploy', { approvalsRequired: 1 });
    const opened = await openForReview('c6');
    // Someone pushes to the branch after the approver looked at the pull request.
    await git.commit(
      'deploy',
      opened.sourceBranch,
      { 'env/prod/values.yaml': 'image:\n  tag: unseen\n' },
      { from: opened.headSha },
    );
    const error = await client.changeRequests
      .approve({ ...opened, expectedHeadSha: opened.headSha })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HeadChangedError);
    expect(github.changeRequest(repository, opened.number).approvals.size).toBe(0);
    expect((await client.changeRequests.get(opened)).mergeability).toBe('blocked');
  });

  it("approving one's own pull request is ApprovalRefusedError", async () => {
    github.addRepository(repository, 'deploy', { approvalsRequired: 1 });
    const opened = await openRelease('c7');
    const error = await client.changeRequests.approve(opened).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApprovalRefusedError);
    expect((error as ApprovalRefusedError).serverMessage).toMatch(/Can not approve your own pull request/);
    expect(github.changeRequest(repository, opened.number).approvals.size).toBe(0);
  });
});
