import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, runCli, type StageStatus } from '../src/index.js';
import { captureIo } from './cli-io.js';
import {
  type ReleaseCliFiles,
  releaseCliArguments,
  releaseCliEnvironment,
  writeReleaseCliFiles,
} from './cli-release-harness.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';

// The default git credentials (--git-password-file) are wrong on purpose: a command succeeds only when the
// per-repository credential (--git-password-file-for / --git-token-file-for REPO=PATH) is the one used.
describe('gitops-flow release with HTTP credentials per repository', { timeout: 120_000 }, () => {
  let env: ReleaseEnvironment;
  let files: ReleaseCliFiles;
  beforeAll(async () => {
    env = await startReleaseEnvironment();
    files = await writeReleaseCliFiles(env, 'gitops-flow-release-http-', {
      files: { 'wrong-password': 'not the password\n' },
    });
  });
  afterAll(async () => {
    await env.stop();
    await files.remove();
  });

  const common = (username = true) =>
    releaseCliArguments(files, username ? ['--git-username', 'deployer'] : []);
  const wrongDefault = () => ['--git-password-file', files.path('wrong-password')];
  const environment = () => releaseCliEnvironment(env);

  it('a password or token for one repository URL overrides the default credentials there', async () => {
    const refused = captureIo({ env: environment() });
    expect(await runCli(['release', 'status', ...common(), ...wrongDefault(), '-o', 'json'], refused)).toBe(
      ExitCode.error,
    );
    const refusedStages = (JSON.parse(refused.out()) as { stages: StageStatus[] }).stages;
    expect(refusedStages.every((stage) => stage.errors.some((error) => error.startsWith('git ')))).toBe(true);

    const status = captureIo({ env: environment() });
    const passwordFor = ['--git-password-file-for', `${env.repoUrl}=${files.path('git-password')}`];
    expect(
      await runCli(
        ['release', 'status', ...common(), ...wrongDefault(), ...passwordFor, '-o', 'json'],
        status,
      ),
    ).toBe(ExitCode.success);
    const stages = (JSON.parse(status.out()) as { stages: StageStatus[] }).stages;
    expect(stages.map((stage) => [stage.name, stage.values['image.tag'], stage.errors])).toEqual([
      ['dev', '1.0.0', []],
      ['staging', '1.0.0', []],
      ['prod', '1.0.0', []],
    ]);

    const promote = captureIo({ env: environment() });
    const tokenFor = ['--git-token-file-for', `${env.repoUrl}=${files.path('git-password')}`];
    expect(
      await runCli(
        [
          'release',
          'promote',
          ...common(),
          ...wrongDefault(),
          ...tokenFor,
          '--set',
          'image.tag=h1',
          '--stage',
          'dev',
        ],
        promote,
      ),
    ).toBe(ExitCode.success);
    expect(await env.tagOf('dev')).toBe('h1');
    expect(promote.out() + promote.err()).not.toContain(env.gitPassword);
  });

  it('a malformed, unknown, repeated or username-less per-repository credential is a usage error', async () => {
    const head = await env.git.headOf('deploy', 'main');
    const password = files.path('git-password');
    const usage = async (args: string[], username = true): Promise<string> => {
      const io = captureIo({ env: environment() });
      expect(
        await runCli(['release', 'promote', ...common(username), '--set', 'image.tag=h2', ...args], io),
      ).toBe(ExitCode.usage);
      return io.err();
    };
    expect(await usage(['--git-password-file-for', password])).toContain(
      '--git-password-file-for expects REPO=PATH',
    );
    const unknown = await usage([
      '--git-token-file-for',
      `https://elsewhere.example.invalid/secret-token-1234.git=${password}`,
    ]);
    expect(unknown).toContain('--git-token-file-for names no http(s) repository of the stages file');
    expect(unknown).not.toContain('secret-token-1234');
    expect(
      await usage([
        '--git-password-file-for',
        `${env.repoUrl}=${password}`,
        '--git-token-file-for',
        `${env.repoUrl}=${password}`,
      ]),
    ).toContain(`give ${env.repoUrl} more than one credential`);
    expect(await usage(['--git-password-file-for', `${env.repoUrl}=${password}`], false)).toContain(
      '--git-password-file-for needs a username',
    );
    expect(await env.git.headOf('deploy', 'main')).toBe(head);
  });
});
