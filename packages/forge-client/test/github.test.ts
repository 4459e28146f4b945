import { inspect } from 'node:util';
import { AuthenticationError } from '@gitops-kit/core';
import { GitHubEmulator, type GitServer } from '@gitops-kit/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ChangeRequestConflictError,
  ChangeRequestExistsError,
  ChecksFailedError,
  GitHubClient,
  HeadChangedError,
  NotMergeableError,
  RateLimitError,
} from '../src/index.js';
import { parentsOf, startDeployRepository } from './forge-world.js';

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
  repository = `acme/deploy-${counter}`;
  // The GitHub Enterprise Server form of the base URL: the emulator serves `/api/v3` too.
  client = new GitHubClient({
    url: `${github.url}/api/v3`,
    token: github.token,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
});
afterEach(async () => {
  await client.close();
});

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

describe('GitHubClient against the GitHub emulator', () => {
  it('opens a pull request with labels, refuses a duplicate (422 → ChangeRequestExistsError), lists by head', async () => {
    github.addRepository(repository, 'deploy');
    const source = await releaseBranch('v2');
    const opened = await client.changeRequests.open({
      project: repository,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'prod: v2',
      labels: ['release'],
    });
    expect(opened).toMatchObject({
      forge: 'github',
      number: 1,
      state: 'open',
      mergeability: 'mergeable',
      labels: ['release'],
    });
    expect(opened.headSha).toBe(await git.headOf('deploy', source));
    await expect(
      client.changeRequests.open({
        project: repository,
        sourceBranch: source,
        targetBranch: 'main',
        title: 'again',
      }),
    ).rejects.toBeInstanceOf(ChangeRequestExistsError);
    expect(
      (await client.changeRequests.list({ project: repository, sourceBranch: source })).map((r) => r.number),
    ).toEqual([1]);
  });

  it('of two pull requests opened at once for the same head and base, one is created and the other refused (422)', async () => {
    github.addRepository(repository, 'deploy');
    const source = await releaseBranch('race');
    const input = { project: repository, sourceBranch: source, targetBranch: 'main', title: 'race' };
    const results = await Promise.allSettled([
      client.changeRequests.open(input),
      client.changeRequests.open(input),
      client.changeRequests.open(input),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ChangeRequestExistsError);
    }
    expect(await client.changeRequests.list({ project: repository, sourceBranch: source })).toHaveLength(1);
  });

  it('merges, squashes and rebases for real', async () => {
    github.addRepository(repository, 'deploy');
    for (const method of ['merge', 'squash', 'rebase'] as const) {
      const source = await releaseBranch(`${method}-tag`);
      const before = (await git.headOf('deploy', 'main')) as string;
      const opened = await client.changeRequests.open({
        project: repository,
        sourceBranch: source,
        targetBranch: 'main',
        title: method,
      });
      const merged = await client.changeRequests.merge({
        ...opened,
        method,
        expectedHeadSha: opened.headSha,
      });
      expect(merged.state).toBe('merged');
      expect(merged.mergeCommitSha).toBe(await git.headOf('deploy', 'main'));
      const parents = await parentsOf(git, merged.mergeCommitSha as string);
      expect(parents).toEqual(method === 'merge' ? [before, opened.headSha] : [before]);
      expect(await git.readFile('deploy', 'main', 'env/prod/values.yaml')).toContain(`tag: ${method}-tag`);
    }
  });

  it('commitMessage becomes the whole message of the merge and squash commits (title and detail)', async () => {
    github.addRepository(repository, 'deploy');
    const { execFileSync } = await import('node:child_process');
    for (const method of ['merge', 'squash'] as const) {
      const source = await releaseBranch(`${method}-message`);
      const opened = await client.changeRequests.open({
        project: repository,
        sourceBranch: source,
        targetBranch: 'main',
        title: method,
      });
      const message = `prod: ${method}-message\n\nReleased by gitops-flow.`;
      const merged = await client.changeRequests.merge({ ...opened, method, commitMessage: message });
      const written = execFileSync(
        'git',
        [
          '--git-dir',
          git.repoDirectory('deploy'),
          'log',
          '-1',
          '--format=%B',
          merged.mergeCommitSha as string,
        ],
        { encoding: 'utf8' },
      );
      expect(written.trim()).toBe(message);
    }
  });

  it('a commitMessage with CRLF line ends splits into a title without a carriage return and its detail', async () => {
    github.addRepository(repository, 'deploy');
    const { execFileSync } = await import('node:child_process');
    const source = await releaseBranch('crlf-message');
    const opened = await client.changeRequests.open({
      project: repository,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'crlf',
    });
    const merged = await client.changeRequests.merge({
      ...opened,
      commitMessage: 'prod: crlf-message\r\n\r\nReleased by gitops-flow.\r\n',
    });
    const written = execFileSync(
      'git',
      ['--git-dir', git.repoDirectory('deploy'), 'log', '-1', '--format=%B', merged.mergeCommitSha as string],
      { encoding: 'utf8' },
    );
    const [title, blank, detail] = written.split('\n');
    expect([title, blank, detail?.trimEnd()]).toEqual(['prod: crlf-message', '', 'Released by gitops-flow.']);
  });

  it('maps 409 to HeadChangedError and a conflicting base to ChangeRequestConflictError', async () => {
    github.addRepository(repository, 'deploy');
    const source = await releaseBranch('v3');
    const opened = await client.changeRequests.open({
      project: repository,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v3',
    });
    await git.commit('deploy', source, { 'NOTES.md': 'later\n' });
    await expect(
      client.changeRequests.merge({ ...opened, expectedHeadSha: opened.headSha }),
    ).rejects.toBeInstanceOf(HeadChangedError);
    await git.commit('deploy', 'main', { 'env/prod/values.yaml': '# prod values\nimage:\n  tag: hotfix\n' });
    expect((await client.changeRequests.get(opened)).mergeability).toBe('conflict');
    await expect(client.changeRequests.merge(opened)).rejects.toBeInstanceOf(ChangeRequestConflictError);
  });

  it('refuses without the required review (405), merges after an approval', async () => {
    github.addRepository(repository, 'deploy', { approvalsRequired: 1 });
    const source = await releaseBranch('v4');
    const opened = await client.changeRequests.open({
      project: repository,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v4',
    });
    expect(opened.mergeability).toBe('blocked');
    await expect(client.changeRequests.merge(opened)).rejects.toBeInstanceOf(NotMergeableError);
    github.approve(repository, opened.number);
    expect((await client.changeRequests.merge(opened)).state).toBe('merged');
  });

  it('whenChecksPass waits for the head commit statuses, then merges; a failed check is ChecksFailedError', async () => {
    github.addRepository(repository, 'deploy', { checksMustPass: true });
    const source = await releaseBranch('v5');
    const opened = await client.changeRequests.open({
      project: repository,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v5',
    });
    await client.checks.setStatus({ project: repository, sha: opened.headSha, name: 'ci', state: 'running' });
    const merging = client.changeRequests.merge({
      ...opened,
      whenChecksPass: true,
      checksTimeoutMs: 60_000,
      checksPollIntervalMs: 20,
    });
    await expect
      .poll(() => github.requests.filter((r) => r.path.endsWith('/status')).length)
      .toBeGreaterThan(0);
    github.setStatus(repository, opened.headSha, 'ci', 'success');
    expect((await merging).state).toBe('merged');

    const failing = await releaseBranch('v6');
    const second = await client.changeRequests.open({
      project: repository,
      sourceBranch: failing,
      targetBranch: 'main',
      title: 'v6',
    });
    github.setStatus(repository, second.headSha, 'ci', 'failure');
    expect(await client.checks.get({ project: repository, sha: second.headSha })).toMatchObject({
      state: 'failed',
      statuses: [{ name: 'ci', state: 'failed' }],
    });
    const error = await client.changeRequests
      .merge({ ...second, whenChecksPass: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChecksFailedError);
    expect((error as ChecksFailedError).failed).toEqual(['ci']);
  });

  it('waitForMerge returns the merge commit; comments and closing work', async () => {
    github.addRepository(repository, 'deploy');
    const source = await releaseBranch('v7');
    const opened = await client.changeRequests.open({
      project: repository,
      sourceBranch: source,
      targetBranch: 'main',
      title: 'v7',
    });
    await client.changeRequests.comment({ ...opened, body: 'staging verified' });
    expect(github.changeRequest(repository, opened.number).comments.map((c) => c.body)).toEqual([
      'staging verified',
    ]);
    const waiting = client.changeRequests.waitForMerge(opened, { pollIntervalMs: 20 });
    const landed = await github.merge(repository, opened.number, 'squash');
    expect((await waiting).mergeCommitSha).toBe(landed);

    const other = await releaseBranch('v8');
    const second = await client.changeRequests.open({
      project: repository,
      sourceBranch: other,
      targetBranch: 'main',
      title: 'v8',
    });
    expect((await client.changeRequests.close(second)).state).toBe('closed');
    expect(
      (await client.changeRequests.list({ project: repository, state: 'closed' })).map((r) => r.number),
    ).toEqual([2]);
    expect(
      (await client.changeRequests.list({ project: repository, state: 'merged' })).map((r) => r.number),
    ).toEqual([1]);
  });

  it('waits for an exhausted rate limit to reset (403 with X-RateLimit-Reset), surfaces a long one', async () => {
    github.addRepository(repository, 'deploy');
    github.addFault({ kind: 'rate-limit', requests: 1, retryAfterSeconds: 1 });
    expect(await client.changeRequests.list({ project: repository })).toEqual([]);
    github.addFault({ kind: 'rate-limit', requests: 1, retryAfterSeconds: 7200 });
    const error = await client.changeRequests
      .list({ project: repository })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBeGreaterThan(7_000_000);
  });

  it('a wrong token is AuthenticationError without the token; a bad repository name is refused before sending', async () => {
    github.addRepository(repository, 'deploy');
    const secret = 'ghp_wrongwrongwrong0123456789';
    const wrong = new GitHubClient({ url: github.url, token: secret, retry: false });
    const error = await wrong.changeRequests
      .get({ project: repository, number: 1 })
      .catch((caught: unknown) => caught);
    await wrong.close();
    expect(error).toBeInstanceOf(AuthenticationError);
    for (const form of [String(error), JSON.stringify(error), inspect(error, { depth: 10 })])
      expect(form).not.toContain(secret);
    await expect(client.changeRequests.get({ project: 'no-slash', number: 1 })).rejects.toThrow(
      /owner\/repo/,
    );
  });
});
