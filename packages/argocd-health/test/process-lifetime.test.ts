import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `code` as `node --input-type=module -e` (the way the issue met the defect; the Lua worker inherits the
 * flag) with tsx loading our TypeScript sources. The child must exit by itself: `timeout` only bounds a hang.
 */
function runModule(code: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', code],
      { timeout: 120_000, cwd: fileURLToPath(new URL('..', import.meta.url)) },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; signal?: NodeJS.Signals | null }) | null;
        resolve({
          code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('a pending evaluateHealthScript keeps the process alive', () => {
  it('a top-level await gets its answer and the process exits with 0', async () => {
    const outcome = await runModule(`
      import { evaluateHealthScript } from ${JSON.stringify(ENTRY)};
      const health = await evaluateHealthScript('return { status = "Healthy", message = obj.kind }', {
        apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm' },
      });
      console.log(JSON.stringify(health));`);
    expect(outcome, outcome.stderr).toMatchObject({ code: 0, signal: null });
    expect(outcome.stdout.trim()).toBe('{"status":"Healthy","message":"ConfigMap"}');
  });

  it('concurrent and later calls are answered, and the idle worker does not hold the process', async () => {
    const outcome = await runModule(`
      import { evaluateHealthScript } from ${JSON.stringify(ENTRY)};
      const script = 'return { status = "Healthy", message = obj.metadata.name }';
      const pod = (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name } });
      const both = await Promise.all([evaluateHealthScript(script, pod('a')), evaluateHealthScript(script, pod('b'))]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const later = await evaluateHealthScript(script, pod('c'), { budgetMs: 500 });
      console.log([...both, later].map((health) => health.message).join(','));`);
    expect(outcome, outcome.stderr).toMatchObject({ code: 0, signal: null });
    expect(outcome.stdout.trim()).toBe('a,b,c');
  });
});
