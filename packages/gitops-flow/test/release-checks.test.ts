import { ChecksFailedError, GitHubClient } from '@gitops-kit/forge-client';
import { GitHubEmulator } from '@gitops-kit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatReleaseStatusTable,
  promoteRelease,
  ReleaseChecksFailedError,
  type ReleaseEvent,
  type ReleaseStageDefinition,
  releaseStatus,
} from '../src/index.js';
import { type ReleaseEnvironment, releaseOptions, startReleaseEnvironment } from './release-environment.js';

let env: ReleaseEnvironment | undefined;
/** Failures of the scripted CI (see onOpened): asserted empty, never an unhandled rejection. */
const scriptErrors: unknown[] = [];
let github: GitHubEmulator | undefined;
let githubClient: GitHubClient | undefined;
afterEach(async () => {
  await githubClient?.close();
  await github?.stop();
  await env?.stop();
  env = undefined;
  scriptErrors.length = 0;
  github = undefined;
  githubClient = undefined;
});

/**
 * prod's strategy with a merge wait far longer than the test's own timeout: a release that waited for the timeout
 * instead of stopping on the failed checks would fail the test.
 */
function withProdStrategy(
  stages: readonly ReleaseStageDefinition[],
  strategy: Record<string, unknown>,
): ReleaseStageDefinition[] {
  return stages.map((stage) =>
    stage.name === 'prod'
      ? ({
          ...stage,
          strategy: { ...(stage.strategy as object), mergeTimeout: '2h', ...strategy },
        } as ReleaseStageDefinition)
      : stage,
  );
}

/**
 * What a CI system does when the release opens prod's change request: `act` gets its number. A failure of the
 * script itself is kept for the test to assert on (not an unhandled rejection).
 */
function onOpened(act: (number: number) => Promise<void>) {
  return (event: ReleaseEvent): void => {
    if (event.type !== 'change-request' || event.action !== 'opened') return;
    act(event.number).catch((error: unknown) => scriptErrors.push(error));
  };
}

