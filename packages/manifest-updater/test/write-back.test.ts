import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, AuthenticationError, ConnectionError, ValidationError } from '@gitops-kit/core';
import { GitServer } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FileNotFoundInRepoError,
  PathOutsideRepoError,
  PushConflictError,
  PushOutcomeUnknownError,
  UnsupportedGitServerError,
  type WriteBackOptions,
  writeBack,
} from '../src/index.js';

const USERNAME = 'deploy-bot';
const PASSWORD = `canary-${randomBytes(16).toString('hex')}`;
const auth = { username: USERNAME, password: PASSWORD };
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20 };

const VALUES = `# values for my-app
image:
  repository: registry.example.com/my-app
  tag: v1 # set by CI

replicas: 2
`;

let server: GitServer;
let repoCounter = 0;

async function newRepo(extra: Record<string, string> = {}): Promise<{ name: string; url: string }> {
  repoCounter += 1;
  const name = `deploy-${repoCounter}`;
  const repo = await server.createRepo(name, {
    'helm/my-values.yaml': VALUES,
    'helm/Chart.yaml': 'apiVersion: v2\nname: my-app\nversion: 0.1.0\n',
    'README.md': '# deploy\n',
    ...extra,
  });
  return { name, url: repo.url };
}

function options(url: string, overrides: Partial<WriteBackOptions> = {}): WriteBackOptions {
  return {
    url,
    branch: 'main',
    auth,
    author: { name: 'Deploy Bot', email: 'bot@example.invalid' },
    retry: fastRetry,
    changes: [{ file: 'helm/my-values.yaml', updates: [{ path: 'image.tag', value: 'v2' }] }],
    ...overrides,
  };
}

/** Message, stack, cause chain and JSON of a value, so a secret anywhere in an error shows up. */
function everythingIn(value: unknown): string {
  const parts: string[] = [];
  let current: unknown = value;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      try {
        parts.push(JSON.stringify(current));
      } catch {
        // circular: message and stack are enough
      }
      current = (current as Error & { cause?: unknown }).cause;
    } else {
      parts.push(typeof current === 'string' ? current : (JSON.stringify(current) ?? String(current)));
      current = undefined;
    }
  }
  return parts.join('\n');
}

/** Files under `directory` (to `depth` levels) whose content contains `needle`. */
async function filesContaining(directory: string, needle: string, depth = 12): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, level: number): Promise<void> {
    if (level > depth) return;
    let names: string[];
    try {
      names = await readdir(current);
    } catch {
      return;
    }
    for (const entry of names) {
      const path = join(current, entry);
      try {
        const stats = await stat(path);
        if (stats.isDirectory()) await walk(path, level + 1);
        else if (stats.isFile() && stats.size < 8 * 1024 * 1024 && (await readFile(path)).includes(needle))
          found.push(path);
      } catch {
        // vanished or unreadable: not ours
      }
    }
  }
  await walk(directory, 0);
  return found;
}

function runGit(args: string[]): Promise<{ exitCode: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('git', args, { timeout: 15_000 }, (error, _stdout, stderr) => {
      resolve({
        exitCode: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
        stderr: String(stderr),
      });
    });
  });
}

beforeAll(async () => {
  server = await GitServer.start({ auth });
});
afterAll(async () => {
  await server.stop();
});

