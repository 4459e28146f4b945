import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GitServer } from '../src/index.js';
import { basicAuthConfig, git as cli } from './git-cli.js';

const USERNAME = 'deploy-bot';
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const author = { name: 'Test', email: 'test@example.invalid' };

let workDirectory: string;
beforeEach(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'git-server-test-'));
});
afterEach(async () => {
  await rm(workDirectory, { recursive: true, force: true });
});

async function isoClone(url: string, dir: string, password = PASSWORD): Promise<void> {
  await git.clone({
    fs,
    http,
    dir,
    url,
    ref: 'main',
    singleBranch: true,
    depth: 1,
    onAuth: () => ({ username: USERNAME, password }),
    onAuthFailure: () => ({ cancel: true }),
  });
}

async function isoCommit(dir: string, path: string, content: string, message: string): Promise<string> {
  await writeFile(join(dir, path), content);
  await git.add({ fs, dir, filepath: path });
  return git.commit({ fs, dir, message, author });
}

async function isoPush(dir: string): Promise<unknown> {
  return git.push({
    fs,
    http,
    dir,
    remote: 'origin',
    ref: 'main',
    onAuth: () => ({ username: USERNAME, password: PASSWORD }),
    onAuthFailure: () => ({ cancel: true }),
  });
}

describe('GitServer with the git CLI (no auth)', { timeout: 60_000 }, () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await GitServer.start();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('serves a clone and accepts a push that readFile and log then show', async () => {
    const repo = await server.createRepo('cli', {
      'helm/values.yaml': 'image:\n  tag: v1\n',
      'README.md': '# hi\n',
    });
    expect(repo.url).toBe(`${server.url}/cli.git`);
    const clone = join(workDirectory, 'clone');
    const cloned = await cli(['clone', '--quiet', '--depth', '1', repo.url, clone], { home: workDirectory });
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    expect(await readFile(join(clone, 'helm/values.yaml'), 'utf8')).toBe('image:\n  tag: v1\n');

    await writeFile(join(clone, 'helm/values.yaml'), 'image:\n  tag: v2\n');
    expect(
      (await cli(['commit', '--quiet', '-am', 'bump tag'], { cwd: clone, home: workDirectory })).exitCode,
    ).toBe(0);
    const pushed = await cli(['push', '--quiet', 'origin', 'main'], { cwd: clone, home: workDirectory });
    expect(pushed.exitCode, pushed.stderr).toBe(0);

    expect(await server.readFile('cli', 'main', 'helm/values.yaml')).toBe('image:\n  tag: v2\n');
    const log = await server.log('cli', 'main');
    expect(log.map((entry) => entry.message)).toEqual(['bump tag', 'initial commit']);
    expect(log[0]?.parents).toEqual([repo.head]);
    expect(log[0]?.author).toEqual(author);
    expect(server.countRequests({ repo: 'cli', service: 'git-receive-pack', phase: 'rpc' })).toBe(1);
  });

  it('builds large repositories cheaply: many files spread over many commits', async () => {
    const files: Record<string, string> = {};
    for (let index = 0; index < 320; index += 1)
      files[`charts/app-${index}/values.yaml`] = `replicas: ${index}\n`;
    const startedAt = performance.now();
    await server.createRepo('large', files, { commits: 210 });
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(await server.listFiles('large', 'main')).toHaveLength(320);
    expect(await server.log('large', 'main')).toHaveLength(210);
    expect(await server.readFile('large', 'main', 'charts/app-319/values.yaml')).toBe('replicas: 319\n');
  });

  it('creates a repository from a directory, keeping symlinks and executable bits, and commits deletions', async () => {
    const source = join(workDirectory, 'source');
    await mkdir(join(source, 'bin'), { recursive: true });
    await writeFile(join(source, 'values.yaml'), 'tag: v1\n');
    await writeFile(join(source, 'bin/run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    await symlink('../values.yaml', join(source, 'bin/link.yaml'));
    await server.createRepo('from-dir', { fromDir: source });
    const tree = await cli(['--git-dir', server.repoDirectory('from-dir'), 'ls-tree', '-r', 'main'], {
      home: workDirectory,
    });
    expect(tree.stdout).toMatch(/^120000 blob \w+\tbin\/link\.yaml$/m);
    expect(tree.stdout).toMatch(/^100755 blob \w+\tbin\/run\.sh$/m);
    expect(tree.stdout).toMatch(/^100644 blob \w+\tvalues\.yaml$/m);

    const before = await server.headOf('from-dir', 'main');
    const id = await server.commit(
      'from-dir',
      'main',
      { 'bin/run.sh': null, 'new.txt': 'n\n' },
      { message: 'edit' },
    );
    expect((await server.log('from-dir', 'main'))[0]).toMatchObject({
      commit: id,
      parents: [before],
      message: 'edit',
    });
    expect(await server.listFiles('from-dir', 'main')).toEqual(['bin/link.yaml', 'new.txt', 'values.yaml']);
    await expect(server.readFile('from-dir', 'main', 'bin/run.sh')).rejects.toThrow();
  });

  it('passes gzip-encoded request bodies through to http-backend', async () => {
    await server.createRepo('gzip', { 'a.txt': 'a\n' });
    // Many distinct refs make the fetch request larger than the 1 KiB above which git gzips it.
    for (let index = 0; index < 24; index += 1) {
      await server.commit('gzip', `feature/branch-${index}`, { 'a.txt': `${index}\n` }, { from: 'main' });
    }
    server.resetRequests();
    const cloned = await cli(
      ['clone', '--quiet', '--mirror', server.repoUrl('gzip'), join(workDirectory, 'm')],
      {
        home: workDirectory,
      },
    );
    expect(cloned.exitCode, cloned.stderr).toBe(0);
    expect(server.requests.some((record) => record.contentEncoding === 'gzip' && record.status === 200)).toBe(
      true,
    );
    const refs = await cli(['--git-dir', join(workDirectory, 'm'), 'for-each-ref', '--count=100'], {
      home: workDirectory,
    });
    expect(refs.stdout.trim().split('\n')).toHaveLength(25);
  });

  it('answers with an injected status, a limited number of times, and delays requests', async () => {
    await server.createRepo('faults', { 'a.txt': 'a\n' });
    const fault = server.inject({ repo: 'faults', phase: 'advertisement', respondWithStatus: 503, times: 1 });
    const failed = await cli(['ls-remote', server.repoUrl('faults')], { home: workDirectory });
    expect(failed.exitCode).not.toBe(0);
    expect(failed.stderr).toMatch(/503/);
    expect(fault.hits).toBe(1);
    expect((await cli(['ls-remote', server.repoUrl('faults')], { home: workDirectory })).exitCode).toBe(0);

    server.inject({ repo: 'faults', phase: 'advertisement', delayMs: 300, times: 1 });
    server.resetRequests();
    const startedAt = performance.now();
    expect((await cli(['ls-remote', server.repoUrl('faults')], { home: workDirectory })).exitCode).toBe(0);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(300);
    expect(server.requests[0]?.durationMs).toBeGreaterThanOrEqual(290);
  });
});

describe('GitServer with Basic auth', { timeout: 60_000 }, () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await GitServer.start({ auth: { username: USERNAME, password: PASSWORD } });
    await server.createRepo('deploy', { 'values.yaml': 'tag: v1\n', 'other.yaml': 'x: 1\n' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('git CLI: refuses missing or wrong credentials and accepts the right ones for clone and push', async () => {
    const url = server.repoUrl('deploy');
    const anonymous = await cli(['ls-remote', url], { home: workDirectory });
    expect(anonymous.exitCode).not.toBe(0);
    const wrong = await cli([...basicAuthConfig(USERNAME, 'not-the-password'), 'ls-remote', url], {
      home: workDirectory,
    });
    expect(wrong.exitCode).not.toBe(0);
    expect(`${wrong.stdout}${wrong.stderr}`).toMatch(/401|Authentication failed|could not read Username/);
    expect(server.requests.filter((record) => record.status === 401).length).toBeGreaterThanOrEqual(2);

    const clone = join(workDirectory, 'clone');
    const auth = basicAuthConfig(USERNAME, PASSWORD);
    expect(
      (await cli([...auth, 'clone', '--quiet', '--depth', '1', url, clone], { home: workDirectory }))
        .exitCode,
    ).toBe(0);
    await writeFile(join(clone, 'values.yaml'), 'tag: cli\n');
    await cli(['commit', '--quiet', '-am', 'cli push'], { cwd: clone, home: workDirectory });
    const pushed = await cli([...auth, 'push', '--quiet', 'origin', 'main'], {
      cwd: clone,
      home: workDirectory,
    });
    expect(pushed.exitCode, pushed.stderr).toBe(0);
    expect(await server.readFile('deploy', 'main', 'values.yaml')).toBe('tag: cli\n');
    expect(
      server.requests.some((record) => record.authenticated && record.service === 'git-receive-pack'),
    ).toBe(true);
  });

  it('isomorphic-git: clone and push with onAuth; a wrong password fails without a secret in the error', async () => {
    const dir = join(workDirectory, 'iso');
    await isoClone(server.repoUrl('deploy'), dir);
    const id = await isoCommit(dir, 'values.yaml', 'tag: iso\n', 'iso push');
    await isoPush(dir);
    expect(await server.headOf('deploy', 'main')).toBe(id);
    expect(await server.readFile('deploy', 'main', 'values.yaml')).toBe('tag: iso\n');

    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    const failure = await isoClone(
      server.repoUrl('deploy'),
      join(workDirectory, 'iso-wrong'),
      wrongPassword,
    ).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.code).toBe('UserCanceledError');
    expect(JSON.stringify({ message: failure?.message, stack: failure?.stack })).not.toContain(wrongPassword);
  });

  it('the beforeReceivePack hook lands a commit first: the push is rejected, and a second push is non-fast-forward', async () => {
    const dir = join(workDirectory, 'race');
    await isoClone(server.repoUrl('deploy'), dir);
    const ours = await isoCommit(dir, 'values.yaml', 'tag: ours\n', 'ours');
    let racer: string | undefined;
    const hook = server.inject({
      repo: 'deploy',
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      beforeReceivePack: async ({ repo }) => {
        racer = await server.commit(repo, 'main', { 'other.yaml': 'x: 2\n' }, { message: 'racer' });
      },
    });
    const first = await isoPush(dir).then(
      () => undefined,
      (error: unknown) =>
        error as Error & { code?: string; data?: { result?: { refs?: Record<string, { error?: string }> } } },
    );
    expect(hook.hits).toBe(1);
    expect(first?.code).toBe('GitPushError');
    expect(first?.data?.result?.refs?.['refs/heads/main']?.error).toMatch(/failed to update ref/);
    expect(await server.headOf('deploy', 'main')).toBe(racer);
    expect(await server.readFile('deploy', 'main', 'values.yaml')).not.toBe('tag: ours\n');

    const second = await isoPush(dir).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string; data?: { reason?: string } },
    );
    expect(second?.code).toBe('PushRejectedError');
    expect(second?.data?.reason).toBe('not-fast-forward');
    expect(await server.headOf('deploy', 'main')).toBe(racer);
    expect(racer).not.toBe(ours);
  });

  it('the drop hook breaks the connection after the push was applied on the server', async () => {
    const dir = join(workDirectory, 'drop');
    await isoClone(server.repoUrl('deploy'), dir);
    const ours = await isoCommit(dir, 'values.yaml', 'tag: dropped\n', 'dropped');
    server.inject({
      repo: 'deploy',
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      dropConnectionAfterResponseStarts: true,
    });
    const failure = await isoPush(dir).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(await server.headOf('deploy', 'main')).toBe(ours);
    expect(server.requests.at(-1)).toMatchObject({ service: 'git-receive-pack', phase: 'rpc', status: -1 });

    const clone = join(workDirectory, 'drop-cli');
    const auth = basicAuthConfig(USERNAME, PASSWORD);
    await cli([...auth, 'clone', '--quiet', '--depth', '1', server.repoUrl('deploy'), clone], {
      home: workDirectory,
    });
    await writeFile(join(clone, 'values.yaml'), 'tag: dropped-cli\n');
    await cli(['commit', '--quiet', '-am', 'dropped cli'], { cwd: clone, home: workDirectory });
    server.inject({
      repo: 'deploy',
      service: 'git-receive-pack',
      phase: 'rpc',
      times: 1,
      dropConnectionAfterResponseStarts: true,
    });
    const pushed = await cli([...auth, 'push', '--quiet', 'origin', 'main'], {
      cwd: clone,
      home: workDirectory,
    });
    expect(pushed.exitCode).not.toBe(0);
    expect(await server.readFile('deploy', 'main', 'values.yaml')).toBe('tag: dropped-cli\n');
  });
});

