import { afterEach, describe, expect, it } from 'vitest';
import { EarlierStageNotAtReleaseError, promoteRelease } from '../src/index.js';
import { VALUES_FILE } from './environment.js';
import { type ReleaseEnvironment, releaseOptions, startReleaseEnvironment } from './release-environment.js';

let env: ReleaseEnvironment | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

describe('onlyStage: an earlier stage runs the release only when Argo CD deployed the commit read', {
  timeout: 120_000,
}, () => {
  it('a commit Argo CD has not looked at yet is not deployed, although the app still says Synced and Healthy', async () => {
    // No periodic reconcile: like Argo CD in the up-to-3-minutes before it polls the repository (no webhook).
    env = await startReleaseEnvironment({ emulator: { reconciliationIntervalMs: 0 } });
    const current = env;
    expect((await promoteRelease(releaseOptions(current, 'v2', { onlyStage: 'dev' }))).outcome).toBe(
      'succeeded',
    );
    // Someone wrote dev's tag by hand; dev still runs v2 and Argo CD, not having looked, reports the old commit.
    const handWritten = await current.git.commit('deploy', 'main', {
      'apps/app-dev/my-values.yaml': (VALUES_FILE as string).replace(/tag: .*/, 'tag: "v4"'),
    });
    const stale = await current.client.applications.get('app-dev');
    expect([stale.status?.sync?.status, stale.status?.health?.status]).toEqual(['Synced', 'Healthy']);
    expect(stale.status?.sync?.revision).not.toBe(handWritten);

    const error = await promoteRelease(releaseOptions(current, 'v4', { onlyStage: 'staging' })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(EarlierStageNotAtReleaseError);
    expect(error).toMatchObject({ earlierStage: 'dev', stage: 'staging' });
    expect((error as Error).message).toMatch(/main holds the values but Argo CD reports app-dev OutOfSync/);
    expect(await current.tagOf('staging')).toBe('1.0.0');
  });

  it('an earlier stage whose application is mid-operation is not at the release yet', async () => {
    env = await startReleaseEnvironment();
    const current = env;
    expect((await promoteRelease(releaseOptions(current, 'v2', { onlyStage: 'dev' }))).outcome).toBe(
      'succeeded',
    );
    // Someone started a sync of dev (a re-sync with hooks, say): Synced and Healthy are the state before it.
    current.argocd.startOperation('app-dev');
    try {
      const error = await promoteRelease(releaseOptions(current, 'v2', { onlyStage: 'staging' })).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(EarlierStageNotAtReleaseError);
      expect(error).toMatchObject({ earlierStage: 'dev' });
      expect((error as Error).message).toMatch(/Argo CD is still running an operation on app-dev/);
      expect(await current.tagOf('staging')).toBe('1.0.0');
    } finally {
      await current.argocd.finishOperation('app-dev');
    }
    // Once it finished (and the controller reconciled after it), staging goes ahead.
    await expect
      .poll(
        async () => (await promoteRelease(releaseOptions(current, 'v2', { onlyStage: 'staging' }))).outcome,
        {
          timeout: 30_000,
          interval: 100,
        },
      )
      .toBe('succeeded');
    expect(await current.tagOf('staging')).toBe('v2');
  });
});
