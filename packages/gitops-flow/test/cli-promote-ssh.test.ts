import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshGitServer, type SshTestKey } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type PromotionReport, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type SeedEnvironment, startSeedEnvironment } from './environment.js';

/** `ssh-ed25519 AAAA…` of a fresh key: some other host's key. */
function anotherEd25519Key(): string {
  const raw = Buffer.from(
    generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string,
    'base64url',
  );
  const field = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
}

// The deploy repository reached over SSH (OpenSSH sshd + git-shell, the same bare repository the Argo CD
// emulator renders from), with a deploy key and known_hosts as files, the way a Tekton task mounts them.
describe('gitops-flow promote (CLI) with an SSH deploy repository', { timeout: 120_000 }, () => {
  let env: SeedEnvironment;
  let ssh: SshGitServer;
  let key: SshTestKey;
  let files: string;
  beforeAll(async () => {
    env = await startSeedEnvironment();
    ssh = await SshGitServer.start({ gitServer: env.git });
    key = await ssh.createClientKey('ed25519', { passphrase: 'deploy key passphrase' });
    files = await mkdtemp(join(tmpdir(), 'gitops-flow-ssh-'));
    await writeFile(join(files, 'known_hosts'), `${ssh.knownHosts}\n`);
    await writeFile(join(files, 'other_known_hosts'), `[127.0.0.1]:${ssh.port} ${anotherEd25519Key()}\n`);
  });
  afterAll(async () => {
    await ssh?.stop();
    await env?.stop();
    await rm(files, { recursive: true, force: true });
  });

  const baseArguments = () => [
    'promote',
    '--repo',
    ssh.scpLikeUrl('deploy'),
    '--file',
    'helm/my-values.yaml',
    '--app',
    'devops-demo',
    '--project',
    'demo',
    '--argocd-username',
    'admin',
    '--timeout',
    '30s',
  ];

  it('pushes with --git-ssh-key-file, --git-known-hosts-file and GIT_SSH_KEY_PASSPHRASE, then deploys', async () => {
    const io = captureIo({
      env: {
        ARGOCD_SERVER: env.argocd.url,
        ARGOCD_PASSWORD: env.argocdPassword,
        GIT_SSH_KEY_PASSPHRASE: 'deploy key passphrase',
      },
    });
    const code = await runCli(
      [
        ...baseArguments(),
        '--git-ssh-key-file',
        key.privateKeyFile,
        '--git-known-hosts-file',
        join(files, 'known_hosts'),
        '--set',
        'image.tag=ssh-1',
        '--output',
        'json',
      ],
      io,
    );
    expect(code, io.err()).toBe(ExitCode.success);
    const report = JSON.parse(io.out()) as PromotionReport;
    expect(report.outcome).toBe('succeeded');
    expect(await env.git.readFile('deploy', 'main', 'helm/my-values.yaml')).toContain('ssh-1');
    expect(io.err()).not.toContain('deploy key passphrase');
    expect((await ssh.commands()).some((record) => record.command.startsWith('git-receive-pack'))).toBe(true);
  });

  it('takes the key itself from GIT_SSH_KEY; a host key not in known_hosts fails without pushing', async () => {
    const head = await env.git.headOf('deploy', 'main');
    const io = captureIo({
      env: {
        ARGOCD_SERVER: env.argocd.url,
        ARGOCD_PASSWORD: env.argocdPassword,
        GIT_SSH_KEY: key.privateKey,
        GIT_SSH_KEY_PASSPHRASE: 'deploy key passphrase',
      },
    });
    const code = await runCli(
      [
        ...baseArguments(),
        '--git-known-hosts-file',
        join(files, 'other_known_hosts'),
        '--set',
        'image.tag=ssh-2',
      ],
      io,
    );
    expect(code).toBe(ExitCode.error);
    expect(io.err()).toContain('host key verification failed');
    expect(io.err()).toMatch(new RegExp(`\\[127\\.0\\.0\\.1\\]:${ssh.port} \\(ssh-ed25519 SHA256:`));
    expect(io.err()).not.toContain(key.privateKey.split('\n')[1] as string);
    expect(await env.git.headOf('deploy', 'main')).toBe(head);
  });

  it('an SSH repository without a key is a usage error naming the flags', async () => {
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url, ARGOCD_PASSWORD: env.argocdPassword } });
    const code = await runCli([...baseArguments(), '--set', 'image.tag=ssh-3'], io);
    expect(code).toBe(ExitCode.usage);
    expect(io.err()).toContain('--git-ssh-key-file');
  });
});
