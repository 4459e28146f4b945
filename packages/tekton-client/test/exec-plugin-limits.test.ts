import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, TimeoutError } from '@gitops-kit/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TektonClient } from '../src/client/tekton-client.js';
import { ExecCredentialError } from '../src/errors/kubeconfig-errors.js';
import { ExecCredentialProvider } from '../src/kubeconfig/exec-credential.js';
import { sendJson, TestServer } from './helpers/http-server.js';

// Real shell scripts as exec credential plugins: one that hangs, one that ignores SIGTERM, one that forks a
// grandchild. Every script writes the pids it starts to $PID_FILE so the test can check they are gone.

/** The plugin's own limit in these tests: far above any call deadline, so reaching it means the deadline was ignored. */
const EXEC_TIMEOUT_MS = 120_000;
/** A call returning within this bound has honoured a 3 s deadline, not the 120 s plugin limit. */
const WELL_BEFORE_EXEC_TIMEOUT_MS = 30_000;

let directory: string;
let server: TestServer;
let url: string;
const clients: TektonClient[] = [];
const startedPids: number[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tekton-exec-limits-'));
  server = new TestServer((_request, response) => {
    sendJson(response, 200, {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRunList',
      metadata: {},
      items: [],
    });
  });
  url = await server.listen();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  // Never leave a plugin behind, even when an assertion failed before the processes were reaped.
  for (const pid of startedPids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});
afterAll(async () => {
  await server.stop();
  rmSync(directory, { recursive: true, force: true });
});

function script(name: string, body: string): { command: string; pidFile: string } {
  const command = join(directory, name);
  const pidFile = join(directory, `${name}.pids`);
  rmSync(pidFile, { force: true });
  writeFileSync(command, `#!/bin/sh\n${body}\n`);
  chmodSync(command, 0o755);
  return { command, pidFile };
}

function kubeconfigFor(plugin: { command: string; pidFile: string }, name: string): string {
  const path = join(directory, `${name}.yaml`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      clusters: [{ name: 'c', cluster: { server: url } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'ci' } }],
      users: [
        {
          name: 'u',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: plugin.command,
              env: [{ name: 'PID_FILE', value: plugin.pidFile }],
            },
          },
        },
      ],
    }),
  );
  return path;
}

function pidsIn(pidFile: string): number[] {
  if (!existsSync(pidFile)) return [];
  const pids = readFileSync(pidFile, 'utf8')
    .split(/\s+/)
    .filter((line) => line !== '')
    .map(Number);
  startedPids.push(...pids);
  return pids;
}

