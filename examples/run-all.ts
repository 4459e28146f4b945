// Smoke-tests every example on the testkit, one after the other (CI: `npm run examples`). Exits 1 if any fails.
//
//   npx tsx --tsconfig examples/tsconfig.json examples/run-all.ts [name ...]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLES: ReadonlyArray<{ name: string; args: string[] }> = [
  { name: 'pipeline', args: [] },
  { name: 'promote', args: ['--self-test'] },
  { name: 'rollback', args: [] },
  { name: 'seed-flow', args: [] },
];
/** Per-example limit; the examples set their own tighter deadlines, this only stops a hang. */
const EXAMPLE_TIMEOUT_MS = 360_000;

const directory = dirname(fileURLToPath(import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

function run(name: string, args: string[]): Promise<{ code: number; durationMs: number }> {
  const startedAtMs = performance.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [tsxCli, '--tsconfig', join(directory, 'tsconfig.json'), join(directory, `${name}.ts`), ...args],
      { stdio: 'inherit', env: { ...process.env, GITOPS_KIT_EXAMPLES_SELF_TEST: '1' } },
    );
    const timer = setTimeout(() => child.kill('SIGTERM'), EXAMPLE_TIMEOUT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 1 : 0), durationMs: performance.now() - startedAtMs });
    });
  });
}

const selected = process.argv.slice(2);
const unknown = selected.filter((name) => !EXAMPLES.some((example) => example.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown example(s): ${unknown.join(', ')}; known: ${EXAMPLES.map((e) => e.name).join(', ')}`,
  );
  process.exit(2);
}
const results: Array<{ name: string; code: number; durationMs: number }> = [];
for (const example of EXAMPLES) {
  if (selected.length > 0 && !selected.includes(example.name)) continue;
  console.log(`\n═══ examples/${example.name}.ts ${example.args.join(' ')}`);
  results.push({ name: example.name, ...(await run(example.name, example.args)) });
}
console.log('\n═══ Summary');
for (const result of results)
  console.log(
    `${result.code === 0 ? '✓' : '✗'} ${result.name.padEnd(10)} ${(result.durationMs / 1000).toFixed(1)} s`,
  );
process.exit(results.every((result) => result.code === 0) ? 0 : 1);
