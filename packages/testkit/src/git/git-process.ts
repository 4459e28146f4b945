import { spawn } from 'node:child_process';

/** What one git invocation produced. */
export interface GitProcessResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/** Options for {@link runGit}. */
export interface RunGitOptions {
  /** Working directory (for bare repositories, pass `--git-dir` in `args` instead). */
  cwd?: string;
  /** The complete environment of the child; {@link gitBaseEnvironment} is a good start. */
  env: NodeJS.ProcessEnv;
  /** Bytes written to the child's stdin, then stdin is closed. */
  input?: string | Uint8Array;
  /** Exit codes that are not failures (default: only 0). */
  allowedExitCodes?: readonly number[];
  /** The git executable (default `git`). */
  gitBinary?: string;
}

/** A git command that exited with an unexpected code; carries its stderr (never any credential: none is passed). */
export class GitCommandError extends Error {
  readonly exitCode: number;
  readonly stderr: string;
  constructor(args: readonly string[], exitCode: number, stderr: string) {
    super(`git ${args.join(' ')} exited with ${exitCode}: ${stderr.trim().slice(0, 2000)}`);
    this.name = 'GitCommandError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * An environment for server-side git processes that ignores the machine's system and global configuration (so
 * tests behave the same everywhere) and never prompts.
 */
export function gitBaseEnvironment(homeDirectory: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: homeDirectory,
    XDG_CONFIG_HOME: homeDirectory,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    LANG: 'C',
    LC_ALL: 'C',
  };
}

/**
 * Runs git to completion and collects its output.
 *
 * @throws GitCommandError when git exits with a code not in `allowedExitCodes`.
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<GitProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.gitBinary ?? 'git', args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    // A child that exits early closes stdin; the resulting EPIPE is reported through the exit code instead.
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      const exitCode = code ?? 1;
      const result = {
        exitCode,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (!(options.allowedExitCodes ?? [0]).includes(exitCode)) {
        reject(new GitCommandError(args, exitCode, result.stderr));
        return;
      }
      resolve(result);
    });
    child.stdin.end(options.input ?? '');
  });
}