/**
 * Whether a process exists, as `process.kill(pid, 0)` says. A zombie (exited, not yet reaped by an init that does
 * not reap) counts as gone: it runs nothing and holds nothing but its pid.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function expectAllGone(pids: readonly number[]): Promise<void> {
  expect(pids.length).toBeGreaterThan(0);
  await waitFor(() => pids.every((pid) => !isAlive(pid)), `pids ${pids.join(', ')} to exit`);
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
}

const HANGS = `sleep 1000 &
echo $$ $! >> "$PID_FILE"
wait`;
const IGNORES_TERM = `trap '' TERM
echo $$ >> "$PID_FILE"
while :; do sleep 1; done`;
const FORKS_GRANDCHILD = `sh -c 'trap "" TERM; echo $$ >> "$PID_FILE"; exec sleep 1000' > /dev/null 2>&1 &
echo $$ >> "$PID_FILE"
sleep 1000 &
echo $! >> "$PID_FILE"
wait`;

describe('exec plugins honour the call deadline and abort', () => {
  it.each([
    ['hangs', HANGS, 2],
    ['ignores SIGTERM', IGNORES_TERM, 1],
    ['forks a grandchild that ignores SIGTERM', FORKS_GRANDCHILD, 3],
  ])(
    'a plugin that %s: timeoutMs ends the call with TimeoutError and the whole group dies',
    async (name, body, count) => {
      const plugin = script(`deadline-${count}.sh`, body);
      const client = TektonClient.fromKubeconfig({
        path: kubeconfigFor(plugin, `deadline-${count}`),
        proxy: false,
        retry: false,
        execTimeoutMs: EXEC_TIMEOUT_MS,
      });
      clients.push(client);
      const started = Date.now();
      const error = await client.pipelineRuns.list({ timeoutMs: 3_000 }).catch((caught: unknown) => caught);
      const elapsedMs = Date.now() - started;
      expect(TimeoutError.isInstance(error), `${name}: ${String(error)}`).toBe(true);
      expect((error as TimeoutError).code).toBe('TIMEOUT');
      expect(elapsedMs).toBeLessThan(WELL_BEFORE_EXEC_TIMEOUT_MS);
      await waitFor(() => pidsIn(plugin.pidFile).length >= count, 'the plugin to write its pids');
      await expectAllGone(pidsIn(plugin.pidFile));
      expect(server.requests).toHaveLength(0);
    },
    60_000,
  );

  it('an AbortSignal ends the call with AbortError (not a timeout) and kills the plugin group', async () => {
    const plugin = script('abort.sh', FORKS_GRANDCHILD);
    const client = TektonClient.fromKubeconfig({
      path: kubeconfigFor(plugin, 'abort'),
      proxy: false,
      retry: false,
      execTimeoutMs: EXEC_TIMEOUT_MS,
    });
    clients.push(client);
    const controller = new AbortController();
    const call = client.pipelineRuns.list({ signal: controller.signal }).catch((caught: unknown) => caught);
    await waitFor(() => pidsIn(plugin.pidFile).length >= 3, 'the plugin to start');
    const started = Date.now();
    controller.abort();
    const error = await call;
    expect(AbortError.isInstance(error), String(error)).toBe(true);
    expect((error as AbortError).code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(WELL_BEFORE_EXEC_TIMEOUT_MS);
    await expectAllGone(pidsIn(plugin.pidFile));
  }, 60_000);

  it("the plugin's own execTimeoutMs still applies, killing a plugin that ignores SIGTERM", async () => {
    const plugin = script('own-timeout.sh', IGNORES_TERM);
    const provider = new ExecCredentialProvider({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: plugin.command,
        env: [{ name: 'PID_FILE', value: plugin.pidFile }],
      },
      cluster: { server: url },
      timeoutMs: 1_500,
    });
    const error = await provider.token().catch((caught: unknown) => caught);
    expect(ExecCredentialError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/did not finish within 1500 ms and was killed/);
    await expectAllGone(pidsIn(plugin.pidFile));
  }, 60_000);

  it('a plugin that succeeds but leaves a child running: the token is used and the child is killed', async () => {
    const plugin = script(
      'leaves-child.sh',
      `sh -c 'trap "" TERM; echo $$ >> "$PID_FILE"; exec sleep 1000' > /dev/null 2>&1 &
while [ ! -s "$PID_FILE" ]; do sleep 0.05; done
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"leftover-child-token"}}'`,
    );
    const client = TektonClient.fromKubeconfig({
      path: kubeconfigFor(plugin, 'leaves-child'),
      proxy: false,
      retry: false,
    });
    clients.push(client);
    await client.pipelineRuns.list();
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer leftover-child-token');
    await waitFor(() => pidsIn(plugin.pidFile).length >= 1, 'the plugin child to write its pid');
    await expectAllGone(pidsIn(plugin.pidFile));
    server.requests.length = 0;
  }, 60_000);
});

describe('concurrent callers share one plugin run', () => {
  const SLOW_SUCCESS = `echo $$ >> "$PID_FILE"
while [ ! -f "$PID_FILE.go" ]; do sleep 0.05; done
echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"shared-run-token"}}'`;

  function providerFor(plugin: { command: string; pidFile: string }): ExecCredentialProvider {
    return new ExecCredentialProvider({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: plugin.command,
        env: [{ name: 'PID_FILE', value: plugin.pidFile }],
      },
      cluster: { server: url },
      timeoutMs: EXEC_TIMEOUT_MS,
    });
  }

  it("one caller's abort does not kill the run the others wait for", async () => {
    const plugin = script('shared.sh', SLOW_SUCCESS);
    const provider = providerFor(plugin);
    const leaving = new AbortController();
    const first = provider.token(false, leaving.signal).catch((caught: unknown) => caught);
    const second = provider.token(false);
    await waitFor(() => pidsIn(plugin.pidFile).length >= 1, 'the plugin to start');
    leaving.abort();
    expect(AbortError.isInstance(await first)).toBe(true);
    // The run goes on for the second caller: let the plugin finish.
    writeFileSync(`${plugin.pidFile}.go`, '');
    await expect(second).resolves.toBe('shared-run-token');
    expect(provider.runs).toBe(1);
    await expectAllGone(pidsIn(plugin.pidFile));
  }, 60_000);

  it('when every caller has gone the run is killed, and the next call starts a new one', async () => {
    const plugin = script('abandoned.sh', SLOW_SUCCESS);
    const provider = providerFor(plugin);
    const one = new AbortController();
    const two = new AbortController();
    const first = provider.token(false, one.signal).catch((caught: unknown) => caught);
    const second = provider.token(false, two.signal).catch((caught: unknown) => caught);
    await waitFor(() => pidsIn(plugin.pidFile).length >= 1, 'the plugin to start');
    one.abort();
    two.abort(new TimeoutError('deadline', { timeoutMs: 1 }));
    expect(AbortError.isInstance(await first)).toBe(true);
    expect(TimeoutError.isInstance(await second)).toBe(true);
    await expectAllGone(pidsIn(plugin.pidFile));
    writeFileSync(`${plugin.pidFile}.go`, '');
    await expect(provider.token(false)).resolves.toBe('shared-run-token');
    expect(provider.runs).toBe(2);
  }, 60_000);
});