describe('GitServer with allowPush: false', { timeout: 60_000 }, () => {
  it('the right credentials still clone, but a push is refused with HTTP 403 and the branch stays', async () => {
    const server = await GitServer.start({
      auth: { username: USERNAME, password: PASSWORD },
      allowPush: false,
    });
    try {
      const repo = await server.createRepo('deploy', { 'values.yaml': 'tag: v1\n' });
      const auth = basicAuthConfig(USERNAME, PASSWORD);
      const clone = join(workDirectory, 'clone');
      const cloned = await cli([...auth, 'clone', '--quiet', repo.url, clone], { home: workDirectory });
      expect(cloned.exitCode, cloned.stderr).toBe(0);
      await writeFile(join(clone, 'values.yaml'), 'tag: refused\n');
      await cli(['commit', '--quiet', '-am', 'refused push'], { cwd: clone, home: workDirectory });
      const pushed = await cli([...auth, 'push', '--quiet', 'origin', 'main'], {
        cwd: clone,
        home: workDirectory,
      });
      expect(pushed.exitCode).not.toBe(0);
      expect(
        server.requests.some((record) => record.service === 'git-receive-pack' && record.status === 403),
      ).toBe(true);
      expect(await server.headOf('deploy', 'main')).toBe(repo.head);
    } finally {
      await server.stop();
    }
  });
});

