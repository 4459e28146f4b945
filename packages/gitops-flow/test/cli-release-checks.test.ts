import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type ReleaseReport, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import {
  type ReleaseCliFiles,
  releaseCliArguments,
  releaseCliEnvironment,
  writeReleaseCliFiles,
} from './cli-release-harness.js';
import { type ReleaseEnvironment, startReleaseEnvironment } from './release-environment.js';

describe('gitops-flow release promote: a merge request whose pipeline fails', { timeout: 120_000 }, () => {
  let env: ReleaseEnvironment;
  let files: ReleaseCliFiles;
  beforeAll(async () => {
    env = await startReleaseEnvironment();
    // The merge wait is far longer than the test may take: only the failed pipeline can end it in time.
    const stages = env.stages.map((stage) =>
      stage.name === 'prod'
        ? { ...stage, strategy: { ...(stage.strategy as object), mergeTimeout: '2h' } }
        : stage,
    );
    files = await writeReleaseCliFiles(env, 'gitops-flow-release-checks-', { stages });
  });
  afterAll(async () => {
    await env.stop();
    await files.remove();
  });

  const common = () => releaseCliArguments(files);
  const environment = () => releaseCliEnvironment(env);

  it('exits 1 with RELEASE_CHECKS_FAILED naming the merge request and the pipeline; status shows the checks', async () => {
    const io = captureIo({ env: environment() });
    const running = runCli(['release', 'promote', ...common(), '--set', 'image.tag=cf1', '-o', 'json'], io);
    // The project's CI: once the merge request is open, its pipeline fails.
    let pipelineId = 0;
    await expect
      .poll(
        async () => {
          const [open] = await env.forge.changeRequests.list({ project: 'team/deploy', state: 'open' });
          if (open === undefined) return false;
          pipelineId = await env.gitlab.addPipeline('team/deploy', open.headSha, 'failed');
          return true;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe(true);
    expect(await running).toBe(ExitCode.deploymentFailed);
    const document = JSON.parse(io.out()) as ReleaseReport & { error: { code: string; message: string } };
    expect(document.error.code).toBe('RELEASE_CHECKS_FAILED');
    expect(document.error.message).toContain('merge request !1 failed its checks');
    expect(document.error.message).toContain(`pipeline #${pipelineId}`);
    expect(document.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'promoted', 'failed']);
    expect(document.stages[2]?.changeRequest?.checks).toMatchObject({
      state: 'failed',
      failed: [`pipeline #${pipelineId}`],
    });
    expect(io.out()).not.toContain(env.gitlab.token);
    expect(await env.tagOf('prod')).toBe('1.0.0');

    const status = captureIo({ env: environment() });
    expect(await runCli(['release', 'status', ...common(), '--set', 'image.tag=cf1'], status)).toBe(
      ExitCode.success,
    );
    const prodRow = status
      .out()
      .trim()
      .split('\n')
      .find((row) => row.startsWith('prod'));
    expect(prodRow).toMatch(new RegExp(`!1 \\w+, checks failed \\(pipeline #${pipelineId}\\)$`));
  });
});
