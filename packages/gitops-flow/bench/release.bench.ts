/**
 * What releases through stages cost beyond the promotions they are made of, and how fast a status overview is.
 *
 *   npx tsx --tsconfig packages/gitops-flow/tsconfig.json packages/gitops-flow/bench/release.bench.ts
 *
 * Servers run in child processes (bench-servers.ts), with zero sync and rollout delays, so the stages' own waits
 * are (nearly) nothing and what remains is the SDK's work and the round trips it makes.
 *
 * 1. A three-stage release (dev → staging → prod, push) against three sequential `promote()` calls of the same
 *    values to the same apps, alternating, N runs each: p50 of each and the ratio (target ≤ 1.2×).
 * 2. `releaseStatus` of 50 stages (50 apps over one deploy repository): p50 wall time (target ≤ 1 s).
 */
import { type PromoteReleaseOptions, promote, promoteRelease, releaseStatus } from '../src/index.js';
import { GIT_AUTH, percentile, type Servers, startServers } from './bench-servers.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const STATUS_STAGES = Number(process.env.BENCH_STATUS_STAGES ?? 50);

function stages(servers: Servers, apps: readonly string[]): PromoteReleaseOptions['stages'] {
  return apps.map((app) => ({
    name: app,
    application: { name: app, project: 'bench' },
    repository: { url: servers.repoUrl, branch: 'main' },
    changes: [{ file: `apps/${app}/my-values.yaml`, paths: ['image.tag'] }],
  }));
}

async function releaseAgainstPromotions(): Promise<void> {
  const apps = ['dev', 'staging', 'prod'];
  const servers = await startServers(apps);
  try {
    const releaseOf = (tag: string) =>
      promoteRelease({
        values: { 'image.tag': tag },
        stages: stages(servers, apps),
        argocd: servers.client,
        gitAuth: GIT_AUTH,
      });
    const promotionsOf = async (tag: string) => {
      for (const app of apps) {
        const report = await promote({
          repository: { url: servers.repoUrl, branch: 'main', auth: GIT_AUTH },
          changes: [{ file: `apps/${app}/my-values.yaml`, set: { 'image.tag': tag } }],
          application: { name: app, project: 'bench' },
          argocd: servers.client,
        });
        if (report.outcome !== 'succeeded') throw new Error(`promote ${app}: ${report.outcome}`);
      }
    };
    await releaseOf('warm-up-release');
    await promotionsOf('warm-up-promote');
    const releaseMs: number[] = [];
    const promoteMs: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      let started = performance.now();
      const report = await releaseOf(`r${run}`);
      releaseMs.push(performance.now() - started);
      if (report.outcome !== 'succeeded') throw new Error(`release ${run}: ${report.outcome}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
      started = performance.now();
      await promotionsOf(`p${run}`);
      promoteMs.push(performance.now() - started);
    }
    const release = percentile(releaseMs, 0.5);
    const promotions = percentile(promoteMs, 0.5);
    console.log(`three-stage release vs three sequential promote() calls, ${RUNS} runs each, alternating`);
    console.log(
      `  release p50 ${release.toFixed(0)} ms · promote ×3 p50 ${promotions.toFixed(0)} ms · ratio ${(release / promotions).toFixed(2)}× (target ≤ 1.2×)`,
    );
  } finally {
    await servers.stop();
  }
}

async function statusOfManyStages(): Promise<void> {
  const apps = Array.from({ length: STATUS_STAGES }, (_, index) => `stage-${String(index).padStart(2, '0')}`);
  const servers = await startServers(apps);
  try {
    const options = {
      stages: stages(servers, apps),
      argocd: servers.client,
      gitAuth: GIT_AUTH,
      values: { 'image.tag': '0' },
    };
    await releaseStatus(options);
    const durations: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      const statuses = await releaseStatus(options);
      durations.push(performance.now() - started);
      if (statuses.length !== apps.length || statuses.some((status) => status.errors.length > 0)) {
        throw new Error(`status run ${run}: ${JSON.stringify(statuses.flatMap((status) => status.errors))}`);
      }
    }
    console.log(
      `releaseStatus of ${STATUS_STAGES} stages (one deploy repository, concurrency 8), ${RUNS} runs`,
    );
    console.log(
      `  p50 ${percentile(durations, 0.5).toFixed(0)} ms · max ${Math.max(...durations).toFixed(0)} ms (target ≤ 1000 ms)`,
    );
  } finally {
    await servers.stop();
  }
}

await releaseAgainstPromotions();
await statusOfManyStages();
