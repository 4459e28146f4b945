import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError } from '@gitops-kit/core';
import { expect, it } from 'vitest';
import {
  BranchNotFoundError,
  FileNotFoundInRepoError,
  readFiles,
  type WriteBackOptions,
  writeBack,
} from '../../src/index.js';
import { git } from './peer-process.js';

/** One server under test: how to make a seeded repository on it and how to reach it. */
export interface InteropPeer {
  /** Creates a repository seeded by `createSeededRepo` with `files`; returns its URL. */
  createRepo(name: string, files: Record<string, string>): Promise<string>;
  /** Credentials the server requires, or undefined for a server without auth. */
  auth: { username: string; password: string } | undefined;
  /** The fetch mode this server allows (`partial` needs `filter`). */
  expectedFetchMode: 'partial' | 'full';
}

export const VALUES = `# Helm values for my-app (kept verbatim: comments, order, quoting)
image:
  repository: registry.example.com/team/my-app # the image
  tag: "v1.0.0"   # set by CI

# keys the concurrent writers set
writers:
  a: none
  b: none
  c: none
  d: none
`;

function gitAuthArgs(peer: InteropPeer): string[] {
  if (peer.auth === undefined) return [];
  const basic = Buffer.from(`${peer.auth.username}:${peer.auth.password}`).toString('base64');
  return ['-c', `http.extraHeader=Authorization: Basic ${basic}`];
}

/** Clones with the git CLI, runs `git fsck --strict`, and returns the clone's directory and first-parent log. */
async function cloneAndFsck(
  peer: InteropPeer,
  url: string,
): Promise<{ directory: string; history: string[][] }> {
  const directory = await mkdtemp(join(tmpdir(), 'interop-clone-'));
  await git([...gitAuthArgs(peer), 'clone', '--quiet', '--branch', 'main', url, directory]);
  await git(['fsck', '--strict', '--no-dangling'], directory);
  const log = await git(['log', '--format=%H %P', 'main'], directory);
  return {
    directory,
    history: log
      .trim()
      .split('\n')
      .map((line) => line.split(' ').filter(Boolean)),
  };
}

function base(peer: InteropPeer, url: string): Omit<WriteBackOptions, 'changes'> {
  return {
    url,
    branch: 'main',
    ...(peer.auth === undefined ? {} : { auth: peer.auth }),
    retry: { maxAttempts: 12, baseDelayMs: 20, maxDelayMs: 300 },
    author: { name: 'interop', email: 'interop@example.invalid' },
  };
}

/**
 * The write-back scenarios every server must pass (issue 12): one tag (only that line changes), a no-op write,
 * four concurrent writers on different keys (all land, linear history), a git CLI clone that `git fsck --strict`
 * accepts, and — where the server has auth — wrong credentials as a typed error without the secret.
 */
