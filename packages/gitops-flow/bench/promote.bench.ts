/**
 * What the SDK itself costs per promotion, and how it behaves with many promotions into one repository.
 *
 *   npx tsx --tsconfig packages/gitops-flow/tsconfig.json packages/gitops-flow/bench/promote.bench.ts
 *
 * The testkit servers (GitServer with git's http-backend, the Argo CD emulator with zero sync and rollout delays)
 * run in child processes of their own, as the real ones run elsewhere, so the figures of this process are the
 * SDK's: its wall time per promotion (which includes waiting for the servers) and the CPU time it spent.
 *
 * 1. `promote` on a small deploy repo, N sequential runs: wall time p50/p90/max, the SDK's CPU time per
 *    promotion, and the time per step.
 * 2. 20 concurrent promotions (20 apps, one file each) into one deploy repo: all must land with linear history;
 *    reports total time and push attempts (races resolved by re-applying the edit on the new head).
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  | { type: 'ready'; url: string }
  | { type: 'log'; commits: Array<{ commit: string; parents: string[] }> };

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}

/** The git server process: a deploy repo with one chart per app. */
async function serveGit(apps: string[]): Promise<void> {
  const git = await GitServer.start({ auth: GIT_AUTH });
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`apps/${app}/Chart.yaml`] = `apiVersion: v2\nname: ${app}\nversion: 0.1.0\n`;
    files[`apps/${app}/my-values.yaml`] = 'image:\n  repository: registry.example.com/app\n  tag: "0"\n';
  }
  const repo = await git.createRepo('deploy', files);
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'log') {
      const commits = (await git.log('deploy', 'main')).map(({ commit, parents }) => ({ commit, parents }));
      process.send?.({ type: 'log', commits } satisfies ServerMessage);
    } else if (message.type === 'stop') {
      await git.stop();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url: repo.url } satisfies ServerMessage);
}

/** The Argo CD process: an app per chart of the deploy repo at `repoUrl`. */
async function serveArgoCD(repoUrl: string, apps: string[]): Promise<void> {
  const argocd = await ArgoCDEmulator.start({
    adminPassword: ARGOCD_PASSWORD,
    syncDurationMs: 0,
    defaultRolloutMs: 0,
    reconcileAfterOperationMs: 0,
    reconciliationIntervalMs: 0,
  });
  argocd.seedRepository({ repo: repoUrl, ...GIT_AUTH, type: 'git' });
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
          repoURL: repoUrl,
          path: `apps/${app}`,
          targetRevision: 'main',
          helm: { valueFiles: ['my-values.yaml'] },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: app },
      },
    });
  }
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stop') {
      await argocd.stop();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url: argocd.url } satisfies ServerMessage);
}

/**
 * Baselines measured in the same run, so the figures can be compared across machines: one smart-HTTP request to
 * the git server (what every git round trip costs here), and the shell way of writing the tag — `git clone
 * --depth 1`, edit, `git commit`, `git push` with the git CLI.
 */
async function baselines(servers: Servers, runs: number): Promise<{ requestMs: number; cliWriteMs: number }> {
  const authorization = `Basic ${Buffer.from(`${GIT_AUTH.username}:${GIT_AUTH.password}`).toString('base64')}`;
  const requests: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    const response = await fetch(`${servers.repoUrl}/info/refs?service=git-upload-pack`, {
      headers: { authorization, 'git-protocol': 'version=2' },
    });
    await response.arrayBuffer();
    requests.push(performance.now() - started);
  }
  const writes: number[] = [];
  const url = new URL(servers.repoUrl);
  url.username = GIT_AUTH.username;
  url.password = GIT_AUTH.password;
  const git = (args: string[], cwd?: string) =>
    new Promise<void>((resolve, reject) =>
      execFile(
        'git',
        args,
        {
          cwd,
          env: {
            ...process.env,
            GIT_CONFIG_NOSYSTEM: '1',
            GIT_CONFIG_GLOBAL: '/dev/null',
            GIT_TERMINAL_PROMPT: '0',
            GIT_AUTHOR_NAME: 'bench',
            GIT_AUTHOR_EMAIL: 'bench@example.invalid',
            GIT_COMMITTER_NAME: 'bench',
            GIT_COMMITTER_EMAIL: 'bench@example.invalid',
          },
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  for (let run = 0; run < Math.min(runs, 11); run += 1) {
    const directory = await mkdtemp(join(tmpdir(), 'promote-bench-'));
    try {
      const started = performance.now();
      await git(['clone', '--quiet', '--depth', '1', '--branch', 'main', url.toString(), directory]);
      const file = join(directory, 'apps/web/my-values.yaml');
      await writeFile(file, (await readFile(file, 'utf8')).replace(/tag: .*/, `tag: "cli-${run}"`));
      await git(['commit', '--quiet', '-am', `cli ${run}`], directory);
      await git(['push', '--quiet', 'origin', 'main'], directory);
      writes.push(performance.now() - started);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }
  return { requestMs: percentile(requests, 0.5), cliWriteMs: percentile(writes, 0.5) };
}

interface Servers {
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

function stopChild(child: ChildProcess): Promise<unknown> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'stop' });
  return exited;
}

/** One process for the git server, one for Argo CD (each forks git or renders on its own). */
async function startServers(apps: string[]): Promise<Servers> {
  const self = fileURLToPath(import.meta.url);
  const git = fork(self, ['serve-git', ...apps], { stdio: 'inherit' });
  const repoUrl = (await nextMessage(git, 'ready')).url;
  const argocd = fork(self, ['serve-argocd', repoUrl, ...apps], { stdio: 'inherit' });
  const argocdUrl = (await nextMessage(argocd, 'ready')).url;
  return {
    repoUrl,
    client: new ArgoCDClient({ server: argocdUrl, auth: { username: 'admin', password: ARGOCD_PASSWORD } }),
    async log() {
      git.send({ type: 'log' });
      return (await nextMessage(git, 'log')).commits;
    },
    async stop() {
      await stopChild(argocd);
      await stopChild(git);
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
    const baseline = await baselines(servers, SEQUENTIAL_RUNS);
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
      `promote, ${SEQUENTIAL_RUNS} sequential runs (small repo, zero health delays, servers in child processes)`,
    );
    console.log(
      `  wall time: p50 ${percentile(totals, 0.5).toFixed(0)} ms · p90 ${percentile(totals, 0.9).toFixed(0)} ms · max ${Math.max(...totals).toFixed(0)} ms`,
    );
    console.log(
      `  SDK CPU time per promotion: p50 ${percentile(cpu, 0.5).toFixed(1)} ms · p90 ${percentile(cpu, 0.9).toFixed(1)} ms`,
    );
    for (const [name, durations] of steps)
      console.log(`  ${name.padEnd(12)} p50 ${percentile(durations, 0.5).toFixed(0)} ms`);
    const writeBack = percentile(steps.get('write-back') ?? [0], 0.5);
    console.log(
      `  baselines in this run: one git request p50 ${baseline.requestMs.toFixed(1)} ms → promote = ${(percentile(totals, 0.5) / baseline.requestMs).toFixed(1)} git requests; git CLI clone --depth 1 + commit + push p50 ${baseline.cliWriteMs.toFixed(0)} ms → write-back ${(writeBack / baseline.cliWriteMs).toFixed(2)}×`,
    );
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

if (process.argv[2] === 'serve-git') {
  await serveGit(process.argv.slice(3));
} else if (process.argv[2] === 'serve-argocd') {
  await serveArgoCD(process.argv[3] as string, process.argv.slice(4));
} else {
  await sequential();
  await concurrent();
}
