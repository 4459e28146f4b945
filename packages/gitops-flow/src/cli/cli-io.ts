import { redact } from '@gitops-kit/core';

/** Where the CLI writes and what it reads: the process by default, buffers in tests. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal?: AbortSignal;
}

/** Writes a line to stdout, redacted. */
export function printLine(io: CliIo, text: string): void {
  io.stdout.write(`${redact(text)}\n`);
}

/** Writes a line to stderr, redacted. */
export function printError(io: CliIo, text: string): void {
  io.stderr.write(`${redact(text)}\n`);
}
