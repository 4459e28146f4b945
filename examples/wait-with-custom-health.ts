// Wait for an Argo CD application with a custom health check: Argo CD's own health for every resource, except one
// kind whose health comes from your Lua script — evaluated offline, in the same sandbox Argo CD uses, against the
// live object. Typical use: an Ingress on a cluster whose controller never publishes an address (Argo CD keeps the
// app Progressing forever), before the script is added to argocd-cm.
//
//   ARGOCD_SERVER=https://argocd.example.com ARGOCD_AUTH_TOKEN=... APP=devops-demo PROJECT=demo \
//   npx tsx examples/wait-with-custom-health.ts
//
// Environment:
//   ARGOCD_SERVER, ARGOCD_AUTH_TOKEN (or ARGOCD_USERNAME + ARGOCD_PASSWORD), ARGOCD_OPTS   as for the argocd CLI
//   APP               the application                                                       required
//   PROJECT           its project (recommended: Argo CD checks it)                           optional
//   HEALTH_KIND       the kind the script judges, `Kind` or `group/Kind`             default networking.k8s.io/Ingress
//   HEALTH_LUA_FILE   the Lua health script (argocd-cm `resource.customizations.health.*` body)
//                     default: gitops-flow's INGRESS_HEALTH_LUA (Healthy once the Ingress has rules)
//   TIMEOUT           how long to wait, e.g. 90s, 5m                                          default 5m
//
// Exit code: 0 Healthy, 1 Degraded / timed out / error.
import { readFileSync } from 'node:fs';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import {
  type ApplicationResource,
  aggregateHealth,
  evaluateHealthScript,
  isHealthStatusCode,
  type KubernetesObject,
} from '@gitops-kit/argocd-health';
import { INGRESS_HEALTH_LUA, parseDurationMs } from '@gitops-kit/gitops-flow';

const POLL_INTERVAL_MS = 2_000;

function env(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set (see the top of wait-with-custom-health.ts)`);
  return value;
}

/** An optional setting: undefined when unset or empty. */
function optional(name: string): string | undefined {
  return process.env[name] || undefined;
}

/** `networking.k8s.io/Ingress` → { group, kind }; `Ingress` matches the kind in any group. */
function parseKind(text: string): { group: string | undefined; kind: string } {
  const slash = text.lastIndexOf('/');
  return slash < 0
    ? { group: undefined, kind: text }
    : { group: text.slice(0, slash), kind: text.slice(slash + 1) };
}

async function main(): Promise<void> {
  const client = ArgoCDClient.fromEnv();
  const app = env('APP');
  const project = optional('PROJECT');
  const target = parseKind(env('HEALTH_KIND', 'networking.k8s.io/Ingress'));
  const script = optional('HEALTH_LUA_FILE')
    ? readFileSync(env('HEALTH_LUA_FILE'), 'utf8')
    : INGRESS_HEALTH_LUA;
  const deadline = Date.now() + parseDurationMs(env('TIMEOUT', '5m'));
  const scope = { ...(project ? { project } : {}) };
  try {
    // First what `argocd app wait --sync --operation` waits for: the sync has finished.
    await client.applications.wait(app, {
      ...scope,
      conditions: ['sync', 'operation'],
      timeoutMs: deadline - Date.now(),
    });

    for (;;) {
      const application = await client.applications.get(app, scope);
      const managed = await client.applications.managedResources(app, scope);
      const resources: ApplicationResource[] = [];
      for (const item of managed.items ?? []) {
        const live =
          item.liveState && item.liveState !== 'null'
            ? (JSON.parse(item.liveState) as KubernetesObject)
            : null;
        const matches =
          item.kind === target.kind && (target.group === undefined || (item.group ?? '') === target.group);
        // The script's verdict for the chosen kind (when it gives one); Argo CD's for everything else.
        const fromScript = matches && live !== null ? await evaluateHealthScript(script, live) : null;
        if (matches && live !== null)
          console.log(
            `${item.kind} ${item.name}: script says ${fromScript?.status ?? '(no opinion)'} ${fromScript?.message ?? ''}`,
          );
        const argocd = application.status?.resources?.find(
          (r) =>
            r.kind === item.kind && r.name === item.name && (r.namespace ?? '') === (item.namespace ?? ''),
        )?.health;
        const fromArgoCD =
          argocd?.status !== undefined && isHealthStatusCode(argocd.status)
            ? { status: argocd.status, message: argocd.message ?? '' }
            : null;
        resources.push({ live, health: fromScript ?? fromArgoCD });
      }
      const result = aggregateHealth(resources);
      console.log(
        `${app}: ${result.status}${result.message ? ` (${result.message})` : ''} — Argo CD says ${application.status?.health?.status}`,
      );
      if (result.status === 'Healthy') return;
      if (result.status === 'Degraded') {
        const degraded = resources
          .filter((resource) => resource.health?.status === 'Degraded')
          .map((resource) => `${resource.live?.['kind']} ${resource.health?.message}`);
        throw new Error(`${app} is Degraded: ${degraded.join('; ')}`);
      }
      if (Date.now() + POLL_INTERVAL_MS > deadline)
        throw new Error(`${app} is still ${result.status} at the timeout`);
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } finally {
    await client.close();
  }
}

main().then(
  () => console.log('Healthy with the custom health check'),
  (error: unknown) => {
    console.error(`wait-with-custom-health: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
