/**
 * What the SDK itself costs per promotion, and how it behaves with many promotions into one repository.
 *
 *   npx tsx --tsconfig packages/gitops-flow/tsconfig.json packages/gitops-flow/bench/promote.bench.ts
 *
 * 1. `promote` wall time on the testkit (GitServer + ArgoCDEmulator with zero sync and rollout delays), small
 *    deploy repo, N sequential promotions: p50/p90/max, and the time per step.
 * 2. 20 concurrent promotions (20 apps, one file each) into one deploy repo: all must land with linear history;
 *    reports total time and push attempts (races resolved by re-applying the edit on the new head).
 */
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { ArgoCDEmulator, GitServer } from '@gitops-kit/testkit';
import { type PromotionReport, promote } from '../src/index.js';

const SEQUENTIAL_RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CONCURRENT_APPS = Number(process.env.BENCH_CONCURRENT ?? 20);

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}

async function environment(apps: string[]) {
  const git = await GitServer.start({ auth: { username: 'bench', password: 'bench-password' } });
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`apps/${app}/Chart.yaml`] = `apiVersion: v2\nname: ${app}\nversion: 0.1.0\n`;
    files[`apps/${app}/my-values.yaml`] = 'image:\n  repository: registry.example.com/app\n  tag: "0"\n';
  }
  const repo = await git.createRepo('deploy', files);
  const argocd = await ArgoCDEmulator.start({
    adminPassword: 'admin-password',
    syncDurationMs: 0,
    defaultRolloutMs: 0,
    reconcileAfterOperationMs: 0,
    reconciliationIntervalMs: 0,
    revisionCacheMs: 0,
  });
  argocd.seedRepository({ repo: repo.url, username: 'bench', password: 'bench-password', type: 'git' });
  argocd.seedProject({
    metadata: { name: 'bench' },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] },
  });
  for (const app of apps) {
    argocd.seedApplication({
      metadata: { name: app },
      spec: {
        project: 'bench',
        source: {
          repoURL: repo.url,
          path: `apps/${app}`,
          targetRevision: 'main',
          helm: { valueFiles: ['my-values.yaml'] },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: app },
      },
    });
  }
  const client = new ArgoCDClient({
    server: argocd.url,
    auth: { username: 'admin', password: 'admin-password' },
  });
  return { git, argocd, client, url: repo.url };
}

function promotionOptions(env: Awaited<ReturnType<typeof environment>>, app: string, tag: string) {
  return {
    repository: { url: env.url, branch: 'main', auth: { username: 'bench', password: 'bench-password' } },
    changes: [{ file: `apps/${app}/my-values.yaml`, set: { 'image.tag': tag } }],
    application: { name: app, project: 'bench' },
    argocd: env.client,
    wait: { timeoutMs: 120_000 },
  };
}

async function sequential(): Promise<void> {
  const env = await environment(['web']);
  try {
    await promote(promotionOptions(env, 'web', 'warm-up'));
    const totals: number[] = [];
    const steps = new Map<string, number[]>();
    for (let run = 0; run < SEQUENTIAL_RUNS; run += 1) {
      // Let the previous promotion's after-sync reconcile finish: each run starts on a quiet system, as
      // promotions minutes apart do.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const started = performance.now();
      const report = await promote(promotionOptions(env, 'web', `v${run}`));
      totals.push(performance.now() - started);
      if (report.outcome !== 'succeeded') throw new Error(`run ${run}: ${report.outcome}`);
      for (const step of report.steps)
        steps.set(step.name, [...(steps.get(step.name) ?? []), step.durationMs]);
    }
    console.log(`promote, ${SEQUENTIAL_RUNS} sequential runs (small repo, zero health delays)`);
    console.log(
      `  wall time: p50 ${percentile(totals, 0.5).toFixed(0)} ms · p90 ${percentile(totals, 0.9).toFixed(0)} ms · max ${Math.max(...totals).toFixed(0)} ms`,
    );
    for (const [name, durations] of steps)
      console.log(`  ${name.padEnd(12)} p50 ${percentile(durations, 0.5).toFixed(0)} ms`);
  } finally {
    await env.argocd.stop();
    await env.git.stop();
  }
}

async function concurrent(): Promise<void> {
  const apps = Array.from({ length: CONCURRENT_APPS }, (_, index) => `app-${String(index).padStart(2, '0')}`);
  const env = await environment(apps);
  try {
    const before = (await env.git.log('deploy', 'main')).length;
    const started = performance.now();
    const reports: PromotionReport[] = await Promise.all(
      apps.map((app) => promote(promotionOptions(env, app, `${app}-v1`))),
    );
    const totalMs = performance.now() - started;
    const log = await env.git.log('deploy', 'main');
    const linear = log
      .slice(0, apps.length)
      .every((entry, index) => entry.parents.length === 1 && entry.parents[0] === log[index + 1]?.commit);
    const succeeded = reports.filter((report) => report.outcome === 'succeeded').length;
    const attempts = reports.reduce((sum, report) => sum + report.pushAttempts, 0);
    console.log(`${CONCURRENT_APPS} concurrent promotions into one deploy repo (one process)`);
    console.log(
      `  succeeded ${succeeded}/${apps.length} · commits landed ${log.length - before} · linear history ${linear}`,
    );
    console.log(
      `  push attempts ${attempts} (retries ${attempts - apps.length}) · total ${totalMs.toFixed(0)} ms`,
    );
    if (succeeded !== apps.length || log.length - before !== apps.length || !linear) process.exitCode = 1;
  } finally {
    await env.argocd.stop();
    await env.git.stop();
  }
}

await sequential();
await concurrent();
