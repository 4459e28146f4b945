// The smoke-test harness: runs one example as a user would (a child process, configured only through its
// environment) and checks its exit code and its effect on the testkit.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What an example printed and how it ended. */
export interface ExampleRun {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** One smoke test: `setup` starts the testkit world and returns the environment, `verify` checks the effect. */
export interface SmokeCase {
  name: string;
  /** The example file (`examples/<example>.ts`) when it differs from `name`. */
  example?: string;
  args?: string[];
  setup(): Promise<{
    env: Record<string, string>;
    verify(run: ExampleRun): Promise<void>;
    stop(): Promise<void>;
  }>;
}

/** Thrown when an example did not behave as expected. */
export class SmokeCheckError extends Error {
  override readonly name = 'SmokeCheckError';
}

/** Prints `✓ what` or throws with `what` and the detail. */
export function expectThat(condition: unknown, what: string, detail?: unknown): asserts condition {
  if (!condition)
    throw new SmokeCheckError(
      `expected ${what}${detail === undefined ? '' : `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`}`,
    );
  console.log(`  ✓ ${what}`);
}

const examplesDirectory = dirname(dirname(fileURLToPath(import.meta.url)));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

/**
 * Runs `examples/<name>.ts` with tsx in a child process. Its environment is only what a user would set (plus
 * PATH and HOME), so nothing from the caller's shell (a real ARGOCD_SERVER, KUBECONFIG…) leaks in. Output is
 * shown as it comes and kept for the checks.
 */
export function runExample(
  name: string,
  env: Record<string, string>,
  args: readonly string[] = [],
  timeoutMs = 300_000,
): Promise<ExampleRun> {
  const startedAtMs = performance.now();
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'SystemRoot', 'NODE_OPTIONS'])
    if (process.env[key] !== undefined) base[key] = process.env[key] as string;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsxCli, join(examplesDirectory, `${name}.ts`), ...args], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 1 : 0),
        stdout,
        stderr,
        durationMs: performance.now() - startedAtMs,
      });
    });
  });
}