describe('a change-request stage whose checks fail', { timeout: 120_000 }, () => {
  it('GitLab: a failed pipeline on the merge request stops prod typed, merges and deploys nothing, shows in the status', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    let pipelineId = 0;
    const failing = promoteRelease(
      releaseOptions(current, 'v3', {
        stages: withProdStrategy(current.stages, {}),
        onEvent: onOpened(async (number) => {
          const { headSha } = await current.forge.changeRequests.get({ project: 'team/deploy', number });
          pipelineId = await current.gitlab.addPipeline('team/deploy', headSha, 'running', {
            ref: `refs/merge-requests/${number}/head`,
            source: 'merge_request_event',
          });
          await current.gitlab.setPipelineStatus('team/deploy', pipelineId, 'failed');
        }),
      }),
    );
    const error = await failing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseChecksFailedError);
    const failed = error as ReleaseChecksFailedError;
    expect(failed.code).toBe('RELEASE_CHECKS_FAILED');
    expect(failed.retryable).toBe(false);
    expect(failed.stage).toBe('prod');
    expect(failed.failed).toEqual([`pipeline #${pipelineId}`]);
    expect(failed.cause).toBeInstanceOf(ChecksFailedError);
    expect(failed.message).toContain('merge request !1');
    expect(failed.message).toContain(`pipeline #${pipelineId}`);
    expect(failed.message).toContain(failed.changeRequest.webUrl);
    // The report: dev and staging promoted, prod failed with its open merge request and the failed check.
    expect(failed.report.stages.map((stage) => [stage.name, stage.outcome])).toEqual([
      ['dev', 'promoted'],
      ['staging', 'promoted'],
      ['prod', 'failed'],
    ]);
    const prod = failed.report.stages[2];
    expect(prod?.changeRequest).toMatchObject({
      number: 1,
      state: 'open',
      mergeCommitSha: null,
      checks: { state: 'failed', failed: [`pipeline #${pipelineId}`] },
    });
    expect(prod?.changeRequest?.checks?.sha).toBe(prod?.reviewBranch?.commit);
    expect(prod?.error?.code).toBe('FORGE_CHECKS_FAILED');
    // Nothing was merged: no promotion ran at prod (so no failure policy either), prod's file is untouched, and the
    // merge request is still open for a fix.
    expect(prod?.promotion).toBeUndefined();
    expect(await current.tagOf('prod')).toBe('1.0.0');
    expect(await current.tagOf('staging')).toBe('v3');
    expect(current.gitlab.changeRequest('team/deploy', 1).state).toBe('open');

    const statuses = await releaseStatus({
      stages: current.stages,
      argocd: current.client,
      gitAuth: { username: 'deployer', password: current.gitPassword },
      forges: { gitlab: current.forge },
      values: { 'image.tag': 'v3' },
    });
    expect(statuses[2]?.changeRequest?.checks).toEqual({
      state: 'failed',
      failed: [`pipeline #${pipelineId}`],
    });
    expect(statuses[2]?.errors).toEqual([]);
    const prodRow = formatReleaseStatusTable(statuses).split('\n')[3];
    expect(prodRow).toMatch(new RegExp(`!1 \\w+, checks failed \\(pipeline #${pipelineId}\\)$`));
    expect(scriptErrors).toEqual([]);
  });

  it('GitLab with failOnChecks: false waits through a failed pipeline for a re-run and a merge', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    let failedPipelineSeen = 0;
    let settled = false;
    let opened: { number: number; headSha: string } | undefined;
    const release = promoteRelease(
      releaseOptions(current, 'v4', {
        stages: withProdStrategy(current.stages, { failOnChecks: false }),
        onEvent: onOpened(async (number) => {
          const { headSha } = await current.forge.changeRequests.get({ project: 'team/deploy', number });
          await current.gitlab.addPipeline('team/deploy', headSha, 'failed');
          failedPipelineSeen = current.gitlab.requests.length;
          opened = { number, headSha };
        }),
      }),
    ).finally(() => {
      settled = true;
    });
    // The wait keeps looking at the merge request after the pipeline failed (two more looks, not a fixed sleep)...
    await expect
      .poll(
        () =>
          failedPipelineSeen > 0 &&
          current.gitlab.requests
            .slice(failedPipelineSeen)
            .filter((request) => request.method === 'GET' && request.path.endsWith('/merge_requests/1'))
            .length >= 2,
        { timeout: 30_000, interval: 20 },
      )
      .toBe(true);
    expect(settled).toBe(false);
    // ...and never reads the checks: it waits for a person, who re-runs the pipeline and merges.
    expect(current.gitlab.requests.some((request) => request.path.includes('/pipelines'))).toBe(false);
    const { number, headSha } = opened as { number: number; headSha: string };
    await current.gitlab.addPipeline('team/deploy', headSha, 'success');
    await current.gitlab.approve('team/deploy', number);
    await current.gitlab.merge('team/deploy', number);
    const report = await release;
    expect(report.outcome).toBe('succeeded');
    expect(await current.tagOf('prod')).toBe('v4');
    expect(scriptErrors).toEqual([]);
  });

  it('GitHub: a failed check run on the pull request stops prod typed; a running one does not', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    github = await GitHubEmulator.start({ git: current.git });
    github.addRepository('acme/deploy', 'deploy');
    const client = new GitHubClient({ url: github.url, token: github.token });
    githubClient = client;
    const hub = github;
    let head = '';
    let settled = false;
    const failing = promoteRelease(
      releaseOptions(current, 'v5', {
        stages: withProdStrategy(current.stages, { forge: 'github', project: 'acme/deploy' }),
        forges: { github: client },
        onEvent: onOpened(async (number) => {
          ({ headSha: head } = await client.changeRequests.get({ project: 'acme/deploy', number }));
          hub.setCheckRun('acme/deploy', head, 'build', { status: 'in_progress' });
        }),
      }),
    ).finally(() => {
      settled = true;
    });
    const checkRunReads = () => hub.requests.filter((request) => request.path.endsWith('/check-runs')).length;
    // The wait reads the running check run (more than once) and keeps waiting...
    await expect.poll(checkRunReads, { timeout: 30_000, interval: 20 }).toBeGreaterThanOrEqual(2);
    expect(settled).toBe(false);
    // ...until it fails.
    hub.setCheckRun('acme/deploy', head, 'build', { status: 'completed', conclusion: 'failure' });
    const error = await failing.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseChecksFailedError);
    const failed = error as ReleaseChecksFailedError;
    expect(failed.failed).toEqual(['build']);
    expect(failed.sha).toBe(head);
    expect(failed.message).toContain('pull request #1');
    expect(failed.message).toContain('(build)');
    expect(failed.report.stages.map((stage) => stage.outcome)).toEqual(['promoted', 'promoted', 'failed']);
    expect(await current.tagOf('prod')).toBe('1.0.0');
    expect(scriptErrors).toEqual([]);
  });
});
