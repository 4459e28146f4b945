// Deploy a tag, and if the app does not turn Healthy put the previous value back in git and deploy that (the
// GitOps way back: git and the cluster agree again). For Argo CD's own history rollback, which leaves git as it
// was, see rollback-last-deployment.ts.
//
//   ARGOCD_SERVER=https://argocd.example.com ARGOCD_AUTH_TOKEN=... \
//   DEPLOY_REPO_URL=https://gitlab.example.com/team/devops-deploy.git GIT_TOKEN=... \
//   APP=devops-demo PROJECT=demo TAG=1a2b3c4 npx tsx examples/rollback.ts
//
// Environment: as promote.ts (ARGOCD_*, DEPLOY_REPO_URL, GIT_TOKEN, GIT_USERNAME, DEPLOY_BRANCH, APP, PROJECT,
// TAG, VALUES_FILE, VALUE_PATH, TIMEOUT default 5m); the failure policy is always git-revert.
//
// Exit code: 0 TAG is deployed and Healthy; 1 it failed (the message says whether the revert worked).
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { registerSecret } from '@gitops-kit/core';
import { parseDurationMs, promote } from '@gitops-kit/gitops-flow';

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set (see the top of rollback.ts)`);
  return value;
}

/** An optional setting: undefined when unset or empty. */
function optional(name: string): string | undefined {
  return process.env[name] || undefined;
}

async function main(): Promise<boolean> {
  const gitToken = env('GIT_TOKEN');
  registerSecret(gitToken);
  const argocd = ArgoCDClient.fromEnv();
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
      wait: { timeoutMs: parseDurationMs(env('TIMEOUT', '5m')) },
      // Degraded or not Healthy in time: commit the previous values back and deploy that commit.
      onFailure: 'git-revert',
      onEvent: (event) => {
        if (event.type === 'step' && event.status !== 'started')
          console.log(`${event.step}: ${event.message}`);
      },
    });
    if (report.outcome === 'succeeded') {
      console.log(`${tag} deployed at ${report.commit ?? 'the current commit'} and Healthy`);
      return true;
    }
    if (report.diagnosis) console.error(report.diagnosis.summary);
    const back = report.rollback;
    if (back?.outcome === 'succeeded')
      console.error(
        `${tag} ${report.outcome}; rolled back: revert commit ${back.commit} is deployed, app ${report.healthStatus}`,
      );
    else
      console.error(
        `${tag} ${report.outcome}; the rollback did not complete: ${back?.outcome ?? 'not attempted'}${report.error ? ` (${report.error})` : ''}`,
      );
    return false;
  } finally {
    await argocd.close();
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error: unknown) => {
    console.error(`rollback: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
