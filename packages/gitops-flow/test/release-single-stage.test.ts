import { AuthenticationError, ValidationError } from '@gitops-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EarlierStageNotAtReleaseError,
  promoteRelease,
  ReleaseError,
  type ReleaseEvent,
} from '../src/index.js';
import { VALUES_FILE } from './environment.js';
import { type ReleaseEnvironment, releaseOptions, startReleaseEnvironment } from './release-environment.js';

let env: ReleaseEnvironment | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

const summary = (events: ReleaseEvent[]): string[] =>
  events.flatMap((event) => {
    if (event.type === 'stage') return [`${event.stage}:${event.status}`];
    if (event.type === 'change-request') return [`${event.stage}:mr-${event.action}`];
    if (event.type === 'gate') return [`${event.stage}:gate`];
    return [];
  });

describe('promoteRelease with onlyStage (one Tekton task per stage)', { timeout: 120_000 }, () => {
  it('promotes one stage per run; each run checks the earlier stages and leaves the later ones alone', async () => {
    env = await startReleaseEnvironment({ soak: '300ms' });
    const current = env;
    const stageRun = async (stage: string) => {
      const events: ReleaseEvent[] = [];
      const report = await promoteRelease(
        releaseOptions(current, 'v2', { onlyStage: stage, onEvent: (event) => events.push(event) }),
      );
      return { report, events: summary(events) };
    };

    const dev = await stageRun('dev');
    expect(dev.report.outcome).toBe('succeeded');
    expect(dev.report.onlyStage).toBe('dev');
    expect(dev.report.stages.map((stage) => stage.outcome)).toEqual([
      'promoted',
      'not-started',
      'not-started',
    ]);
    expect([await current.tagOf('staging'), await current.tagOf('prod')]).toEqual(['1.0.0', '1.0.0']);

    // staging's soak runs in staging's run, and nothing of prod happens there.
    const staging = await stageRun('staging');
    expect(staging.report.stages.map((stage) => stage.outcome)).toEqual([
      'verified',
      'promoted',
      'not-started',
    ]);
    expect(staging.events).toEqual(['staging:started', 'staging:gate', 'staging:promoted']);
    expect(await current.tagOf('prod')).toBe('1.0.0');
    expect(await current.forge.changeRequests.list({ project: 'team/deploy', state: 'all' })).toEqual([]);

    // prod's run opens prod's merge request and waits for the reviewer; dev and staging are checked, not redone
    // (no staging soak again, no commit on their behalf).
    const commitsBefore = (await current.git.log('deploy', 'main')).length;
    const prodRun = stageRun('prod');
    const opened = await expect
      .poll(async () => current.forge.changeRequests.list({ project: 'team/deploy', state: 'open' }), {
        timeout: 30_000,
        interval: 50,
      })
      .toHaveLength(1)
      .then(() => current.forge.changeRequests.list({ project: 'team/deploy', state: 'open' }));
    const number = opened[0]?.number as number;
    await current.gitlab.approve('team/deploy', number);
    await current.gitlab.merge('team/deploy', number);
    const prod = await prodRun;
    expect(prod.report.outcome).toBe('succeeded');
    expect(prod.report.stages.map((stage) => stage.outcome)).toEqual(['verified', 'verified', 'promoted']);
    expect(prod.events).toEqual(['prod:started', 'prod:mr-opened', 'prod:mr-merged', 'prod:promoted']);
    expect(await current.tagOf('prod')).toBe('v2');
    // main gained the prod branch's commit and its merge only.
    expect((await current.git.log('deploy', 'main')).length).toBe(commitsBefore + 2);
  });

  it('refuses a stage whose earlier stage is not at the release, typed, naming it, writing nothing', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    const headBefore = (await current.git.log('deploy', 'main'))[0];
    const error = await promoteRelease(releaseOptions(current, 'v3', { onlyStage: 'prod' })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EarlierStageNotAtReleaseError);
    const typed = error as EarlierStageNotAtReleaseError;
    expect(typed.code).toBe('EARLIER_STAGE_NOT_AT_RELEASE');
    expect([typed.stage, typed.earlierStage]).toEqual(['prod', 'dev']);
    expect(typed.message).toContain('cannot promote stage prod: the earlier stage dev is not at the release');
    expect(typed.message).toContain('apps/app-dev/my-values.yaml image.tag is "1.0.0", the release has "v3"');
    expect(typed.report.stages.map((stage) => stage.outcome)).toEqual([
      'not-started',
      'not-started',
      'not-started',
    ]);
    expect((await current.git.log('deploy', 'main'))[0]).toEqual(headBefore);
    expect(await current.forge.changeRequests.list({ project: 'team/deploy', state: 'all' })).toEqual([]);

    // With dev at the release, staging (still at 1.0.0) is the one named.
    await promoteRelease(releaseOptions(current, 'v3', { onlyStage: 'dev' }));
    await expect(promoteRelease(releaseOptions(current, 'v3', { onlyStage: 'prod' }))).rejects.toMatchObject({
      code: 'EARLIER_STAGE_NOT_AT_RELEASE',
      earlierStage: 'staging',
    });
    expect(await current.tagOf('prod')).toBe('1.0.0');
  });

  it('an earlier stage that holds the values in git but is not Synced in Argo CD is not at the release', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    // Someone wrote dev's tag by hand; Argo CD (manual sync) sees the commit and reports dev OutOfSync.
    await current.git.commit('deploy', 'main', {
      'apps/app-dev/my-values.yaml': (VALUES_FILE as string).replace(/tag: .*/, 'tag: "v4"'),
    });
    await expect
      .poll(async () => (await current.client.applications.get('app-dev')).status?.sync?.status, {
        timeout: 15_000,
        interval: 50,
      })
      .toBe('OutOfSync');
    await expect(promoteRelease(releaseOptions(current, 'v4', { onlyStage: 'staging' }))).rejects.toThrow(
      /earlier stage dev is not at the release \(main holds the values but Argo CD reports app-dev OutOfSync and \w+\)/,
    );
    expect(await current.tagOf('staging')).toBe('1.0.0');
  });

  it('an unknown stage is a ValidationError that names the stages; a failed check is a ReleaseError', async () => {
    env = await startReleaseEnvironment();
    await expect(promoteRelease(releaseOptions(env, 'v5', { onlyStage: 'qa' }))).rejects.toThrow(
      ValidationError,
    );
    await expect(promoteRelease(releaseOptions(env, 'v5', { onlyStage: 'qa' }))).rejects.toThrow(
      /onlyStage "qa" is not a stage \(the stages are dev, staging, prod\)/,
    );
    // The check of the earlier stages could not read git: typed as any stage that cannot run to a verdict.
    const error = await promoteRelease(
      releaseOptions(env, 'v5', {
        onlyStage: 'staging',
        gitAuth: { username: 'deployer', password: 'wrong' },
      }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReleaseError);
    expect(error).toMatchObject({ code: 'RELEASE_FAILED', stage: 'staging' });
    expect((error as ReleaseError).cause).toBeInstanceOf(AuthenticationError);
    expect((error as ReleaseError).message).toContain('could not check the stages before staging');
  });
});
