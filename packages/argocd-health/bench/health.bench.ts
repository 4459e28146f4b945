/**
 * Health evaluation benchmark. With ARGOCD_RESOURCE_CUSTOMIZATIONS set, it replays every case of Argo CD's suite
 * (compiled scripts cached, as in production); otherwise it uses this package's own fixtures.
 *
 *   ARGOCD_RESOURCE_CUSTOMIZATIONS=/path/to/argo-cd/resource_customizations npm run bench
 *
 * Reports: cold start (worker + VM load), first evaluation of each script (compile), and the median, p95 and
 * mean per evaluation over warm rounds, plus the built-in (TypeScript) checks for comparison.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { builtInHealth } from '../src/builtin/builtin-health.js';
import { loadResourceCustomizations } from '../src/customizations/load-resource-customizations.js';
import { HealthScriptResolver } from '../src/customizations/script-resolver.js';
import { toLuaChunk } from '../src/lua/lua-literal.js';
import { LuaRuntime } from '../src/lua/lua-runtime.js';
import { configMapKey, groupVersionKind } from '../src/object-fields.js';
import { parseKubernetesYaml } from '../src/parse-kubernetes-yaml.js';
import { BUILTIN_FIXTURES, LUA_FIXTURES } from '../test/fixtures/objects.js';

interface Case {
  script: string;
  object: Record<string, unknown>;
}

const WARM_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

async function suiteCases(directory: string): Promise<Case[]> {
  const scripts = await loadResourceCustomizations(directory);
  const resolver = new HealthScriptResolver(new Map(), scripts);
  const cases: Case[] = [];
  for (const script of scripts) {
    const testFile = join(directory, script.path, 'health_test.yaml');
    if (!existsSync(testFile)) continue;
    const tests =
      (parseYaml(await readFile(testFile, 'utf8')) as { tests?: Record<string, unknown>[] }).tests ?? [];
    for (const test of tests) {
      const inputPath = String(test.inputPath ?? test.inputpath ?? '');
      const [object] = parseKubernetesYaml(await readFile(join(directory, script.path, inputPath), 'utf8'));
      if (object === undefined) continue;
      const { group, kind } = groupVersionKind(object);
      const resolved = resolver.resolve(configMapKey(group, kind));
      if (resolved !== null) cases.push({ script: resolved.healthLua, object });
    }
  }
  return cases;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] as number;
}

async function main(): Promise<void> {
  const directory = process.env.ARGOCD_RESOURCE_CUSTOMIZATIONS;
  const useSuite = directory !== undefined && directory !== '' && existsSync(directory);
  const cases: Case[] = useSuite
    ? await suiteCases(directory as string)
    : LUA_FIXTURES.map((fixture) => ({ script: fixture.script, object: fixture.object }));
  console.log(
    `workload: ${useSuite ? `Argo CD suite at ${directory}` : 'own fixtures'} (${cases.length} cases)`,
  );

  const coldStart = performance.now();
  const runtime = await LuaRuntime.create();
  const coldStartMs = performance.now() - coldStart;

  const firstPass = performance.now();
  for (const item of cases) runtime.evaluate(item.script, toLuaChunk(item.object), true);
  const firstPassMs = performance.now() - firstPass;

  const samples: number[] = [];
  const warmStart = performance.now();
  for (let round = 0; round < WARM_ROUNDS; round += 1) {
    for (const item of cases) {
      const start = performance.now();
      runtime.evaluate(item.script, toLuaChunk(item.object), true);
      samples.push(performance.now() - start);
    }
  }
  const warmMs = performance.now() - warmStart;
  await runtime.close();
  samples.sort((left, right) => left - right);

  const builtinSamples: number[] = [];
  for (let round = 0; round < 2000; round += 1) {
    for (const fixture of BUILTIN_FIXTURES) {
      const start = performance.now();
      builtInHealth(fixture.object);
      builtinSamples.push(performance.now() - start);
    }
  }
  builtinSamples.sort((left, right) => left - right);

  const lines = [
    `cold start (worker thread + wasmoon VM + prelude): ${coldStartMs.toFixed(1)} ms`,
    `first pass (compile + run each case once): ${firstPassMs.toFixed(1)} ms for ${cases.length} cases (${((firstPassMs / cases.length) * 1000).toFixed(0)} µs/case)`,
    `warm, compiled scripts cached (${WARM_ROUNDS} rounds, ${samples.length} evaluations):`,
    `  median ${(percentile(samples, 0.5) * 1000).toFixed(1)} µs, p95 ${(percentile(samples, 0.95) * 1000).toFixed(1)} µs, mean ${((warmMs / samples.length) * 1000).toFixed(1)} µs per evaluation`,
    `built-in TypeScript checks: median ${(percentile(builtinSamples, 0.5) * 1000).toFixed(2)} µs per evaluation`,
  ];
  for (const line of lines) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
