// Smoke-tests every example (CI: `npm run examples`, which builds first). For each one it starts a testkit world,
// runs the example in a child process with the environment pointing at the testkit, and checks the exit code and
// the effect (the value in git, the live image, the app's health, the PipelineRun…). Exits 1 if any failed.
//
//   npm run examples                       # all of them
//   npx tsx examples/run-all.ts promote    # a subset (after `npm run build`)
import {
  promoteCase,
  rollbackCase,
  rollbackLastDeploymentCase,
  updateKustomizeImageCase,
  waitWithCustomHealthCase,
  waitWithCustomHealthDegradedCase,
} from './smoke/argocd-cases.js';
import { type ExampleRun, runExample, type SmokeCase } from './smoke/harness.js';
import { pipelineCase, pipelineRunLogsCase } from './smoke/tekton-cases.js';

/** The two demos check themselves (they are scripted stories on the testkit): exit 0 is the expectation. */
function demo(name: string): SmokeCase {
  return {
    name,
    async setup() {
      return {
        env: {},
        async verify(run: ExampleRun) {
          if (run.code !== 0) throw new Error(`${name}.ts exited ${run.code}`);
          console.log(`  ✓ ${name}.ts exits 0 (every stage behaved as expected)`);
        },
        async stop() {},
      };
    },
  };
}

const CASES: readonly SmokeCase[] = [
  updateKustomizeImageCase,
  promoteCase,
  rollbackCase,
  rollbackLastDeploymentCase,
  waitWithCustomHealthCase,
  waitWithCustomHealthDegradedCase,
  pipelineCase,
  pipelineRunLogsCase,
  demo('seed-flow'),
  demo('release-demo'),
];

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !CASES.some((example) => example.name === name));
if (unknown.length > 0) {
  console.error(`unknown example(s): ${unknown.join(', ')}; known: ${CASES.map((e) => e.name).join(', ')}`);
  process.exit(2);
}

const results: Array<{ name: string; ok: boolean; durationMs: number; error?: string }> = [];
for (const example of CASES) {
  if (selected.length > 0 && !selected.includes(example.name)) continue;
  console.log(`\n═══ ${example.name}: examples/${example.example ?? example.name}.ts`);
  const startedAtMs = performance.now();
  let world: Awaited<ReturnType<SmokeCase['setup']>> | undefined;
  try {
    world = await example.setup();
    const run = await runExample(example.example ?? example.name, world.env, example.args);
    console.log(`─── checks (exit code ${run.code}, ${(run.durationMs / 1000).toFixed(1)} s)`);
    await world.verify(run);
    results.push({ name: example.name, ok: true, durationMs: performance.now() - startedAtMs });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`  ✗ ${message}`);
    results.push({
      name: example.name,
      ok: false,
      durationMs: performance.now() - startedAtMs,
      error: message,
    });
  } finally {
    await world
      ?.stop()
      .catch((error: unknown) => console.error(`  (stopping the testkit: ${String(error)})`));
  }
}

console.log('\n═══ Summary');
const width = Math.max(...results.map((result) => result.name.length));
for (const result of results)
  console.log(
    `${result.ok ? '✓' : '✗'} ${result.name.padEnd(width)} ${(result.durationMs / 1000).toFixed(1).padStart(5)} s`,
  );
process.exit(results.every((result) => result.ok) ? 0 : 1);
