import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitServer, SshGitServer, type SshTestKey } from '../src/index.js';

function git(args: string[], env: NodeJS.ProcessEnv, cwd?: string) {
  return new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile(
      'git',
      args,
      { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', ...env } },
      (error, _out, stderr) => resolve({ code: error ? 1 : 0, stderr }),
    );
  });
}

describe('SshGitServer (OpenSSH sshd + git-shell)', () => {
  let server: GitServer;
  let ssh: SshGitServer;
  let sshV0: SshGitServer;
  let key: SshTestKey;
  let scratch: string;
  beforeAll(async () => {
    server = await GitServer.start();
    await server.createRepo('deploy', { 'values.yaml': 'tag: v1\n' });
    ssh = await SshGitServer.start({ gitServer: server });
    sshV0 = await SshGitServer.start({ gitServer: server, protocolV2: false });
    key = await ssh.createClientKey('ed25519');
    await sshV0.authorizeKey(key.publicKey);
    await ssh.writeKnownHostsFile();
    await sshV0.writeKnownHostsFile();
    scratch = await mkdtemp(join(tmpdir(), 'ssh-git-server-test-'));
  });
  afterAll(async () => {
    await ssh?.stop();
    await sshV0?.stop();
    await server?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('the git CLI clones and pushes over SSH; the push lands in the GitServer repository', async () => {
    const env = { GIT_SSH_COMMAND: ssh.gitSshCommand(key), HOME: scratch, GIT_PROTOCOL: '' };
    const directory = join(scratch, 'clone');
    const clone = await git(
      ['-c', 'protocol.version=2', 'clone', '--quiet', ssh.repoUrl('deploy'), directory],
      env,
    );
    expect(clone.code, clone.stderr).toBe(0);
    expect(await readFile(join(directory, 'values.yaml'), 'utf8')).toBe('tag: v1\n');
    await writeFile(join(directory, 'values.yaml'), 'tag: v2\n');
    const identity = ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid'];
    expect((await git([...identity, 'commit', '--quiet', '-am', 'bump'], env, directory)).code).toBe(0);
    const push = await git(['push', '--quiet', 'origin', 'main'], env, directory);
    expect(push.code, push.stderr).toBe(0);
    expect(await server.readFile('deploy', 'main', 'values.yaml')).toBe('tag: v2\n');
    const commands = await ssh.commands();
    expect(commands.find((record) => record.command.startsWith('git-upload-pack'))?.gitProtocol).toBe(
      'version=2',
    );
    expect(
      commands.some((record) => record.command === `git-receive-pack '${server.repoDirectory('deploy')}'`),
    ).toBe(true);
  });

  it('without AcceptEnv the v2 request does not reach git (protocol v0); the scp-like URL works', async () => {
    const env = { GIT_SSH_COMMAND: sshV0.gitSshCommand(key), HOME: scratch };
    const clone = await git(
      ['-c', 'protocol.version=2', 'clone', '--quiet', sshV0.scpLikeUrl('deploy'), join(scratch, 'clone-v0')],
      env,
    );
    expect(clone.code, clone.stderr).toBe(0);
    const commands = await sshV0.commands();
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.every((record) => record.gitProtocol === '')).toBe(true);
  });

  it('refuses a key that was not authorized, and shells other than git-shell commands', async () => {
    const stranger = await ssh.createClientKey('ecdsa', { authorize: false });
    const env = { GIT_SSH_COMMAND: ssh.gitSshCommand(stranger), HOME: scratch };
    const refused = await git(['ls-remote', ssh.repoUrl('deploy')], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Permission denied/);
    // An interactive command: git-shell (the forced command) refuses it.
    const shell = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        'ssh',
        [
          '-F',
          '/dev/null',
          '-i',
          key.privateKeyFile,
          '-o',
          'IdentitiesOnly=yes',
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          `UserKnownHostsFile=${join(ssh.directory, 'known_hosts')}`,
          '-o',
          'BatchMode=yes',
          '-p',
          String(ssh.port),
          `${ssh.username}@127.0.0.1`,
          'id',
        ],
        (error, _stdout, stderr) => resolve({ code: error ? 1 : 0, stderr }),
      );
    });
    expect(shell.code).toBe(1);
    expect(shell.stderr).toMatch(/unrecognized command 'id'/);
  });
});
