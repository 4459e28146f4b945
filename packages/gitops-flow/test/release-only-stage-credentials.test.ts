import { ValidationError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type PromoteReleaseOptions, promoteRelease, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type ReleaseCliFiles, releaseCliArguments, writeReleaseCliFiles } from './cli-release-harness.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';

/**
 * A stage's run (`onlyStage`, `--stage`) writes that stage and reads the earlier ones: it needs their credentials,
 * never a later stage's (a dev task must not need prod's deploy key or the forge token of prod's merge request).
 */
describe('onlyStage needs the credentials of the stages it reaches only', { timeout: 120_000 }, () => {
  let env: ReleaseEnvironment;
  let files: ReleaseCliFiles | undefined;
  /** The release's stages plus a last one in an SSH repository no key is given for (never contacted). */
  let stages: PromoteReleaseOptions['stages'];
  beforeAll(async () => {
    env = await startReleaseEnvironment();
    stages = [
      ...env.stages,
      {
        name: 'dr',
        application: { name: 'app-dr', project: 'demo' },
        repository: { url: 'git@git.invalid:team/dr-deploy.git', branch: 'main' },
        changes: [{ file: 'apps/app-dr/my-values.yaml', paths: ['image.tag'] }],
      },
    ];
    files = await writeReleaseCliFiles(env, 'gitops-flow-only-stage-', { stages });
  });
  afterAll(async () => {
    await env?.stop();
    await files?.remove();
  });

  const library = (onlyStage: string, forges: PromoteReleaseOptions['forges'] = {}) =>
    promoteRelease({
      values: { 'image.tag': 'v7' },
      stages,
      argocd: env.client,
      gitAuth: { username: 'deployer', password: env.gitPassword },
      forges,
      mergePollIntervalMs: 20,
      onlyStage,
    });

  it('promoteRelease: dev and staging run without prod’s forge client or dr’s SSH key; prod and dr still need theirs', async () => {
    const dev = await library('dev');
    expect(dev.outcome).toBe('succeeded');
    expect(dev.stages.map((stage) => stage.outcome)).toEqual([
      'promoted',
      'not-started',
      'not-started',
      'not-started',
    ]);
    expect((await library('staging')).outcome).toBe('succeeded');
    expect(await env.tagOf('staging')).toBe('v7');
    // The stage that opens the merge request needs its forge; dr's run reads the earlier stages' repositories and
    // writes its own: without a key it cannot.
    await expect(library('prod')).rejects.toThrow(ValidationError);
    await expect(library('prod')).rejects.toThrow(
      /names the forge "gitlab", which is not among options.forges/,
    );
    await expect(library('dr', { gitlab: env.forge })).rejects.toThrow(
      /stage dr's repository is an SSH remote: give its key/,
    );
  });

  it('the CLI: --stage dev needs no GitLab token and no SSH key; the whole release still does', async () => {
    const common = [...releaseCliArguments(files as ReleaseCliFiles), '--set', 'image.tag=v8'];
    const environment = { ARGOCD_SERVER: env.argocd.url };
    const dev = captureIo({ env: environment });
    expect(await runCli(['release', 'promote', ...common, '--stage', 'dev'], dev)).toBe(ExitCode.success);
    expect(await env.tagOf('dev')).toBe('v8');
    const whole = captureIo({ env: environment });
    expect(await runCli(['release', 'promote', ...common], whole)).toBe(ExitCode.usage);
    expect(whole.err()).toContain('a stage goes through gitlab: give its token');
    expect(whole.err()).toContain('is an SSH remote: give the key');
  });
});
