import { execFile } from 'node:child_process';

/** The result of one git CLI run in a test. */
export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the git CLI asynchronously (the server lives in the same process, so a synchronous spawn would block it),
 * isolated from the machine's git configuration, never prompting, bounded in time.
 */
export function git(
  args: string[],
  options: { cwd?: string; home: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 30_000,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: options.home,
          XDG_CONFIG_HOME: options.home,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Test',
          GIT_AUTHOR_EMAIL: 'test@example.invalid',
          GIT_COMMITTER_NAME: 'Test',
          GIT_COMMITTER_EMAIL: 'test@example.invalid',
          LANG: 'C',
        },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ exitCode: code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** `-c http.extraHeader=Authorization: Basic …`, so tests never put a password in a URL. */
export function basicAuthConfig(username: string, password: string): string[] {
  const token = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return ['-c', `http.extraHeader=Authorization: Basic ${token}`];
}
