// Promote an image tag: write it into the deploy repo's values file, push, wait for Argo CD to see the commit,
// sync, and wait until the app is Healthy — what a CI job runs after it pushed an image.
//
//   ARGOCD_SERVER=https://argocd.example.com ARGOCD_AUTH_TOKEN=... \
//   DEPLOY_REPO_URL=https://gitlab.example.com/team/devops-deploy.git GIT_TOKEN=... \
//   APP=devops-demo PROJECT=demo TAG=1a2b3c4 npx tsx examples/promote.ts [--dry-run]
//
// Environment:
//   ARGOCD_SERVER, ARGOCD_AUTH_TOKEN (or ARGOCD_USERNAME + ARGOCD_PASSWORD), ARGOCD_OPTS   as for the argocd CLI
//   ARGOCD_CA_FILE    a PEM CA bundle for Argo CD's certificate                               optional
//   DEPLOY_REPO_URL   the deploy repository (https, no credentials in it)                     required
//   GIT_TOKEN         a token (or password) that may push to it                                required
//   GIT_USERNAME      the user name sent with the token                    default oauth2 (GitLab's convention)
//   DEPLOY_BRANCH     default main
//   APP, PROJECT      the application and its project                                 APP required
//   TAG               the value to deploy                                                      required
//   VALUES_FILE       default helm/my-values.yaml          VALUE_PATH   default image.tag
//   TIMEOUT           how long to wait for Healthy, e.g. 90s, 10m                             default 10m
//   ON_FAILURE        git-revert | argocd-rollback | none                                     default none
//
// `--dry-run` prints the diff and changes nothing. Exit code: 0 deployed and Healthy (or dry run), 1 otherwise.
import { readFileSync } from 'node:fs';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { registerSecret } from '@gitops-kit/core';
import { type FailurePolicy, parseDurationMs, promote } from '@gitops-kit/gitops-flow';

const POLICIES: readonly string[] = ['git-revert', 'argocd-rollback', 'none'];

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set (see the top of promote.ts)`);
  return value;
}

/** An optional setting: undefined when unset or empty. */
function optional(name: string): string | undefined {
  return process.env[name] || undefined;
}

async function main(): Promise<boolean> {
  const dryRun = process.argv.includes('--dry-run');
  const gitToken = env('GIT_TOKEN');
  registerSecret(gitToken); // never shown in an error, log line or commit
  const onFailure = env('ON_FAILURE', 'none');
  if (!POLICIES.includes(onFailure)) throw new Error(`ON_FAILURE must be one of ${POLICIES.join(', ')}`);
  const caFile = optional('ARGOCD_CA_FILE');
  const argocd = ArgoCDClient.fromEnv(
    process.env,
    caFile ? { tls: { ca: readFileSync(caFile, 'utf8') } } : {},
  );
  const tag = env('TAG');
  const project = optional('PROJECT');

  try {
    const report = await promote({
      repository: {
        url: env('DEPLOY_REPO_URL'),
        branch: env('DEPLOY_BRANCH', 'main'),
        auth: { username: env('GIT_USERNAME', 'oauth2'), token: gitToken },
      },
      changes: [
        { file: env('VALUES_FILE', 'helm/my-values.yaml'), set: { [env('VALUE_PATH', 'image.tag')]: tag } },
      ],
      application: { name: env('APP'), ...(project ? { project } : {}) },
      argocd,
      wait: { timeoutMs: parseDurationMs(env('TIMEOUT', '10m')) },
      onFailure: onFailure as FailurePolicy,
      dryRun,
      onEvent: (event) => {
        if (event.type === 'step' && event.status !== 'started')
          console.log(`${event.step}: ${event.message}`);
        if (event.type === 'warning') console.warn(`warning: ${event.message}`);
      },
    });

    if (report.diff) console.log(report.diff);
    console.log(
      `outcome: ${report.outcome}, commit ${report.commit ?? '(none)'}, ${report.syncStatus ?? '-'} ${report.healthStatus ?? '-'}`,
    );
    if (report.outcome === 'succeeded' || report.outcome === 'dry-run') return true;
    if (report.diagnosis) console.error(report.diagnosis.summary);
    if (report.rollback) console.error(`rollback: ${report.rollback.policy} ${report.rollback.outcome}`);
    console.error(
      `promote: ${tag} was not deployed (${report.outcome})${report.error ? `: ${report.error}` : ''}`,
    );
    return false;
  } finally {
    await argocd.close();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(`promote: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