describe('GitServer protocol v2 and partial-clone filters', { timeout: 60_000 }, () => {
  async function advertisement(server: GitServer, name: string, version2: boolean): Promise<string> {
    const headers: Record<string, string> = version2 ? { 'Git-Protocol': 'version=2' } : {};
    const response = await fetch(`${server.repoUrl(name)}/info/refs?service=git-upload-pack`, { headers });
    expect(response.status).toBe(200);
    return response.text();
  }

  it('speaks protocol v2 when asked and advertises filter by default', async () => {
    const server = await GitServer.start();
    try {
      await server.createRepo('v2', { 'a.txt': 'a\n' });
      const v2 = await advertisement(server, 'v2', true);
      expect(v2).toContain('version 2');
      expect(v2).toMatch(/fetch=[^\n]*filter/);
      const v0 = await advertisement(server, 'v2', false);
      expect(v0).not.toContain('version 2');
      expect(v0).toMatch(/ filter[ \n]/);
      expect(v0).toContain('allow-reachable-sha1-in-want');
      expect(server.requests[0]?.gitProtocol).toBe('version=2');

      const partial = join(workDirectory, 'partial');
      const cloned = await cli(
        ['-c', 'protocol.version=2', 'clone', '--quiet', '--filter=blob:none', server.repoUrl('v2'), partial],
        { home: workDirectory },
      );
      expect(cloned.exitCode, cloned.stderr).toBe(0);
      expect(await readFile(join(partial, 'a.txt'), 'utf8')).toBe('a\n');
    } finally {
      await server.stop();
    }
  });

  it('does not advertise filter when turned off, and ignores Git-Protocol when v2 is turned off', async () => {
    const server = await GitServer.start({ allowFilter: false, protocolV2: false });
    try {
      await server.createRepo('plain', { 'a.txt': 'a\n' });
      const asked = await advertisement(server, 'plain', true);
      expect(asked).not.toContain('version 2');
      expect(asked).not.toMatch(/filter/);
    } finally {
      await server.stop();
    }
    const v2NoFilter = await GitServer.start({ allowFilter: false });
    try {
      await v2NoFilter.createRepo('plain', { 'a.txt': 'a\n' });
      const v2 = await advertisement(v2NoFilter, 'plain', true);
      expect(v2).toContain('version 2');
      expect(v2).not.toMatch(/filter/);
      expect(await advertisement(v2NoFilter, 'plain', false)).not.toContain('allow-reachable-sha1-in-want');
    } finally {
      await v2NoFilter.stop();
    }
  });

  it('rejects invalid repository names and paths, and stop() removes the repositories', async () => {
    const server = await GitServer.start();
    await expect(server.createRepo('../escape', { 'a.txt': 'a' })).rejects.toThrow(TypeError);
    await expect(server.createRepo('ok', { '../a.txt': 'a' })).rejects.toThrow(TypeError);
    await expect(server.createRepo('ok2', { '.git/config': 'a' })).rejects.toThrow(TypeError);
    const response = await fetch(`${server.url}/nothing-here`);
    expect(response.status).toBe(404);
    await server.stop();
    expect(fs.existsSync(server.rootDirectory)).toBe(false);
    await server.stop();
  });
});
