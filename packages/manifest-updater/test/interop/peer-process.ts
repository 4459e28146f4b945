import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Helpers shared by the interop tests: run git, make seeded bare repositories, start and stop peer servers. */

const GIT_ENVIRONMENT = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'seed',
  GIT_AUTHOR_EMAIL: 'seed@example.invalid',
  GIT_COMMITTER_NAME: 'seed',
  GIT_COMMITTER_EMAIL: 'seed@example.invalid',
};

/** Runs the git CLI; resolves with stdout, rejects with stderr. Never gets stdin (see pack-file.test.ts). */
export function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, env: GIT_ENVIRONMENT, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`git ${args[0]} failed: ${stderr}`)) : resolve(stdout),
    );
    child.stdin?.destroy();
  });
}

/**
 * Creates a bare repository at `directory` with `files` on `main`, plus what real deploy repositories have: an
 * annotated tag (peeled in the advertisement), a branch with a slash, and packed refs.
 */
export async function createSeededRepo(directory: string, files: Record<string, string>): Promise<void> {
  const work = `${directory}.work`;
  await git(['init', '--quiet', '--initial-branch=main', work]);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(work, path, '..'), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await git(['add', '--all'], work);
  await git(['commit', '--quiet', '-m', 'seed'], work);
  await git(['tag', '-a', 'v1.0.0', '-m', 'release v1.0.0'], work);
  await git(['branch', 'release/v1'], work);
  await git(['clone', '--quiet', '--bare', work, directory]);
  await git(['--git-dir', directory, 'pack-refs', '--all']);
}

/** A free TCP port on 127.0.0.1 (bound and released; the caller retries if someone takes it meanwhile). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Fails with a message that says what to install when a peer program is missing. */
export async function requireProgram(path: string, debianPackage: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new Error(
      `${path} is missing: install Debian's ${debianPackage} (apt-get install ${debianPackage}); .ci/run does this`,
    );
  }
}

/** A started peer process; `stop()` kills it (its process group) and waits for it to go. */
export interface PeerProcess {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts a peer and waits until `ready(output)` holds (a line it prints) or it exits; rejects with its output.
 */
export async function startPeer(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; ready: (output: string) => boolean; timeoutMs?: number },
): Promise<PeerProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await exited;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!options.ready(output)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${command} exited before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} was not ready in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { child, output: () => output, stop };
}

/** Waits until something answers HTTP on `url` (any status). */
export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
