/**
 * What the SDK itself costs per promotion, and how it behaves with many promotions into one repository.
 *
 *   npx tsx --tsconfig packages/gitops-flow/tsconfig.json packages/gitops-flow/bench/promote.bench.ts
 *
 * The testkit servers (GitServer with git's http-backend, the Argo CD emulator with zero sync and rollout delays)
 * run in a child process, so the figures of this process are the SDK's: its wall time per promotion (which
 * includes waiting for the servers) and the CPU time it spent.
 *
 * 1. `promote` on a small deploy repo, N sequential runs: wall time p50/p90/max, the SDK's CPU time per
 *    promotion, and the time per step.
 * 2. 20 concurrent promotions (20 apps, one file each) into one deploy repo: all must land with linear history;
 *    reports total time and push attempts (races resolved by re-applying the edit on the new head).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { ArgoCDEmulator, GitServer } from '@gitops-kit/testkit';
import { type PromotionReport, promote } from '../src/index.js';

const SEQUENTIAL_RUNS = Number(process.env.BENCH_RUNS ?? 21);
const CONCURRENT_APPS = Number(process.env.BENCH_CONCURRENT ?? 20);
const GIT_AUTH = { username: 'bench', password: 'bench-password' };
const ARGOCD_PASSWORD = 'admin-password';

/** Messages between this process and the server process. */
type ServerMessage =
  | { type: 'ready'; repoUrl: string; argocdUrl: string }
  | { type: 'log'; commits: Array<{ commit: string; parents: string[] }> };

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}

/** The server process: a deploy repo with one chart per app and an Argo CD app per chart. */
async function serve(apps: string[]): Promise<void> {
  const git = await GitServer.start({ auth: GIT_AUTH });
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`apps/${app}/Chart.yaml`] = `apiVersion: v2\nname: ${app}\nversion: 0.1.0\n`;
    files[`apps/${app}/my-values.yaml`] = 'image:\n  repository: registry.example.com/app\n  tag: "0"\n';
  }
  const repo = await git.createRepo('deploy', files);
  const argocd = await ArgoCDEmulator.start({
    adminPassword: ARGOCD_PASSWORD,
    syncDurationMs: 0,
    defaultRolloutMs: 0,
    reconcileAfterOperationMs: 0,
    reconciliationIntervalMs: 0,
  });
  argocd.seedRepository({ repo: repo.url, ...GIT_AUTH, type: 'git' });
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
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'log') {
      const commits = (await git.log('deploy', 'main')).map(({ commit, parents }) => ({ commit, parents }));
      process.send?.({ type: 'log', commits } satisfies ServerMessage);
    } else if (message.type === 'stop') {
      await argocd.stop();
      await git.stop();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', repoUrl: repo.url, argocdUrl: argocd.url } satisfies ServerMessage);
}

interface Servers {
  child: ChildProcess;
  repoUrl: string;
  client: ArgoCDClient;
  log(): Promise<Array<{ commit: string; parents: string[] }>>;
  stop(): Promise<void>;
}

function nextMessage<T extends ServerMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ServerMessage) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<ServerMessage, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`the server process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function startServers(apps: string[]): Promise<Servers> {
  const child = fork(fileURLToPath(import.meta.url), ['serve', ...apps], { stdio: 'inherit' });
  const ready = await nextMessage(child, 'ready');
  return {
    child,
    repoUrl: ready.repoUrl,
    client: new ArgoCDClient({
      server: ready.argocdUrl,
      auth: { username: 'admin', password: ARGOCD_PASSWORD },
    }),
    async log() {
      child.send({ type: 'log' });
      return (await nextMessage(child, 'log')).commits;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

function promotionOptions(servers: Servers, app: string, tag: string) {
  return {
    repository: { url: servers.repoUrl, branch: 'main', auth: GIT_AUTH },
    changes: [{ file: `apps/${app}/my-values.yaml`, set: { 'image.tag': tag } }],
    application: { name: app, project: 'bench' },
    argocd: servers.client,
    wait: { timeoutMs: 120_000 },
  };
}

async function sequential(): Promise<void> {
  const servers = await startServers(['web']);
  try {
    await promote(promotionOptions(servers, 'web', 'warm-up'));
    const totals: number[] = [];
    const cpu: number[] = [];
    const steps = new Map<string, number[]>();
    for (let run = 0; run < SEQUENTIAL_RUNS; run += 1) {
      // Let the previous promotion's after-sync reconcile finish: each run starts on a quiet system, as
      // promotions minutes apart do.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const report = await promote(promotionOptions(servers, 'web', `v${run}`));
      totals.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      if (report.outcome !== 'succeeded') throw new Error(`run ${run}: ${report.outcome}`);
      for (const step of report.steps)
        steps.set(step.name, [...(steps.get(step.name) ?? []), step.durationMs]);
    }
    console.log(
      `promote, ${SEQUENTIAL_RUNS} sequential runs (small repo, zero health delays, servers in a child process)`,
    );
    console.log(
      `  wall time: p50 ${percentile(totals, 0.5).toFixed(0)} ms · p90 ${percentile(totals, 0.9).toFixed(0)} ms · max ${Math.max(...totals).toFixed(0)} ms`,
    );
    console.log(
      `  SDK CPU time per promotion: p50 ${percentile(cpu, 0.5).toFixed(1)} ms · p90 ${percentile(cpu, 0.9).toFixed(1)} ms`,
    );
    for (const [name, durations] of steps)
      console.log(`  ${name.padEnd(12)} p50 ${percentile(durations, 0.5).toFixed(0)} ms`);
  } finally {
    await servers.stop();
  }
}

async function concurrent(): Promise<void> {
  const apps = Array.from({ length: CONCURRENT_APPS }, (_, index) => `app-${String(index).padStart(2, '0')}`);
  const servers = await startServers(apps);
  try {
    const before = (await servers.log()).length;
    const started = performance.now();
    const reports: PromotionReport[] = await Promise.all(
      apps.map((app) => promote(promotionOptions(servers, app, `${app}-v1`))),
    );
    const totalMs = performance.now() - started;
    const log = await servers.log();
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
    await servers.stop();
  }
}

if (process.argv[2] === 'serve') {
  await serve(process.argv.slice(3));
} else {
  await sequential();
  await concurrent();
}
