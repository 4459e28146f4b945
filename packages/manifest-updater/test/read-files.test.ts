import { randomBytes } from 'node:crypto';
import { AuthenticationError, ResponseTooLargeError, ValidationError } from '@gitops-kit/core';
import { GitServer, SshGitServer, type SshTestKey } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BranchNotFoundError,
  FileNotFoundInRepoError,
  PathOutsideRepoError,
  type ReadFilesOptions,
  readFiles,
  writeBack,
} from '../src/index.js';

const USERNAME = 'reader';
const PASSWORD = `canary-${randomBytes(16).toString('hex')}`;
const auth = { username: USERNAME, password: PASSWORD };

const VALUES = 'image:\n  tag: v1 # set by CI\n';
const PROD = 'image:\n  tag: v0\n';

/** Message, stack, cause chain and JSON of an error, so a secret anywhere in it shows up. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth += 1) {
    parts.push(current.message, current.stack ?? '', JSON.stringify(current));
    current = (current as Error & { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

describe('readFiles over smart HTTP (git http-backend)', { timeout: 60_000 }, () => {
  let server: GitServer;
  let v0: GitServer;
  let url: string;
  beforeAll(async () => {
    // What a read-only credential meets: http-backend refuses git-receive-pack (HTTP 403; `http.receivepack=false`,
    // git-http-backend(1)) while git-upload-pack works.
    server = await GitServer.start({ auth, allowPush: false });
    const repo = await server.createRepo('deploy', {
      'env/dev/values.yaml': VALUES,
      'env/prod/values.yaml': PROD,
      'README.md': '# deploy\n',
    });
    url = repo.url;
    // A branch whose name starts like another one: a v2 ls-refs prefix matches both.
    await server.commit('deploy', 'release-2', { 'README.md': '# r2\n' }, { from: repo.head });
    v0 = await GitServer.start({ protocolV2: false, allowFilter: false, allowShallow: false });
    await v0.createRepo('deploy', { 'env/dev/values.yaml': VALUES });
  });
  afterAll(async () => {
    await server?.stop();
    await v0?.stop();
  });

  const options = (overrides: Partial<ReadFilesOptions> = {}): ReadFilesOptions => ({
    url,
    branch: 'main',
    auth,
    files: ['env/dev/values.yaml', 'env/prod/values.yaml'],
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });

  it('reads where pushing is refused: only upload-pack is asked for (v2 ls-refs, partial fetch)', async () => {
    // The write-back client cannot even start here: it asks for the receive-pack advertisement first.
    const refused = await writeBack({
      url,
      branch: 'main',
      auth,
      retry: false,
      changes: [{ file: 'env/dev/values.yaml', edit: (text) => text }],
    }).catch((error: unknown) => error);
    expect(AuthenticationError.isInstance(refused)).toBe(true);

    server.resetRequests();
    const result = await readFiles(options());
    expect(result.head).toBe(await server.headOf('deploy', 'main'));
    expect(result.branch).toBe('main');
    expect([...result.files]).toEqual([
      ['env/dev/values.yaml', VALUES],
      ['env/prod/values.yaml', PROD],
    ]);
    expect(result.fetchMode).toBe('partial');
    expect(server.countRequests({ service: 'git-receive-pack' })).toBe(0);
    const rpcs = server.requests.filter((request) => request.phase === 'rpc');
    // ls-refs, the filtered fetch of commit and trees, one fetch of both blobs.
    expect(rpcs).toHaveLength(3);
    expect(rpcs.every((request) => request.gitProtocol === 'version=2')).toBe(true);
  });

  it('with no files, reads the head alone (no fetch of objects)', async () => {
    server.resetRequests();
    const result = await readFiles(options({ files: [] }));
    expect(result).toEqual({
      head: await server.headOf('deploy', 'main'),
      branch: 'main',
      files: new Map(),
      fetchMode: 'none',
    });
    expect(server.countRequests({ phase: 'rpc' })).toBe(1);
  });

  it('a missing file is FileNotFoundInRepoError, or undefined with allowMissing', async () => {
    const error = await readFiles(options({ files: ['env/dev/values.yaml', 'env/qa/values.yaml'] })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FileNotFoundInRepoError);
    expect(error).toMatchObject({ code: 'FILE_NOT_FOUND', file: 'env/qa/values.yaml' });
    expect((error as Error).message).toBe('file "env/qa/values.yaml" does not exist on branch main');
    const tolerant = await readFiles(options({ files: ['env/qa/values.yaml', 'env'], allowMissing: true }));
    // A directory is not a file either.
    expect([...tolerant.files]).toEqual([
      ['env/qa/values.yaml', undefined],
      ['env', undefined],
    ]);
  });

  it('a missing branch is BranchNotFoundError, even when another branch starts with its name', async () => {
    const error = await readFiles(options({ branch: 'release' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BranchNotFoundError);
    expect(error).toMatchObject({ code: 'BRANCH_NOT_FOUND', branch: 'release' });
    expect(
      (await readFiles(options({ branch: 'release-2', files: ['README.md'] }))).files.get('README.md'),
    ).toBe('# r2\n');
  });

  it('wrong credentials: AuthenticationError at once, without the secret', async () => {
    const secret = `wrong-${randomBytes(8).toString('hex')}`;
    const error = await readFiles(options({ auth: { username: USERNAME, password: secret } })).catch(
      (caught: unknown) => caught,
    );
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect(everythingIn(error)).not.toContain(secret);
    expect(everythingIn(error)).not.toContain(Buffer.from(`${USERNAME}:${secret}`).toString('base64'));
  });

  it('refuses credentials in the URL, paths outside the repository and a bad branch before any request', async () => {
    server.resetRequests();
    const withPassword = url.replace('http://', `http://${USERNAME}:${PASSWORD}@`);
    const { auth: _unused, ...anonymous } = options({ url: withPassword });
    const bad = await readFiles(anonymous).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(everythingIn(bad)).not.toContain(PASSWORD);
    await expect(readFiles(options({ files: ['../etc/passwd'] }))).rejects.toBeInstanceOf(
      PathOutsideRepoError,
    );
    await expect(readFiles(options({ branch: 'a..b' }))).rejects.toBeInstanceOf(ValidationError);
    await expect(readFiles(options({ ssh: { privateKey: 'x' } }))).rejects.toBeInstanceOf(ValidationError);
    for (const maxUnpackedBytes of [0, -1, Number.NaN]) {
      await expect(readFiles(options({ maxUnpackedBytes }))).rejects.toThrow(/maxUnpackedBytes must be > 0/);
      await expect(
        writeBack({
          url,
          branch: 'main',
          auth,
          maxUnpackedBytes,
          changes: [{ file: 'x.yaml', edit: (t) => t }],
        }),
      ).rejects.toThrow(/maxUnpackedBytes must be > 0/);
    }
    expect(server.requests).toHaveLength(0);
  });

  it('a file that unpacks past maxUnpackedBytes is ResponseTooLargeError (the compressed answer is small)', async () => {
    const large = `${'# padding\n'.repeat(400_000)}image:\n  tag: v1\n`;
    const main = await server.headOf('deploy', 'main');
    expect(main).toMatch(/^[0-9a-f]{40}$/);
    await server.commit('deploy', 'large', { 'env/large/values.yaml': large }, { from: main as string });
    const files = ['env/large/values.yaml'];
    const refused = await readFiles(options({ branch: 'large', files, maxUnpackedBytes: 1024 * 1024 })).catch(
      (error: unknown) => error,
    );
    expect(ResponseTooLargeError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/maxUnpackedBytes/);
    const read = await readFiles(options({ branch: 'large', files }));
    expect(read.files.get('env/large/values.yaml')).toBe(large);
  });

  it('protocol v0 without filter or shallow: the head from the advertisement, a capped full fetch', async () => {
    v0.resetRequests();
    const result = await readFiles({
      url: v0.repoUrl('deploy'),
      branch: 'main',
      files: ['env/dev/values.yaml'],
    });
    expect(result.head).toBe(await v0.headOf('deploy', 'main'));
    expect(result.files.get('env/dev/values.yaml')).toBe(VALUES);
    expect(result.fetchMode).toBe('full');
    expect(v0.countRequests({ service: 'git-receive-pack' })).toBe(0);
    const tooSmall = await readFiles({
      url: v0.repoUrl('deploy'),
      branch: 'main',
      files: ['env/dev/values.yaml'],
      maxHistoryBytes: 16,
    }).catch((caught: unknown) => caught);
    expect(tooSmall).toMatchObject({ code: 'GIT_FETCH_TOO_LARGE' });
  });
});

describe('readFiles over SSH (OpenSSH sshd + git-shell)', { timeout: 60_000 }, () => {
  let git: GitServer;
  let ssh: SshGitServer;
  let sshV0: SshGitServer;
  let key: SshTestKey;
  beforeAll(async () => {
    git = await GitServer.start();
    await git.createRepo('deploy', { 'env/dev/values.yaml': VALUES, 'env/prod/values.yaml': PROD });
    ssh = await SshGitServer.start({ gitServer: git });
    sshV0 = await SshGitServer.start({ gitServer: git, protocolV2: false });
    key = await ssh.createClientKey('ed25519');
    await sshV0.authorizeKey(key.publicKey);
  });
  afterAll(async () => {
    await ssh?.stop();
    await sshV0?.stop();
    await git?.stop();
  });

  for (const version of ['v2', 'v0'] as const) {
    it(`reads through git-upload-pack alone (protocol ${version}, scp-like and ssh:// URLs)`, async () => {
      const server = version === 'v2' ? ssh : sshV0;
      const before = (await server.commands()).length;
      for (const url of [server.scpLikeUrl('deploy'), server.repoUrl('deploy')]) {
        const result = await readFiles({
          url,
          branch: 'main',
          files: ['env/prod/values.yaml'],
          ssh: { privateKey: key.privateKey, knownHosts: server.knownHosts },
        });
        expect(result.head).toBe(await git.headOf('deploy', 'main'));
        expect(result.files.get('env/prod/values.yaml')).toBe(PROD);
      }
      const commands = (await server.commands()).slice(before);
      expect(commands.length).toBeGreaterThan(0);
      expect(commands.every((record) => record.command.startsWith('git-upload-pack '))).toBe(true);
      expect(commands.every((record) => record.gitProtocol === (version === 'v2' ? 'version=2' : ''))).toBe(
        true,
      );
    });
  }

  it('a missing branch and a missing file give the same typed errors as over HTTP', async () => {
    const base = {
      url: ssh.repoUrl('deploy'),
      ssh: { privateKey: key.privateKey, knownHosts: ssh.knownHosts },
    };
    await expect(
      readFiles({ ...base, branch: 'nope', files: ['env/dev/values.yaml'] }),
    ).rejects.toBeInstanceOf(BranchNotFoundError);
    await expect(readFiles({ ...base, branch: 'main', files: ['nope.yaml'] })).rejects.toBeInstanceOf(
      FileNotFoundInRepoError,
    );
  });
});