export function defineWriteBackScenarios(peer: () => InteropPeer): void {
  it('writes one tag: only that line changes, comments kept; a no-op write makes no commit', async () => {
    const current = peer();
    const url = await current.createRepo('one-tag', {
      'helm/values.yaml': VALUES,
      'README.md': '# deploy\n',
    });
    const result = await writeBack({
      ...base(current, url),
      changes: [{ file: 'helm/values.yaml', updates: { path: 'image.tag', value: 'v2.0.0' } }],
    });
    expect(result.changed).toBe(true);
    expect(result.fetchMode).toBe(current.expectedFetchMode);
    const noop = await writeBack({
      ...base(current, url),
      changes: [{ file: 'helm/values.yaml', updates: { path: 'image.tag', value: 'v2.0.0' } }],
    });
    expect(noop).toMatchObject({ changed: false, commit: null, parent: result.commit });

    const { directory, history } = await cloneAndFsck(current, url);
    try {
      expect(history[0]?.[0]).toBe(result.commit);
      expect(history).toHaveLength(2);
      const text = await readFile(join(directory, 'helm/values.yaml'), 'utf8');
      expect(text).toBe(VALUES.replace('tag: "v1.0.0"   # set by CI', 'tag: "v2.0.0"   # set by CI'));
      // The annotated tag and the branch with a slash are untouched.
      expect((await git(['rev-parse', 'v1.0.0^{commit}'], directory)).trim()).toBe(history[1]?.[0]);
      expect((await git(['rev-parse', 'origin/release/v1'], directory)).trim()).toBe(history[1]?.[0]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('readFiles: the head and the files through upload-pack, typed errors for a missing file or branch', async () => {
    const current = peer();
    const url = await current.createRepo('read-files', {
      'helm/values.yaml': VALUES,
      'README.md': '# deploy\n',
    });
    const access = { url, ...(current.auth === undefined ? {} : { auth: current.auth }) };
    const read = await readFiles({ ...access, branch: 'main', files: ['helm/values.yaml', 'README.md'] });
    expect(read.head).toBe(
      (await git([...gitAuthArgs(current), 'ls-remote', url, 'refs/heads/main'])).split('\t')[0],
    );
    expect([...read.files]).toEqual([
      ['helm/values.yaml', VALUES],
      ['README.md', '# deploy\n'],
    ]);
    expect(read.fetchMode).toBe(current.expectedFetchMode);
    // `release/v1` exists: a branch named `release` does not, whatever a prefix match would say.
    await expect(readFiles({ ...access, branch: 'release', files: ['README.md'] })).rejects.toBeInstanceOf(
      BranchNotFoundError,
    );
    await expect(readFiles({ ...access, branch: 'main', files: ['nope.yaml'] })).rejects.toBeInstanceOf(
      FileNotFoundInRepoError,
    );
  });

  it('four concurrent writers on different keys: all land, history stays linear, git fsck --strict passes', async () => {
    const current = peer();
    const url = await current.createRepo('concurrent', { 'helm/values.yaml': VALUES });
    const keys = ['a', 'b', 'c', 'd'];
    const results = await Promise.all(
      keys.map((key) =>
        writeBack({
          ...base(current, url),
          // Separate processes in real life: no in-process lock, the server's ref lock decides.
          inProcessLock: false,
          changes: [
            { file: 'helm/values.yaml', updates: { path: `writers.${key}`, value: `set-by-${key}` } },
          ],
        }),
      ),
    );
    // A writer whose value another writer's re-apply already carried ends without a commit; every other one
    // committed, and each of those commits is on the branch.
    const committed = results.filter((result) => result.changed).map((result) => result.commit);
    const { directory, history } = await cloneAndFsck(current, url);
    try {
      expect(history).toHaveLength(committed.length + 1);
      expect(committed.length).toBeGreaterThan(0);
      // Linear: every commit has exactly one parent, the next entry of the log (the seed has none).
      history.slice(0, -1).forEach((entry, index) => {
        expect(entry).toHaveLength(2);
        expect(entry[1]).toBe(history[index + 1]?.[0]);
      });
      expect(new Set(history.slice(0, -1).map((entry) => entry[0]))).toEqual(new Set(committed));
      const text = await readFile(join(directory, 'helm/values.yaml'), 'utf8');
      for (const key of keys) expect(text).toContain(`  ${key}: set-by-${key}\n`);
      expect(text).toContain('# keys the concurrent writers set');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
}

/** Wrong credentials: the typed auth error, at once, with no secret in message, JSON or cause chain. */
export function defineWrongCredentialsScenario(peer: () => InteropPeer): void {
  it('wrong credentials give AuthenticationError without the secret', async () => {
    const current = peer();
    const url = await current.createRepo('wrong-credentials', { 'helm/values.yaml': VALUES });
    const secret = `wrong-${Math.random().toString(36).slice(2)}-canary`;
    const error = await writeBack({
      ...base(current, url),
      auth: { username: current.auth?.username ?? 'deploy', password: secret },
      changes: [{ file: 'helm/values.yaml', updates: { path: 'image.tag', value: 'v9' } }],
    }).catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    const everything = [String(error), JSON.stringify(error), (error as Error).stack ?? ''].join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(
      Buffer.from(`${current.auth?.username ?? 'deploy'}:${secret}`).toString('base64'),
    );
  });
}
