// Two ways back from a bad release, on the testkit:
//  1. Argo CD's history rollback (`argocd app rollback`): fast, but git still says the bad version, so the app is
//     OutOfSync until git is fixed — and Argo CD refuses it for auto-sync apps.
//  2. git-revert (the GitOps way): promote() writes the previous value back to git and deploys that commit.
//
//   npx tsx --tsconfig examples/tsconfig.json examples/rollback.ts
import { type PromoteOptions, promote } from '@gitops-kit/gitops-flow';
import { block, check, runExample, section, status } from './support/report.js';
import {
  APP,
  IMAGE_REPOSITORY,
  liveImage,
  PROJECT,
  type SeedWorld,
  startSeedWorld,
  tagInGit,
  VALUES_FILE,
} from './support/seed-world.js';

function promoteOptions(world: SeedWorld, tag: string, extra: Partial<PromoteOptions> = {}): PromoteOptions {
  return {
    repository: {
      url: world.deployRepoUrl,
      branch: 'main',
      auth: { username: world.gitUsername, password: world.gitPassword },
    },
    changes: [{ file: VALUES_FILE, set: { 'image.tag': tag } }],
    application: { name: APP, project: PROJECT },
    argocd: world.client,
    wait: { timeoutMs: 30_000 },
    refreshTimeoutMs: 60_000,
    onEvent: (event) => {
      if (event.type === 'step' && event.status !== 'started')
        status('info', `${event.step}: ${event.message}`);
    },
    ...extra,
  };
}

runExample(
  'rollback',
  async (cleanup) => {
    section('Start the testkit and deploy two good releases');
    const world = await startSeedWorld({ ingress: false });
    cleanup.push(() => world.stop());
    const v1 = await promote(promoteOptions(world, 'v1.0.0'));
    check(v1.outcome === 'succeeded', `v1.0.0 deployed (${v1.commit?.slice(0, 8)})`, v1.error);
    const v2 = await promote(promoteOptions(world, 'v1.1.0'));
    check(v2.outcome === 'succeeded', `v1.1.0 deployed (${v2.commit?.slice(0, 8)})`, v2.error);

    section('1. Argo CD history rollback to v1.0.0');
    const history = await world.client.applications.history(APP, { project: PROJECT });
    block(
      history
        .map((entry) => `#${entry.id}  ${entry.revision?.slice(0, 8)}  ${entry.deployedAt ?? ''}`)
        .join('\n'),
    );
    const target = history.find((entry) => entry.revision === v1.commit);
    check(target?.id !== undefined, `the history has v1.0.0's commit as entry #${target?.id}`);
    await world.client.applications.rollback(APP, { id: target.id, project: PROJECT });
    const rolledBack = await world.client.applications.wait(APP, {
      project: PROJECT,
      conditions: ['operation', 'health'],
      timeoutMs: 30_000,
    });
    check(
      rolledBack.application.status?.health?.status === 'Healthy',
      `${APP} is Healthy after the rollback`,
    );
    check(liveImage(world) === `${IMAGE_REPOSITORY}:v1.0.0`, 'the Deployment runs v1.0.0 again');
    const tag = await tagInGit(world);
    check(tag === 'v1.1.0', `git still says ${tag}: the cluster and git disagree`);
    status(
      'info',
      `sync status now: ${rolledBack.application.status?.sync?.status} — fix git next (see part 2)`,
    );

    section('2. A bad release, rolled back with git-revert');
    // Put git and the cluster back in step first: re-promote v1.1.0 (no commit: it is already in git).
    const again = await promote(promoteOptions(world, 'v1.1.0'));
    check(again.outcome === 'succeeded' && again.commit === null, 'v1.1.0 redeployed without a new commit');
    world.argocd.scriptHealth({ kind: 'Deployment', image: ':v1.2.0' }, [
      { status: 'Progressing', forMs: 300 },
      { status: 'Degraded', message: 'Deployment "devops-demo" exceeded its progress deadline' },
    ]);
    status('info', 'scripted: pods of image :v1.2.0 crash');
    const bad = await promote(promoteOptions(world, 'v1.2.0', { onFailure: 'git-revert' }));
    check(bad.outcome === 'failed', 'v1.2.0 failed', bad.outcome);
    block(bad.diagnosis?.summary ?? '(no diagnosis)');
    check(
      bad.rollback?.policy === 'git-revert' && bad.rollback.outcome === 'succeeded',
      `git-revert committed ${bad.rollback?.commit?.slice(0, 8)} and deployed it`,
      bad.rollback,
    );
    check((await tagInGit(world)) === 'v1.1.0', 'git says v1.1.0 again');
    check(liveImage(world) === `${IMAGE_REPOSITORY}:v1.1.0`, 'the Deployment runs v1.1.0 again');
    check(bad.healthStatus === 'Healthy', `${APP} is Healthy`);
    const log = await world.git.log('devops-deploy', 'main', { maxCount: 4 });
    block(log.map((entry) => `${entry.commit.slice(0, 8)} ${entry.message.split('\n')[0]}`).join('\n'));

    section('3. The same bad release with onFailure: argocd-rollback');
    const badAgain = await promote(promoteOptions(world, 'v1.2.0', { onFailure: 'argocd-rollback' }));
    check(
      badAgain.outcome === 'failed' && badAgain.rollback?.outcome === 'succeeded',
      `Argo CD rolled back to history entry #${badAgain.rollback?.historyId}`,
      badAgain.rollback,
    );
    check(liveImage(world) === `${IMAGE_REPOSITORY}:v1.1.0`, 'the Deployment runs v1.1.0 again');
    check(
      (await tagInGit(world)) === 'v1.2.0',
      'git keeps the bad value (revert it in git to stop a re-deploy)',
    );
  },
  300_000,
);
