// Roll an Argo CD application back to the deployment before the current one, like `argocd app rollback APP`:
// reads the deployment history, picks the entry before the last, rolls back to it and waits until it is Healthy.
//
// Argo CD deploys the old revision but git still holds the new one: the app shows OutOfSync until you revert the
// change in git (see rollback.ts for the GitOps way). Argo CD refuses a rollback while auto-sync is on.
//
//   ARGOCD_SERVER=https://argocd.example.com ARGOCD_AUTH_TOKEN=... APP=devops-demo PROJECT=demo \
//   npx tsx examples/rollback-last-deployment.ts
//
// Environment:
//   ARGOCD_SERVER, ARGOCD_AUTH_TOKEN (or ARGOCD_USERNAME + ARGOCD_PASSWORD), ARGOCD_OPTS   as for the argocd CLI
//   APP        the application                                                              required
//   PROJECT    its project (recommended: Argo CD checks it)                                  optional
//   TIMEOUT    how long to wait for the rolled-back app to be Healthy                       default 5m
//
// Exit code: 0 rolled back and Healthy, 1 otherwise.
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { parseDurationMs } from '@gitops-kit/gitops-flow';

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set (see the top of rollback-last-deployment.ts)`);
  return value;
}

/** An optional setting: undefined when unset or empty. */
function optional(name: string): string | undefined {
  return process.env[name] || undefined;
}

async function main(): Promise<void> {
  const client = ArgoCDClient.fromEnv();
  const app = env('APP');
  const project = optional('PROJECT');
  const scope = { ...(project ? { project } : {}) };
  try {
    // Oldest first, like `argocd app history`; the last entry is what runs now.
    const history = await client.applications.history(app, scope);
    for (const entry of history)
      console.log(`#${entry.id}  ${entry.revision ?? '-'}  ${entry.deployedAt ?? ''}`);
    const current = history.at(-1);
    const previous = history.at(-2);
    if (current === undefined || previous?.id === undefined)
      throw new Error(`${app} has ${history.length} deployment(s) in its history: nothing to roll back to`);

    console.log(
      `rolling ${app} back from #${current.id} (${current.revision}) to #${previous.id} (${previous.revision})`,
    );
    await client.applications.rollback(app, { ...scope, id: previous.id });
    const result = await client.applications.wait(app, {
      ...scope,
      conditions: ['operation', 'health'],
      timeoutMs: parseDurationMs(env('TIMEOUT', '5m')),
    });
    const status = result.application.status;
    // sync.status compares with git, which still holds the newer revision: OutOfSync until git is reverted.
    console.log(
      `${app} runs #${previous.id} (${previous.revision}) and is ${status?.health?.status}; sync status ${status?.sync?.status}`,
    );
  } finally {
    await client.close();
  }
}

main().catch((error: unknown) => {
  console.error(`rollback-last-deployment: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
