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
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PromotionReport, promote } from '../src/index.js';
import { GIT_AUTH, percentile, type Servers, startServers } from './bench-servers.js';

const SEQUENTIAL_RUNS = Number(process.env.BENCH_RUNS ?? 21);
const CONCURRENT_APPS = Number(process.env.BENCH_CONCURRENT ?? 20);
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

await sequential();
await concurrent();