describe('writeBack against the testkit GitServer', { timeout: 60_000 }, () => {
  it('happy path: one commit changing exactly the requested line, with a templated message', async () => {
    const { name, url } = await newRepo();
    const before = await server.headOf(name, 'main');
    const result = await writeBack(
      options(url, { trailers: { 'Signed-off-by': 'Deploy Bot <bot@example.invalid>' } }),
    );
    expect(result).toMatchObject({
      changed: true,
      attempts: 1,
      branch: 'main',
      parent: before,
      fetchMode: 'partial',
    });
    expect(result.files).toEqual([
      {
        file: 'helm/my-values.yaml',
        changed: true,
        edits: [{ path: 'image.tag', oldValue: 'v1', newValue: 'v2' }],
      },
    ]);
    expect(await server.headOf(name, 'main')).toBe(result.commit);
    expect(await server.readFile(name, 'main', 'helm/my-values.yaml')).toBe(
      VALUES.replace('tag: v1', 'tag: v2'),
    );
    const [commit] = await server.log(name, 'main', { maxCount: 1 });
    expect(commit?.parents).toEqual([before]);
    expect(commit?.author).toEqual({ name: 'Deploy Bot', email: 'bot@example.invalid' });
    expect(commit?.message).toBe(
      'chore: update image.tag in helm/my-values.yaml\n\n- helm/my-values.yaml: image.tag v1 → v2\n\nSigned-off-by: Deploy Bot <bot@example.invalid>',
    );
    // Unchanged files are untouched (same blob), and the git CLI sees a sound repository.
    expect(await server.readFile(name, 'main', 'helm/Chart.yaml')).toContain('name: my-app');
  });

  it('several files and several changes to one file make one sound commit (git fsck --strict)', async () => {
    const { name, url } = await newRepo({ 'deep/a/b/c.yaml': 'x: 1\n' });
    const result = await writeBack(
      options(url, {
        changes: [
          { file: 'helm/my-values.yaml', updates: [{ path: 'image.tag', value: 'v9' }] },
          { file: 'helm/Chart.yaml', updates: { path: 'version', value: '0.2.0' } },
          { file: 'helm/my-values.yaml', updates: [{ path: 'replicas', value: 4 }] },
          { file: 'deep/a/b/c.yaml', edit: (text) => text.replace('1', '2') },
        ],
      }),
    );
    expect(result.files.map((file) => [file.file, file.changed, file.edits.length])).toEqual([
      ['helm/my-values.yaml', true, 2],
      ['helm/Chart.yaml', true, 1],
      ['deep/a/b/c.yaml', true, 0],
    ]);
    expect(await server.readFile(name, 'main', 'helm/my-values.yaml')).toBe(
      VALUES.replace('tag: v1', 'tag: v9').replace('replicas: 2', 'replicas: 4'),
    );
    expect(await server.readFile(name, 'main', 'helm/Chart.yaml')).toContain('version: 0.2.0');
    expect(await server.readFile(name, 'main', 'deep/a/b/c.yaml')).toBe('x: 2\n');
    expect(await server.log(name, 'main')).toHaveLength(2);
    const fsck = await runGit(['--git-dir', server.repoDirectory(name), 'fsck', '--strict', '--no-dangling']);
    expect(fsck.exitCode, fsck.stderr).toBe(0);
  });

  it('no change, no commit: a value already set ends without a push', async () => {
    const { name, url } = await newRepo();
    const before = await server.headOf(name, 'main');
    const result = await writeBack(
      options(url, {
        changes: [{ file: 'helm/my-values.yaml', updates: [{ path: 'image.tag', value: 'v1' }] }],
      }),
    );
    expect(result).toMatchObject({ commit: null, changed: false, attempts: 1 });
    expect(result.files[0]?.changed).toBe(false);
    expect(await server.headOf(name, 'main')).toBe(before);
    expect(server.countRequests({ repo: name, service: 'git-receive-pack', phase: 'rpc' })).toBe(0);
  });

  it('a function change edits the text and can create no change', async () => {
    const { name, url } = await newRepo();
    const result = await writeBack(
      options(url, {
        changes: [{ file: 'README.md', edit: (text, context) => `${text}attempt ${context.attempt}\n` }],
        message: 'docs: {files} on {branch}',
      }),
    );
    expect(result.changed).toBe(true);
    expect(await server.readFile(name, 'main', 'README.md')).toBe('# deploy\nattempt 1\n');
    expect((await server.log(name, 'main', { maxCount: 1 }))[0]?.message).toBe('docs: README.md on main');
    const same = await writeBack(options(url, { changes: [{ file: 'README.md', edit: (text) => text }] }));
    expect(same.commit).toBeNull();
  });

  it('auth failure: AuthenticationError at once, no retry loop, no password in the error', async () => {
    const { name, url } = await newRepo();
    const wrong = `wrong-${randomBytes(12).toString('hex')}`;
    const error = await writeBack(
      options(url, {
        auth: { username: USERNAME, password: wrong },
        retry: { maxAttempts: 5, baseDelayMs: 5 },
      }),
    ).catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as AuthenticationError).status).toBe(401);
    // The two advertisements are asked for at once; neither is asked for again (no retry after a 401).
    const requests = server.requests.filter((record) => record.repo === name);
    expect(requests.every((record) => record.phase === 'advertisement' && record.status === 401)).toBe(true);
    const services = requests.map((record) => record.service);
    expect(services).toContain('git-receive-pack');
    expect(new Set(services).size).toBe(services.length);
    expect(everythingIn(error)).not.toContain(wrong);
  });

  it('two writers racing (no in-process lock): both values land and history stays linear', async () => {
    const { name, url } = await newRepo();
    const before = await server.headOf(name, 'main');
    // Hold both writers' pushes so they start from the same head and collide.
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'advertisement',
      delayMs: 300,
      times: 2,
    });
    const [first, second] = await Promise.all([
      writeBack(options(url, { inProcessLock: false })),
      writeBack(
        options(url, {
          inProcessLock: false,
          changes: [{ file: 'helm/my-values.yaml', updates: [{ path: 'replicas', value: 5 }] }],
        }),
      ),
    ]);
    expect([first.changed, second.changed], JSON.stringify([first, second])).toEqual([true, true]);
    expect(Math.max(first.attempts, second.attempts)).toBeGreaterThanOrEqual(2);
    const text = await server.readFile(name, 'main', 'helm/my-values.yaml');
    expect(text).toBe(VALUES.replace('tag: v1', 'tag: v2').replace('replicas: 2', 'replicas: 5'));
    const log = await server.log(name, 'main', { maxCount: 3 });
    expect(log.slice(0, 2).map((entry) => entry.parents)).toEqual([[log[1]?.commit], [before]]);
    expect(log[2]?.commit).toBe(before);
    expect(new Set([log[0]?.commit, log[1]?.commit])).toEqual(new Set([first.commit, second.commit]));
  });

  it('the in-process lock serialises writers to the same branch: no race, both land', async () => {
    const { name, url } = await newRepo();
    const results = await Promise.all([
      writeBack(options(url)),
      writeBack(
        options(url, {
          changes: [{ file: 'helm/my-values.yaml', updates: [{ path: 'replicas', value: 7 }] }],
        }),
      ),
    ]);
    expect(results.map((result) => result.attempts)).toEqual([1, 1]);
    expect(await server.readFile(name, 'main', 'helm/my-values.yaml')).toContain('replicas: 7');
    expect(await server.readFile(name, 'main', 'helm/my-values.yaml')).toContain('tag: v2 # set by CI');
  });

  it('the race hook: another commit lands first, the edit is re-applied on top of it', async () => {
    const { name, url } = await newRepo();
    const hook = server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      beforeReceivePack: async ({ repo }) => {
        await server.commit(repo, 'main', {
          'helm/my-values.yaml': VALUES.replace('replicas: 2', 'replicas: 3'),
        });
      },
    });
    const result = await writeBack(options(url));
    expect(hook.hits).toBe(1);
    expect(result.attempts).toBe(2);
    expect(await server.readFile(name, 'main', 'helm/my-values.yaml')).toBe(
      VALUES.replace('replicas: 2', 'replicas: 3').replace('tag: v1', 'tag: v2'),
    );
    const log = await server.log(name, 'main', { maxCount: 2 });
    expect(log[0]?.commit).toBe(result.commit);
    expect(log[0]?.parents).toEqual([log[1]?.commit]);
  });

  it('the race hook: when the racer already set the value, the re-applied edit is a no-op without a commit', async () => {
    const { name, url } = await newRepo();
    let racer: string | undefined;
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      beforeReceivePack: async ({ repo }) => {
        racer = await server.commit(repo, 'main', {
          'helm/my-values.yaml': VALUES.replace('tag: v1', 'tag: v2'),
        });
      },
    });
    const result = await writeBack(options(url));
    expect(result).toMatchObject({ commit: null, changed: false, attempts: 2, parent: racer });
    expect(await server.headOf(name, 'main')).toBe(racer);
  });

  it('the race hook: a file or key that disappeared ends in PushConflictError', async () => {
    const { name, url } = await newRepo();
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      beforeReceivePack: ({ repo }) =>
        server.commit(repo, 'main', { 'helm/my-values.yaml': null }).then(() => {}),
    });
    const gone = await writeBack(options(url)).catch((caught: unknown) => caught);
    expect(PushConflictError.isInstance(gone)).toBe(true);
    expect((gone as PushConflictError).file).toBe('helm/my-values.yaml');

    const other = await newRepo();
    server.inject({
      repo: other.name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      beforeReceivePack: ({ repo }) =>
        server.commit(repo, 'main', { 'helm/my-values.yaml': 'replicas: 2\n' }).then(() => {}),
    });
    const keyGone = await writeBack(options(other.url)).catch((caught: unknown) => caught);
    expect(PushConflictError.isInstance(keyGone)).toBe(true);
  });

  it('gives up with PushConflictError when the branch keeps moving', async () => {
    const { name, url } = await newRepo();
    let counter = 0;
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      beforeReceivePack: async ({ repo }) => {
        counter += 1;
        await server.commit(repo, 'main', { 'README.md': `# deploy ${counter}\n` });
      },
    });
    const error = await writeBack(
      options(url, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }),
    ).catch((caught: unknown) => caught);
    expect(PushConflictError.isInstance(error)).toBe(true);
    expect((error as PushConflictError).attempts).toBe(3);
    expect(counter).toBe(3);
  });

  it('the drop-after-push hook: the push landed, the write-back reads the branch back and succeeds', async () => {
    const { name, url } = await newRepo();
    const drop = server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      dropConnectionAfterResponseStarts: true,
    });
    const result = await writeBack(options(url));
    expect(drop.hits).toBe(1);
    expect(result).toMatchObject({ changed: true, attempts: 1 });
    expect(await server.headOf(name, 'main')).toBe(result.commit);
    expect(server.countRequests({ repo: name, service: 'git-receive-pack', phase: 'rpc' })).toBe(1);
  });

  it('connection lost after the push and the branch unreadable: PushOutcomeUnknownError with the commit id', async () => {
    const { name, url } = await newRepo();
    const drop = server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      dropConnectionAfterResponseStarts: true,
    });
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'advertisement',
      when: () => drop.hits > 0,
      respondWithStatus: 503,
    });
    const error = await writeBack(options(url)).catch((caught: unknown) => caught);
    expect(PushOutcomeUnknownError.isInstance(error)).toBe(true);
    expect((error as PushOutcomeUnknownError).commit).toBe(await server.headOf(name, 'main'));
  });

  it('the server going away: ConnectionError after the bounded retries', async () => {
    const doomed = await GitServer.start({ auth });
    const repo = await doomed.createRepo('gone', { 'helm/my-values.yaml': VALUES });
    await doomed.stop();
    const startedAt = performance.now();
    const error = await writeBack(
      options(repo.url, { retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } }),
    ).catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as ConnectionError).causeCode).toBe('ECONNREFUSED');
    expect(performance.now() - startedAt).toBeLessThan(5_000);
  });

  it('abort after the push was applied and before its answer: the outcome is read back, the commit reported', async () => {
    const { name, url } = await newRepo();
    const before = await server.headOf(name, 'main');
    // git applies the push at once; the answer is held back, and the caller aborts in that window.
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      delayResponseMs: 3_000,
      times: 1,
    });
    const controller = new AbortController();
    const pending = writeBack(options(url, { signal: controller.signal }));
    const deadline = Date.now() + 20_000;
    while ((await server.headOf(name, 'main')) === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    const result = await pending;
    expect(result.changed).toBe(true);
    expect(result.commit).toBe(await server.headOf(name, 'main'));
    expect(result.commit).not.toBe(before);
  });

  it('abort after the push was sent, not (yet) applied: PushOutcomeUnknownError with the commit, never a bare AbortError', async () => {
    const { name, url } = await newRepo();
    const before = await server.headOf(name, 'main');
    server.inject({ repo: name, service: 'git-receive-pack', phase: 'rpc', delayMs: 400, times: 1 });
    const controller = new AbortController();
    const pending = writeBack(options(url, { signal: controller.signal }));
    // Abort once the push request is on its way.
    const deadline = Date.now() + 10_000;
    while (
      server.countRequests({ repo: name, service: 'git-receive-pack', phase: 'rpc' }) === 0 &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    controller.abort();
    const error = await pending.catch((caught: unknown) => caught);
    expect(PushOutcomeUnknownError.isInstance(error)).toBe(true);
    expect((error as PushOutcomeUnknownError).commit).toMatch(/^[0-9a-f]{40}$/);
    expect((error as Error).message).toContain((error as PushOutcomeUnknownError).commit);
    expect(AbortError.isInstance((error as Error).cause)).toBe(true);
    // The server dropped the request its client left: the branch did not move.
    expect(await server.headOf(name, 'main')).toBe(before);
  });

  it('abort before anything was sent: a plain AbortError', async () => {
    const { name, url } = await newRepo();
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'advertisement',
      delayMs: 2_000,
      times: 1,
    });
    const controller = new AbortController();
    const pending = writeBack(options(url, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await pending.catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it('push options the server does not offer: UnsupportedGitServerError before anything is pushed', async () => {
    const { name, url } = await newRepo();
    const before = await server.headOf(name, 'main');
    server.resetRequests();
    // git offers push-options only with receive.advertisePushOptions, which the testkit server leaves off.
    const error = await writeBack(options(url, { pushOptions: ['ci.skip'] })).catch(
      (caught: unknown) => caught,
    );
    expect(UnsupportedGitServerError.isInstance(error)).toBe(true);
    expect((error as UnsupportedGitServerError).reason).toBe('no-push-options');
    expect(server.countRequests({ repo: name, service: 'git-receive-pack', phase: 'rpc' })).toBe(0);
    expect(await server.headOf(name, 'main')).toBe(before);
  });

  it('pushes to a new branch for review, leaving the base branch untouched, then builds on it', async () => {
    const { name, url } = await newRepo();
    const base = await server.headOf(name, 'main');
    const first = await writeBack(options(url, { targetBranch: 'update/my-app-v2' }));
    expect(first.branch).toBe('update/my-app-v2');
    expect(await server.headOf(name, 'main')).toBe(base);
    expect(await server.headOf(name, 'update/my-app-v2')).toBe(first.commit);
    expect(first.parent).toBe(base);
    const second = await writeBack(
      options(url, {
        targetBranch: 'update/my-app-v2',
        changes: [{ file: 'helm/my-values.yaml', updates: [{ path: 'replicas', value: 4 }] }],
      }),
    );
    expect(second.parent).toBe(first.commit);
    expect(await server.readFile(name, 'update/my-app-v2', 'helm/my-values.yaml')).toContain('tag: v2');
    expect(await server.headOf(name, 'main')).toBe(base);
  });

  it('rejects unsafe paths, symlinks in the tree, missing files, bad refs and URLs with credentials', async () => {
    const { url } = await newRepo({ 'real/values.yaml': 'a: 1\n' });
    for (const file of ['../x.yaml', '/etc/passwd', '.git/config', 'helm\\x.yaml', 'a\0b', 'helm/./x', '']) {
      const error = await writeBack(options(url, { changes: [{ file, edit: (text) => text }] })).catch(
        (caught: unknown) => caught,
      );
      expect(PathOutsideRepoError.isInstance(error), file).toBe(true);
    }
    const linked = await newRepo({ 'linked/values.yaml': { symlinkTo: '../helm/my-values.yaml' } as never });
    await server.commit(linked.name, 'main', { 'dir-link': { symlinkTo: 'helm' } });
    for (const file of ['linked/values.yaml', 'dir-link/my-values.yaml']) {
      const error = await writeBack(
        options(linked.url, { changes: [{ file, updates: [{ path: 'image.tag', value: 'x' }] }] }),
      ).catch((caught: unknown) => caught);
      expect(PathOutsideRepoError.isInstance(error), file).toBe(true);
    }
    const missing = await writeBack(
      options(url, { changes: [{ file: 'nope.yaml', edit: (text) => text }] }),
    ).catch((caught: unknown) => caught);
    expect(FileNotFoundInRepoError.isInstance(missing)).toBe(true);
    for (const branch of ['', 'a..b', 'refs/heads/main', '-x', 'a b', 'x.lock', 'a//b', 'x~1']) {
      const error = await writeBack(options(url, { branch })).catch((caught: unknown) => caught);
      expect(ValidationError.isInstance(error), branch).toBe(true);
    }
    const withCredentials = url.replace('http://', `http://${USERNAME}:${PASSWORD}@`);
    const error = await writeBack(options(withCredentials)).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(everythingIn(error)).not.toContain(PASSWORD);
  });
});

describe('writeBack fallbacks', { timeout: 60_000 }, () => {
  it('without filter support it fetches a full depth-1 snapshot; without protocol v2 it speaks v0', async () => {
    for (const serverOptions of [
      { allowFilter: false },
      { protocolV2: false },
      { protocolV2: false, allowFilter: false },
    ]) {
      const plain = await GitServer.start({ auth, ...serverOptions });
      try {
        await plain.createRepo('deploy', { 'helm/my-values.yaml': VALUES, 'other.txt': 'x\n' });
        const result = await writeBack(options(plain.repoUrl('deploy')));
        expect(result.fetchMode, JSON.stringify(serverOptions)).toBe(
          serverOptions.allowFilter === false ? 'full' : 'partial',
        );
        expect(await plain.readFile('deploy', 'main', 'helm/my-values.yaml')).toContain(
          'tag: v2 # set by CI',
        );
        // v2 is always asked for; the server decides.
        const discovery = plain.requests.find((record) => record.service === 'git-upload-pack');
        expect(discovery?.gitProtocol).toBe('version=2');
      } finally {
        await plain.stop();
      }
    }
  });
  it('falls back to a full snapshot when the server refuses the single-blob fetch', async () => {
    const strict = await GitServer.start({ auth });
    try {
      await strict.createRepo('deploy', { 'helm/my-values.yaml': VALUES, 'other.txt': 'x\n' });
      let uploadPackPosts = 0;
      const refusal = strict.inject({
        service: 'git-upload-pack',
        phase: 'rpc',
        // The second fetch is the one that asks for the blob by id.
        when: () => ++uploadPackPosts === 2,
        respondWithStatus: 400,
      });
      const result = await writeBack(options(strict.repoUrl('deploy')));
      expect(refusal.hits).toBe(1);
      expect(result.changed).toBe(true);
      expect(await strict.readFile('deploy', 'main', 'helm/my-values.yaml')).toContain('tag: v2 # set by CI');
      expect(uploadPackPosts).toBe(3);
    } finally {
      await strict.stop();
    }
  });

  it('over protocol v0, partial fetch needs allow-*-sha1-in-want; without it the snapshot is full', async () => {
    const v0 = await GitServer.start({ auth, protocolV2: false, allowAnyObjectInWant: false });
    try {
      await v0.createRepo('deploy', { 'helm/my-values.yaml': VALUES });
      expect((await writeBack(options(v0.repoUrl('deploy')))).fetchMode).toBe('full');
    } finally {
      await v0.stop();
    }
  });
});

describe('the canary password', { timeout: 60_000 }, () => {
  it('never appears in errors, logs or files', async () => {
    const tmpBefore = new Set(await readdir(tmpdir()));
    const lines: string[] = [];
    const record = (...parts: unknown[]) => lines.push(parts.map((part) => everythingIn(part)).join(' '));
    const logger = { debug: record, info: record, warn: record, error: record };
    const { name, url } = await newRepo();
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      beforeReceivePack: ({ repo }) => server.commit(repo, 'main', { 'README.md': 'raced\n' }).then(() => {}),
    });
    server.inject({
      repo: name,
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      dropConnectionAfterResponseStarts: true,
    });
    const result = await writeBack(options(url, { logger }));
    expect(result.attempts).toBe(2);
    const errors: unknown[] = [];
    server.inject({
      repo: name,
      service: 'git-upload-pack',
      phase: 'rpc',
      times: 3,
      respondWithStatus: 500,
      responseBody: 'boom',
    });
    errors.push(
      await writeBack(options(url, { logger, retry: { maxAttempts: 2, baseDelayMs: 1 } })).catch(
        (caught: unknown) => caught,
      ),
    );
    errors.push(
      await writeBack(options(url, { logger, auth: { username: PASSWORD, password: PASSWORD } })).catch(
        (caught: unknown) => caught,
      ),
    );
    expect(errors.every((error) => error instanceof Error)).toBe(true);
    expect(lines.length).toBeGreaterThan(2);
    for (const text of [...lines, ...errors.map(everythingIn)]) expect(text).not.toContain(PASSWORD);
    expect(await filesContaining(server.rootDirectory, PASSWORD)).toEqual([]);
    // Whatever appeared in the temporary directory meanwhile (write-back itself writes nothing) holds no secret.
    const created = (await readdir(tmpdir())).filter((entry) => !tmpBefore.has(entry));
    for (const entry of created) expect(await filesContaining(join(tmpdir(), entry), PASSWORD)).toEqual([]);
  });
});
