import type { CliIo } from '../src/index.js';

/** A CliIo that records what the CLI writes. */
export function captureIo(
  options: { env?: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal } = {},
): CliIo & {
  out: () => string;
  err: () => string;
} {
  let stdout = '';
  let stderr = '';
  return {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    ...(options.signal ? { signal: options.signal } : {}),
    out: () => stdout,
    err: () => stderr,
  };
}
