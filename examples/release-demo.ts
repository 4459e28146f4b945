// A release across three stages on the testkit (`npm run demo:release`): the seed app goes dev (push) → staging
// (push) → prod (a GitLab merge request a reviewer approves and merges), with `gitops-flow release status` tables
// before, during and after. Then a second release whose prod health check fails: the release stops at prod and
// prod's change is reverted in git, so prod runs what it ran before.
//
// The stages come from examples/release/stages.yaml (its ${DEPLOY_REPO_URL} filled from the testkit).
//
//   npm run demo:release
import { readFileSync } from 'node:fs';
import {
  formatReleaseStatusTable,
  type PromoteReleaseOptions,
  parseStagesFile,
  promoteRelease,
  type ReleaseEvent,
  type ReleaseReport,
  releaseStatus,
} from '@gitops-kit/gitops-flow';
import { GITLAB_PROJECT, type ReleaseWorld, STAGES, startReleaseWorld } from './support/release-world.js';
import { block, check, runExample, section, status } from './support/report.js';

const STAGES_FILE = new URL('./release/stages.yaml', import.meta.url);

/** Prints what `gitops-flow release status` prints for these values. */
async function printStatus(
  world: ReleaseWorld,
  options: PromoteReleaseOptions,
  title: string,
): Promise<void> {
  const statuses = await releaseStatus({
    stages: options.stages,
    argocd: world.client,
    gitAuth: { username: world.gitUsername, password: world.gitPassword },
    forges: { gitlab: world.forge },
    values: options.values,
  });
  status('info', `release status (${title})`);
  block(formatReleaseStatusTable(statuses));
}

function describe(event: ReleaseEvent): string | undefined {
  if (event.type === 'stage')
    return `${event.stage}: ${event.status}${event.message ? ` — ${event.message}` : ''}`;
  if (event.type === 'change-request')
    return `${event.stage}: merge request !${event.number} ${event.action}`;
  if (event.type === 'gate') return `${event.stage}: gate — ${event.message}`;
  const inner = event.event;
  if (inner.type === 'step' && inner.status !== 'started')
    return `${event.stage}: ${inner.step} — ${inner.message}`;
  return undefined;
}

/**
 * Runs a release; when prod's merge request opens, prints the status table and plays the reviewer (approve, then
 * merge in the GitLab emulator).
 */
async function release(world: ReleaseWorld, options: PromoteReleaseOptions): Promise<ReleaseReport> {
  let review: Promise<void> | undefined;
  const report = await promoteRelease({
    ...options,
    onEvent: (event) => {
      const line = describe(event);
      if (line !== undefined) status('info', line);
      if (event.type === 'change-request' && event.action === 'opened') {
        review = (async () => {
          await printStatus(
            world,
            options,
            `during: prod's merge request !${event.number} is waiting for review`,
          );
          await world.gitlab.approve(GITLAB_PROJECT, event.number);
          status('ok', `reviewer approved !${event.number}`);
          await world.gitlab.merge(GITLAB_PROJECT, event.number);
          status('ok', `reviewer merged !${event.number}`);
        })();
      }
    },
  });
  await review;
  return report;
}

runExample(
  'release-demo',
  async (cleanup) => {
    section('Start the testkit: git server, Argo CD (app-dev, app-staging, app-prod), GitLab');
    const world = await startReleaseWorld('1.0.0');
    cleanup.push(() => world.stop());
    status('ok', `GitServer ${world.git.url}: deploy (apps/app-<stage>/my-values.yaml per stage)`);
    status('ok', `ArgoCDEmulator ${world.argocd.url}: every stage Synced and Healthy at 1.0.0`);
    status('ok', `GitLabEmulator ${world.gitlab.url}: project ${GITLAB_PROJECT}, one approval required`);

    // The file names the repository as ${DEPLOY_REPO_URL}; the testkit's URL is only known now.
    const text = readFileSync(STAGES_FILE, 'utf8').replace(/\$\{DEPLOY_REPO_URL\}/g, world.deployRepoUrl);
    const stages = parseStagesFile(text);
    status(
      'ok',
      `stages.yaml: ${stages.map((stage) => `${stage.name} (${stage.strategy.type})`).join(' → ')}`,
    );
    const base = {
      stages,
      argocd: world.client,
      gitAuth: { username: world.gitUsername, password: world.gitPassword },
      forges: { gitlab: world.forge },
      mergePollIntervalMs: 100, // how often prod's merge request is looked at (the default suits people, not demos)
    };

    section('Release 1.1.0: dev → staging → prod');
    const first = { ...base, values: { 'image.tag': '1.1.0' } };
    await printStatus(world, first, 'before');
    const report = await release(world, first);
    await printStatus(world, first, 'after');
    check(report.outcome === 'succeeded', 'release 1.1.0 succeeded', report.stages);
    for (const stage of STAGES)
      check((await world.tagOf(stage)) === '1.1.0', `${stage} has image.tag 1.1.0 in git`);
    const prod = report.stages.find((stage) => stage.name === 'prod');
    check(
      prod?.changeRequest?.state === 'merged' &&
        prod.promotion?.syncedRevision === prod.changeRequest.mergeCommitSha,
      `prod runs merge request !${prod?.changeRequest?.number}'s merge commit`,
    );

    section('Release 1.2.0: prod pods crash, the release stops, prod is reverted');
    world.argocd.scriptHealth({ app: 'app-prod', kind: 'Deployment', image: ':1.2.0' }, [
      { status: 'Progressing', forMs: 300 },
      { status: 'Degraded', message: 'Back-off restarting failed container devops-demo (CrashLoopBackOff)' },
    ]);
    status('info', 'scripted: on app-prod, pods of image :1.2.0 go Progressing, then Degraded');
    const second = { ...base, values: { 'image.tag': '1.2.0' } };
    const failed = await release(world, second);
    await printStatus(world, second, 'after the failed release');
    check(failed.outcome === 'failed', 'release 1.2.0 failed');
    check(
      failed.stages.map((stage) => stage.outcome).join(',') === 'promoted,promoted,failed',
      'dev and staging were promoted; prod failed',
      failed.stages.map((stage) => stage.outcome),
    );
    const failedProd = failed.stages[2];
    block(failedProd?.promotion?.diagnosis?.summary ?? '(no diagnosis)');
    check(
      failedProd?.promotion?.rollback?.policy === 'git-revert' &&
        failedProd.promotion.rollback.outcome === 'succeeded',
      `prod's change was reverted in git (${failedProd?.promotion?.rollback?.commit?.slice(0, 12)}) and deployed`,
      failedProd?.promotion?.rollback,
    );
    check((await world.tagOf('prod')) === '1.1.0', 'prod has image.tag 1.1.0 again in git');
    const app = await world.client.applications.get('app-prod', { project: 'demo' });
    const deployment = world.argocd.liveObjects('app-prod').find((object) => object.kind === 'Deployment');
    const image = JSON.stringify(deployment?.['spec'] ?? {}).match(/"image":"([^"]+)"/)?.[1];
    check(
      app.status?.health?.status === 'Healthy' && image?.endsWith(':1.1.0') === true,
      `app-prod is Healthy, running ${image}`,
    );
    check((await world.tagOf('staging')) === '1.2.0', 'staging keeps 1.2.0 (it passed its health check)');
  },
  120_000,
);
