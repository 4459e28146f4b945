import { spawn } from 'node:child_process';

/**
 * How long an exec credential plugin may take to exit after SIGTERM before its whole process group gets SIGKILL,
 * in milliseconds. client-go gives a plugin no grace at all (`exec.CommandContext` kills at once); two seconds let
 * a well-behaved plugin flush a cache file, and still bound how long anything outlives the call.
 */
export const EXEC_PLUGIN_KILL_GRACE_MS = 2_000;

/** How often the runner checks whether a terminated process group is empty, in milliseconds. */
const GROUP_POLL_INTERVAL_MS = 50;

/** How a plugin process ended. */
export type PluginOutcome =
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null; stdout: string }
  | { kind: 'spawn-failed'; errorCode: string }
  | { kind: 'timed-out' }
  | { kind: 'output-too-large' }
  | { kind: 'stopped' };

/** What {@link startPluginProcess} runs. */
export interface PluginProcessOptions {
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The plugin's own limit; the group is terminated when it runs out. */
  timeoutMs: number;
  /** The most stdout kept; more terminates the group. */
  maxOutputBytes: number;
  /** Override of {@link EXEC_PLUGIN_KILL_GRACE_MS}, for tests. */
  killGraceMs?: number;
}

/** A running plugin. `result` never rejects. */
export interface PluginProcess {
  readonly pid: number | undefined;
  readonly result: Promise<PluginOutcome>;
  /** Ends the run (every caller went away): SIGTERM to the group, SIGKILL after the grace. */
  stop(): void;
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    // A negative pid addresses the process group the detached child leads, grandchildren included.
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is empty.
  }
}

/**
 * Starts a plugin in its own process group (`detached`), stdin from /dev/null (client-go runs non-interactive
 * plugins without a terminal), stderr discarded (it may hold credentials), stdout captured up to a cap.
 *
 * Termination always addresses the whole group: SIGTERM, then SIGKILL once {@link EXEC_PLUGIN_KILL_GRACE_MS} has
 * passed and anything is left, so neither a plugin that ignores SIGTERM nor a child it forked outlives the run.
 * When the plugin exits by itself, whatever it left running in its group is terminated the same way.
 *
 * @throws never; failures are outcomes.
 * @example
 * ```ts
 * const run = startPluginProcess({ command: 'kubelogin', args: [], env, timeoutMs: 60_000, maxOutputBytes: 1 << 20 });
 * const outcome = await run.result;
 * ```
 */
export function startPluginProcess(options: PluginProcessOptions): PluginProcess {
  const graceMs = options.killGraceMs ?? EXEC_PLUGIN_KILL_GRACE_MS;
  const windows = process.platform === 'win32';
  const child = spawn(options.command, [...options.args], {
    env: options.env,
    detached: !windows,
    stdio: ['ignore', 'pipe', 'ignore'],
    windowsHide: true,
  });
  const pid = child.pid;
  let reason: 'timed-out' | 'output-too-large' | 'stopped' | undefined;
  let exit: { exitCode: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: string | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  const chunks: Buffer[] = [];
  let size = 0;

  const clearTermination = (): void => {
    if (killTimer) clearTimeout(killTimer);
    if (pollTimer) clearInterval(pollTimer);
    killTimer = undefined;
    pollTimer = undefined;
  };
  const terminateGroup = (): void => {
    if (pid === undefined || killTimer) return;
    if (windows) {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      return;
    }
    if (!signalGroup(pid, 'SIGTERM')) return;
    killTimer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL');
      clearTermination();
    }, graceMs);
    // Stop waiting as soon as the group is empty, so a finished call leaves no timer behind.
    pollTimer = setInterval(() => {
      if (!signalGroup(pid, 0)) clearTermination();
    }, GROUP_POLL_INTERVAL_MS);
  };
  const end = (why: 'timed-out' | 'output-too-large' | 'stopped'): void => {
    if (exit !== undefined && reason === undefined && why === 'stopped') {
      // The plugin already exited; only its leftovers are being cleaned up.
      terminateGroup();
      return;
    }
    reason ??= why;
    terminateGroup();
  };

  const deadline = setTimeout(() => end('timed-out'), options.timeoutMs);
  child.stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > options.maxOutputBytes) {
      end('output-too-large');
      return;
    }
    chunks.push(chunk);
  });

  const result = new Promise<PluginOutcome>((resolve) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (pid === undefined) {
        spawnError = error.code ?? 'SPAWN_FAILED';
        clearTimeout(deadline);
        resolve({ kind: 'spawn-failed', errorCode: spawnError });
      }
    });
    child.on('exit', (exitCode, signal) => {
      exit = { exitCode, signal };
      clearTimeout(deadline);
      // Anything the plugin forked and left behind (it may hold stdout open) goes with it.
      if (pid !== undefined && !windows && signalGroup(pid, 0)) terminateGroup();
    });
    child.on('close', () => {
      clearTimeout(deadline);
      if (spawnError !== undefined) return;
      if (reason !== undefined) {
        resolve({ kind: reason });
        return;
      }
      resolve({
        kind: 'exited',
        exitCode: exit?.exitCode ?? null,
        signal: exit?.signal ?? null,
        stdout: Buffer.concat(chunks).toString('utf8'),
      });
    });
  });

  return { pid, result, stop: () => end('stopped') };
}
