import { SshGitServer, type SshTestKey } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type ReleaseReport, runCli, type StageStatus } from '../src/index.js';
import { captureIo } from './cli-io.js';
import {
  type ReleaseCliFiles,
  releaseCliArguments,
  releaseCliEnvironment,
  writeReleaseCliFiles,
} from './cli-release-harness.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';

// `release promote | status` with SSH deploy repositories: dev names the repository scp-like and takes the default
// key (--git-ssh-key-file, ECDSA); staging and prod name it ssh:// and take their own key
// (--git-ssh-key-file-for, Ed25519). The host keys come from a known_hosts file, the passphrase from the environment.
describe('gitops-flow release with SSH deploy repositories', { timeout: 120_000 }, () => {
  let env: ReleaseEnvironment;
  let ssh: SshGitServer;
  let defaultKey: SshTestKey;
  let repositoryKey: SshTestKey;
  let files: ReleaseCliFiles;
  beforeAll(async () => {
    env = await startReleaseEnvironment({ prodApprovals: 0, prodAutoMerge: true });
    ssh = await SshGitServer.start({ gitServer: env.git });
    defaultKey = await ssh.createClientKey('ecdsa', { passphrase: 'release key passphrase' });
    repositoryKey = await ssh.createClientKey('ed25519', { passphrase: 'release key passphrase' });
    const stages = env.stages.map((stage, index) => ({
      ...stage,
      repository: {
        ...stage.repository,
        url: index === 0 ? ssh.scpLikeUrl('deploy') : ssh.repoUrl('deploy'),
      },
    }));
    files = await writeReleaseCliFiles(env, 'gitops-flow-release-ssh-', {
      stages,
      gitPassword: false,
      files: { known_hosts: `${ssh.knownHosts}\n` },
    });
  });
  afterAll(async () => {
    await ssh?.stop();
    await env?.stop();
    await files?.remove();
  });

  const common = () =>
    releaseCliArguments(files, [
      '--git-ssh-key-file',
      defaultKey.privateKeyFile,
      '--git-ssh-key-file-for',
      `${ssh.repoUrl('deploy')}=${repositoryKey.privateKeyFile}`,
      '--git-known-hosts-file',
      files.path('known_hosts'),
    ]);
  const environment = () => releaseCliEnvironment(env, { GIT_SSH_KEY_PASSPHRASE: 'release key passphrase' });

  it('promotes every stage over SSH with the right key per repository, then prints the status', async () => {
    const io = captureIo({ env: environment() });
    const code = await runCli(
      ['release', 'promote', ...common(), '--set', 'image.tag=cli-ssh-1', '-o', 'json'],
      io,
    );
    expect(code, io.err()).toBe(ExitCode.success);
    const report = JSON.parse(io.out()) as ReleaseReport;
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'promoted', 'promoted']);
    for (const stage of ['dev', 'staging', 'prod']) expect(await env.tagOf(stage)).toBe('cli-ssh-1');
    expect(env.git.countRequests({ service: 'git-receive-pack' })).toBe(0);
    // Both keys logged in: the default one (ECDSA) for dev, the repository's own (Ed25519) for the others.
    expect(ssh.log.some((line) => /Accepted publickey .* ECDSA SHA256:/.test(line))).toBe(true);
    expect(ssh.log.some((line) => /Accepted publickey .* ED25519 SHA256:/.test(line))).toBe(true);
    expect(`${io.out()}${io.err()}`).not.toContain('release key passphrase');

    const before = (await ssh.commands()).length;
    const status = captureIo({ env: environment() });
    expect(
      await runCli(['release', 'status', ...common(), '--set', 'image.tag=cli-ssh-1', '-o', 'json'], status),
    ).toBe(ExitCode.success);
    const stages = (JSON.parse(status.out()) as { stages: StageStatus[] }).stages;
    expect(stages.map((stage) => [stage.name, stage.atRelease, stage.errors])).toEqual([
      ['dev', true, []],
      ['staging', true, []],
      ['prod', true, []],
    ]);
    const reads = (await ssh.commands()).slice(before);
    expect(reads.every((record) => record.command.startsWith('git-upload-pack '))).toBe(true);
  });

  it('SSH stages without a key, a key for a repository the stages do not name, and an empty --release-id are usage errors', async () => {
    const withoutKeys = common().filter(
      (_argument, index, all) =>
        !['--git-ssh-key-file', '--git-ssh-key-file-for'].includes(all[index] as string) &&
        !['--git-ssh-key-file', '--git-ssh-key-file-for'].includes(all[index - 1] as string),
    );
    const head = await env.git.headOf('deploy', 'main');
    const noKey = captureIo({ env: environment() });
    expect(await runCli(['release', 'promote', ...withoutKeys, '--set', 'image.tag=x'], noKey)).toBe(
      ExitCode.usage,
    );
    expect(noKey.err()).toContain('--git-ssh-key-file');

    const unknown = captureIo({ env: environment() });
    expect(
      await runCli(
        [
          'release',
          'status',
          ...common(),
          '--git-ssh-key-file-for',
          `git@elsewhere.example.invalid:secret-token-1234=${repositoryKey.privateKeyFile}`,
        ],
        unknown,
      ),
    ).toBe(ExitCode.usage);
    expect(unknown.err()).toContain('--git-ssh-key-file-for names no SSH repository of the stages file');
    expect(unknown.err()).not.toContain('secret-token-1234');

    const emptyId = captureIo({ env: environment() });
    expect(
      await runCli(['release', 'promote', ...common(), '--set', 'image.tag=x', '--release-id', ''], emptyId),
    ).toBe(ExitCode.usage);
    expect(emptyId.err()).toContain('--release-id needs a value');
    // An empty --stage (a Tekton param left empty) would otherwise promote every stage.
    const emptyStage = captureIo({ env: environment() });
    expect(
      await runCli(['release', 'promote', ...common(), '--set', 'image.tag=x', '--stage', ''], emptyStage),
    ).toBe(ExitCode.usage);
    expect(emptyStage.err()).toContain('--stage needs a stage name');
    expect(await env.git.headOf('deploy', 'main')).toBe(head);
  });
});
