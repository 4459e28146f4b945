// promote() against real servers, configured from the environment — what a CI job runs after it pushed an image.
//
//   ARGOCD_SERVER=https://argocd.example.com ARGOCD_AUTH_TOKEN=... \
//   DEPLOY_REPO_URL=https://gitlab.example.com/team/devops-deploy.git GIT_TOKEN=... \
//   APP=devops-demo PROJECT=demo TAG=1a2b3c4 \
//   npx tsx --tsconfig examples/tsconfig.json examples/promote.ts [--dry-run]
//
// Optional: ARGOCD_USERNAME/ARGOCD_PASSWORD (instead of a token), ARGOCD_CA_FILE, ARGOCD_INSECURE=true,
// GIT_USERNAME (default oauth2), DEPLOY_BRANCH (main), VALUES_FILE (helm/my-values.yaml), VALUE_PATH (image.tag),
// TIMEOUT (10m), ON_FAILURE (git-revert | argocd-rollback | none; default none).
//
// `--self-test` (or GITOPS_KIT_EXAMPLES_SELF_TEST=1 when ARGOCD_SERVER is unset) starts the testkit's git server
// and Argo CD emulator and points the same code at them, so CI can smoke-test this file.
import { readFileSync } from 'node:fs';
import type { ArgoCDAuth } from '@gitops-kit/argocd-client';
import { registerSecret } from '@gitops-kit/core';
import { type FailurePolicy, parseDurationMs, promote } from '@gitops-kit/gitops-flow';
import { block, check, runExample, section, status } from './support/report.js';
import { startSeedWorld } from './support/seed-world.js';

type Environment = Record<string, string | undefined>;

const POLICIES: readonly FailurePolicy[] = ['git-revert', 'argocd-rollback', 'none'];
/** The process environment (the variables are documented at the top of this file). */
const processEnvironment: Environment = process.env;

function required(env: Environment, name: string): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new Error(`${name} is not set (see the top of examples/promote.ts)`);
  return value;
}

function argocdAuth(env: Environment): ArgoCDAuth {
  if (env['ARGOCD_AUTH_TOKEN']) return { token: env['ARGOCD_AUTH_TOKEN'] };
  return { username: required(env, 'ARGOCD_USERNAME'), password: required(env, 'ARGOCD_PASSWORD') };
}

/** Starts the testkit and returns the environment a CI job would have. */
async function selfTestEnvironment(cleanup: Array<() => Promise<void> | void>): Promise<Environment> {
  const world = await startSeedWorld({ ingress: false });
  cleanup.push(() => world.stop());
  status('info', `self-test: GitServer ${world.git.url}, ArgoCDEmulator ${world.argocd.url}`);
  return {
    ARGOCD_SERVER: world.argocd.url,
    ARGOCD_USERNAME: 'admin',
    ARGOCD_PASSWORD: world.argocdPassword,
    DEPLOY_REPO_URL: world.deployRepoUrl,
    GIT_USERNAME: world.gitUsername,
    GIT_TOKEN: world.gitPassword,
    APP: 'devops-demo',
    PROJECT: 'demo',
    TAG: `self-test-${Date.now().toString(36)}`,
    TIMEOUT: '60s',
    ON_FAILURE: 'git-revert',
  };
}

runExample(
  'promote',
  async (cleanup) => {
    const args = process.argv.slice(2);
    const selfTest =
      args.includes('--self-test') ||
      (processEnvironment['ARGOCD_SERVER'] === undefined &&
        processEnvironment['GITOPS_KIT_EXAMPLES_SELF_TEST'] === '1');
    const dryRun = args.includes('--dry-run');

    section(selfTest ? 'Environment (self-test on the testkit)' : 'Environment');
    const env = selfTest ? await selfTestEnvironment(cleanup) : processEnvironment;
    const gitToken = required(env, 'GIT_TOKEN');
    registerSecret(gitToken, env['ARGOCD_AUTH_TOKEN'], env['ARGOCD_PASSWORD']);
    const onFailure = (env['ON_FAILURE'] ?? 'none') as FailurePolicy;
    if (!POLICIES.includes(onFailure)) throw new Error(`ON_FAILURE must be one of ${POLICIES.join(', ')}`);
    const file = env['VALUES_FILE'] ?? 'helm/my-values.yaml';
    const valuePath = env['VALUE_PATH'] ?? 'image.tag';
    const tag = required(env, 'TAG');
    const app = required(env, 'APP');
    const caFile = env['ARGOCD_CA_FILE'];
    status(
      'info',
      `Argo CD ${required(env, 'ARGOCD_SERVER')}, app ${app}${env['PROJECT'] ? ` (project ${env['PROJECT']})` : ''}`,
    );
    status('info', `deploy repo ${required(env, 'DEPLOY_REPO_URL')}: ${file} ${valuePath}=${tag}`);

    section(dryRun ? 'Promote (dry run)' : 'Promote');
    const report = await promote({
      repository: {
        url: required(env, 'DEPLOY_REPO_URL'),
        branch: env['DEPLOY_BRANCH'] ?? 'main',
        auth: { username: env['GIT_USERNAME'] ?? 'oauth2', token: gitToken },
      },
      changes: [{ file, set: { [valuePath]: tag } }],
      application: { name: app, ...(env['PROJECT'] ? { project: env['PROJECT'] } : {}) },
      argocd: {
        server: required(env, 'ARGOCD_SERVER'),
        auth: argocdAuth(env),
        ...(caFile || env['ARGOCD_INSECURE'] === 'true'
          ? {
              tls: {
                ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}),
                ...(env['ARGOCD_INSECURE'] === 'true' ? { insecureSkipVerify: true } : {}),
              },
            }
          : {}),
      },
      wait: { timeoutMs: parseDurationMs(env['TIMEOUT'] ?? '10m') },
      onFailure,
      dryRun,
      onEvent: (event) => {
        if (event.type === 'step' && event.status !== 'started')
          status(event.status === 'failed' ? 'fail' : 'ok', `${event.step}: ${event.message}`);
        if (event.type === 'warning') status('warn', event.message);
      },
    });

    section('Report');
    block(
      [
        `outcome:  ${report.outcome}`,
        `commit:   ${report.commit ?? '(none)'}`,
        `synced:   ${report.syncedRevision ?? '-'} (${report.syncStatus ?? '-'}, ${report.healthStatus ?? '-'})`,
        `duration: ${report.durationMs} ms, push attempts ${report.pushAttempts}`,
      ].join('\n'),
    );
    if (report.diff) block(report.diff);
    if (report.diagnosis) block(`diagnosis: ${report.diagnosis.summary}`);
    if (report.rollback) block(`rollback:  ${report.rollback.policy} ${report.rollback.outcome}`);
    check(
      report.outcome === 'succeeded' || (dryRun && report.outcome === 'dry-run'),
      `the promotion ${dryRun ? 'dry run ' : ''}succeeded`,
      report.error ?? report.outcome,
    );
    if (selfTest && !dryRun) {
      check(
        report.commit !== null && report.syncedRevision === report.commit,
        'Argo CD runs the pushed commit',
      );
      check(report.healthStatus === 'Healthy', 'the application is Healthy');
    }
  },
  // A real promotion may wait up to TIMEOUT for health; allow that plus the git and refresh steps.
  Math.max(120_000, parseDurationMs(processEnvironment['TIMEOUT'] ?? '10m') + 180_000),
);
