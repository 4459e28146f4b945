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

describe('gitops-flow release promote | status', { timeout: 120_000 }, () => {
  let env: ReleaseEnvironment;
  let files: ReleaseCliFiles;
  beforeAll(async () => {
    env = await startReleaseEnvironment({ prodApprovals: 0, prodAutoMerge: true });
    files = await writeReleaseCliFiles(env, 'gitops-flow-release-', {
      header: { apiVersion: 'gitops-kit.dev/v1alpha1', kind: 'ReleaseStages' },
    });
  });
  afterAll(async () => {
    await env.stop();
    await files.remove();
  });

  const common = () => releaseCliArguments(files);
  const environment = () => releaseCliEnvironment(env);

  it('--stage promotes one stage after checking the earlier ones; an earlier stage not at the release is typed', async () => {
    const refused = captureIo({ env: environment() });
    expect(
      await runCli(
        ['release', 'promote', ...common(), '--set', 'image.tag=cli-s1', '--stage', 'staging', '-o', 'json'],
        refused,
      ),
    ).toBe(ExitCode.error);
    const document = JSON.parse(refused.out()) as ReleaseReport & {
      error: { code: string; message: string };
    };
    expect(document.error.code).toBe('EARLIER_STAGE_NOT_AT_RELEASE');
    expect(document.error.message).toContain(
      'cannot promote stage staging: the earlier stage dev is not at the release',
    );
    expect(document.onlyStage).toBe('staging');
    expect(await env.tagOf('staging')).not.toBe('cli-s1');

    const dev = captureIo({ env: environment() });
    expect(
      await runCli(['release', 'promote', ...common(), '--set', 'image.tag=cli-s1', '--stage', 'dev'], dev),
    ).toBe(ExitCode.success);
    expect(dev.out()).toMatch(/release \S+: succeeded/);
    expect(dev.out()).toMatch(/dev\s+promoted/);
    expect(dev.out()).toMatch(/staging\s+not-started/);
    expect(await env.tagOf('dev')).toBe('cli-s1');
    expect(await env.tagOf('staging')).not.toBe('cli-s1');

    const unknown = captureIo({ env: environment() });
    expect(
      await runCli(
        ['release', 'promote', ...common(), '--set', 'image.tag=cli-s1', '--stage', 'qa'],
        unknown,
      ),
    ).toBe(ExitCode.usage);
    expect(unknown.err()).toContain('--stage "qa" is not a stage (the stages are dev, staging, prod)');
  });

  it('promotes through every stage (prod by an auto-merged merge request) and prints one JSON report', async () => {
    const io = captureIo({ env: environment() });
    const code = await runCli(
      ['release', 'promote', ...common(), '--set', 'image.tag=cli-r1', '-o', 'json'],
      io,
    );
    expect(io.err()).toBe('');
    expect(code).toBe(ExitCode.success);
    const report = JSON.parse(io.out()) as ReleaseReport;
    expect(report.outcome).toBe('succeeded');
    expect(report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'promoted', 'promoted']);
    expect(report.stages[2]?.changeRequest?.state).toBe('merged');
    for (const secret of [env.gitPassword, env.argocdPassword, env.gitlab.token])
      expect(io.out()).not.toContain(secret);

    const status = captureIo({ env: environment() });
    expect(await runCli(['release', 'status', ...common(), '--set', 'image.tag=cli-r1'], status)).toBe(
      ExitCode.success,
    );
    const rows = status.out().trim().split('\n');
    expect(rows[0]).toMatch(/^STAGE\s+APP\s+IMAGE\.TAG\s+GIT\s+SYNC\s+HEALTH\s+DEPLOYED\s+CHANGE REQUEST$/);
    expect(rows.slice(1).map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
      ['dev', 'app-dev', 'cli-r1'],
      ['staging', 'app-staging', 'cli-r1'],
      ['prod', 'app-prod', 'cli-r1'],
    ]);
    const json = captureIo({ env: environment() });
    expect(await runCli(['release', 'status', ...common(), '-o', 'json'], json)).toBe(ExitCode.success);
    const stages = (JSON.parse(json.out()) as { stages: StageStatus[] }).stages;
    // `deployed` (Argo CD at the branch head) follows Argo CD's next refresh of the shared branch; health does not wait.
    expect(stages.every((stage) => stage.healthStatus === 'Healthy' && stage.syncStatus === 'Synced')).toBe(
      true,
    );
  });

  it('usage errors come all at once, before the stages file is read or a server contacted', async () => {
    const io = captureIo({ env: {} });
    const code = await runCli(['release', 'promote', '--set', 'oops'], io);
    expect(code).toBe(ExitCode.usage);
    expect(io.err()).toContain('--stages');
    expect(io.err()).toContain('--set oops: expected NAME=VALUE');
    const missingToken = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    expect(await runCli(['release', 'promote', ...common(), '--set', 'image.tag=x'], missingToken)).toBe(
      ExitCode.usage,
    );
    expect(missingToken.err()).toContain('GITLAB_TOKEN');
    expect(await env.tagOf('dev')).toBe('cli-r1');
  });

  it('lists the release commands in the help', async () => {
    const io = captureIo();
    expect(await runCli(['release', 'promote', '--help'], io)).toBe(ExitCode.success);
    expect(io.out()).toContain('--stages');
    expect(io.out()).toContain('--gitlab-token-file');
    expect(io.out()).toContain('GITLAB_TOKEN');
  });

  it('an interrupted release prints its stages in text (not a crash), and one JSON report with -o json', async () => {
    for (const format of ['text', 'json'] as const) {
      const controller = new AbortController();
      const io = captureIo({ env: environment(), signal: controller.signal });
      const run = runCli(
        [
          'release',
          'promote',
          ...common(),
          '--set',
          `image.tag=cli-abort-${format}`,
          ...(format === 'json' ? ['-o', 'json'] : []),
        ],
        io,
      );
      // Interrupted as soon as the first stage has started (what SIGINT does through io.signal); -o json prints no
      // progress to wait for, so it is interrupted at once.
      while (format === 'text' && !io.err().includes('stage dev')) await new Promise((r) => setImmediate(r));
      controller.abort();
      const code = await run;
      expect(code).toBe(ExitCode.interrupted);
      expect(io.err()).not.toMatch(/unexpected failure/);
      if (format === 'json') {
        const report = JSON.parse(io.out()) as ReleaseReport & { exitCode: number };
        expect(report.stages[0]?.name).toBe('dev');
        expect(report.stages[0]?.error?.code).toBe('ABORTED');
        expect(report.exitCode).toBe(ExitCode.interrupted);
      } else {
        expect(io.out()).toMatch(/^release r-[0-9a-f]{12}: failed/);
        expect(io.out()).toMatch(/\n {2}dev +failed +.*interrupted/);
        expect(io.out()).toMatch(/\n {2}prod +not-started/);
      }
    }
  });

  it('refuses a stages file larger than 1 MiB without reading it whole', async () => {
    const io = captureIo({ env: environment() });
    const code = await runCli(
      ['release', 'promote', ...common().slice(2), '--stages', '/dev/zero', '--set', 'image.tag=x'],
      io,
    );
    expect(code).toBe(ExitCode.usage);
    expect(io.err()).toMatch(/--stages \/dev\/zero is larger than 1048576 bytes/);
  });
});
