import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitRevisionReader } from '../src/argocd/git-revisions.js';
import { GitServer } from '../src/git/index.js';

const ACCESS = { username: 'git', password: 'revisions-canary-password' };

function gitIn(directory: string, args: string[]): string {
  return execFileSync('git', ['--git-dir', directory, ...args], {
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_COMMITTER_NAME: 'Tagger',
      GIT_COMMITTER_EMAIL: 'tagger@example.invalid',
    },
  })
    .toString('utf8')
    .trim();
}

async function rejection(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: number; message: string };
  }
  throw new Error('expected a rejection');
}

describe('GitRevisionReader against a real git server', { timeout: 30_000 }, () => {
  let git: GitServer;
  let url: string;
  let first: string;
  let reader: GitRevisionReader;

  beforeAll(async () => {
    git = await GitServer.start({ auth: ACCESS });
    const created = await git.createRepo('deploy', {
      'helm/my-values.yaml': 'image:\n  tag: v1\n',
      'helm/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
    });
    url = created.url;
    first = created.head;
  });

  afterEach(async () => {
    await reader?.close();
  });

  afterAll(async () => {
    await git.stop();
  });

  it('resolves HEAD, a branch, lightweight and annotated tags and SHAs, and reads files at each commit', async () => {
    reader = new GitRevisionReader({ clock: Date.now });
    const second = await git.commit('deploy', 'main', { 'helm/my-values.yaml': 'image:\n  tag: v2\n' });
    gitIn(git.repoDirectory('deploy'), ['tag', 'light', first]);
    gitIn(git.repoDirectory('deploy'), ['tag', '-a', '-m', 'release one', 'v1.0.0', first]);

    expect(await reader.resolve(url, 'HEAD', ACCESS)).toBe(second);
    expect(await reader.resolve(url, '', ACCESS)).toBe(second);
    expect(await reader.resolve(url, 'main', ACCESS)).toBe(second);
    expect(await reader.resolve(url, 'light', ACCESS)).toBe(first);
    // An annotated tag resolves to the commit it points at, not to the tag object.
    expect(await reader.resolve(url, 'v1.0.0', ACCESS)).toBe(first);
    expect(await reader.resolve(url, first, ACCESS)).toBe(first);
    expect(await reader.resolve(url, first.slice(0, 10), ACCESS)).toBe(first);

    expect(await reader.readFile(url, first, 'helm/my-values.yaml')).toBe('image:\n  tag: v1\n');
    expect(await reader.readFile(url, second, './helm/my-values.yaml')).toBe('image:\n  tag: v2\n');
    expect(await reader.readFile(url, second, 'helm/missing.yaml')).toBeUndefined();
    // A directory is not a file.
    expect(await reader.readFile(url, second, 'helm')).toBeUndefined();

    const metadata = await reader.metadata(url, first);
    expect(metadata.tags).toEqual(['light', 'v1.0.0']);
    expect(metadata.message).toBe('initial commit');
    expect(metadata.author).toMatch(/<.+@.+>$/);
    expect(metadata.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect((await reader.metadata(url, second)).tags).toEqual([]);
  });

  it('lists refs with one protocol v0 request and fetches a new commit with one upload-pack request', async () => {
    reader = new GitRevisionReader({ clock: Date.now });
    await reader.resolve(url, 'main', ACCESS);
    const next = await git.commit('deploy', 'main', { 'helm/my-values.yaml': 'image:\n  tag: v3\n' });
    git.resetRequests();

    expect(await reader.resolve(url, 'main', ACCESS)).toBe(next);
    const requests = git.requests.map((request) => ({
      method: request.method,
      phase: request.phase,
      service: request.service,
      protocol: request.gitProtocol,
    }));
    expect(requests).toEqual([
      { method: 'GET', phase: 'advertisement', service: 'git-upload-pack', protocol: undefined },
      { method: 'POST', phase: 'rpc', service: 'git-upload-pack', protocol: undefined },
    ]);
    expect(await reader.readFile(url, next, 'helm/my-values.yaml')).toBe('image:\n  tag: v3\n');

    // A commit already held costs the listing only; a listing younger than maxAgeMs costs nothing.
    git.resetRequests();
    expect(await reader.resolve(url, 'main', ACCESS)).toBe(next);
    expect(git.requests).toHaveLength(1);
    expect(await reader.resolve(url, 'main', ACCESS, 60_000)).toBe(next);
    expect(git.requests).toHaveLength(1);
  });

  it('reports go-git wording for refused credentials, a missing repository and an unknown revision', async () => {
    reader = new GitRevisionReader({ clock: Date.now });
    const wrong = await rejection(reader.resolve(url, 'main', { username: 'git', password: 'wrong' }));
    expect(wrong.message).toBe('failed to list refs: authentication required');
    expect(wrong.message).not.toContain('wrong');

    const missing = await rejection(reader.resolve(`${git.url}/nothing.git`, 'main', ACCESS));
    expect(missing.code).toBe(5); // NotFound
    expect(missing.message).toBe('failed to list refs: repository not found');

    const unknown = await rejection(reader.resolve(url, 'no-such-branch', ACCESS));
    expect(unknown.message).toBe("unable to resolve 'no-such-branch' to a commit SHA");

    await expect(reader.testAccess(url, ACCESS)).resolves.toBeUndefined();
    const refused = await rejection(reader.testAccess(url, { username: 'git', password: 'nope' }));
    expect(refused.message).toBe('error testing repository connectivity: authentication required');
  });

  it('turns a failed pack request into a typed error and recovers on the next resolve', async () => {
    reader = new GitRevisionReader({ clock: Date.now });
    await reader.resolve(url, 'main', ACCESS);
    const next = await git.commit('deploy', 'main', { 'helm/my-values.yaml': 'image:\n  tag: v4\n' });
    const fault = git.inject({ service: 'git-upload-pack', phase: 'rpc', respondWithStatus: 500, times: 1 });

    const failed = await rejection(reader.resolve(url, 'main', ACCESS));
    expect(failed.message).toMatch(/^failed to fetch: .*status code: 500$/);
    expect(fault.hits).toBe(1);
    expect(await reader.resolve(url, 'main', ACCESS)).toBe(next);
    expect(await reader.readFile(url, next, 'helm/my-values.yaml')).toBe('image:\n  tag: v4\n');
  });
});
