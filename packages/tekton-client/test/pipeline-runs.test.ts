import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeEmulator } from '@gitops-kit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { TektonClient } from '../src/client/tekton-client.js';
import { formatDescribe } from '../src/describe/format-describe.js';
import { formatTaskRunDescribe } from '../src/describe/format-task-run-describe.js';
import type { RunLogEntry } from '../src/runs/task-run-logs.js';
import { CuttingProxy } from './helpers/cutting-proxy.js';
import { PIPELINE, startEmulator } from './helpers/emulator.js';

type Env = Awaited<ReturnType<typeof startEmulator>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

function scriptSeed(kube: Env['kube'], options: { buildFailsFirst?: boolean; slow?: boolean } = {}) {
  const ms = options.slow ? 400 : 40;
  kube.scriptTask('clone', {
    initDelayMs: ms / 2,
    steps: { clone: { durationMs: ms, logs: ['cloning', 'cloned abc123'], results: { commit: 'abc123' } } },
  });
  kube.scriptTask('test', {
    steps: {
      unit: { durationMs: ms * 2, logs: ['unit 1', 'unit 2', 'unit 3'] },
      e2e: { durationMs: ms, logs: ['e2e ok'] },
    },
  });
  // lint's pod stays unscheduled for a while ("does not have a host assigned"): waited for, not an error.
  kube.scriptTask('lint', {
    scheduleDelayMs: ms,
    steps: { lint: { durationMs: ms * 2, logs: ['lint a', 'lint b', 'lint c'] } },
  });
  kube.scriptTask('build', ({ attempt }) => ({
    steps: {
      build:
        options.buildFailsFirst && attempt === 0
          ? { durationMs: ms, exitCode: 1, logs: ['build broke'] }
          : { durationMs: ms, logs: [`built attempt ${attempt}`] },
    },
  }));
  kube.scriptTask('report', { steps: { notify: { durationMs: ms / 2, logs: ['reported'] } } });
}

async function startRun(client: Env['client']) {
  await client.pipelines.apply(PIPELINE);
  return client.pipelineRuns.start({
    pipelineRef: { name: 'gitops-ci' },
    generateName: 'gitlab-run-',
    params: { revision: 'abc123' },
    workspaces: [{ name: 'shared', emptyDir: {} }],
    serviceAccountName: 'pipeline-sa',
  });
}

const text = (entries: RunLogEntry[]) =>
  entries.map((entry) =>
    entry.kind === 'log'
      ? `[${entry.pipelineTask} : ${entry.step}] ${entry.line}`
      : `<${entry.kind}> ${entry.pipelineTask}`,
  );

describe('pipelineRuns against the Kubernetes emulator', () => {
  it('starts with generateName, waits for the outcome, and prints a finished run in execution order (retry reported, finally last)', async () => {
    env = await startEmulator({ timeScale: 1 });
    scriptSeed(env.kube, { buildFailsFirst: true });
    const run = await startRun(env.client);
    expect(run.metadata.name).toMatch(/^gitlab-run-/);
    const updates: string[] = [];
    const outcome = await env.client.pipelineRuns.waitForCompletion(run.metadata.name!, {
      timeoutMs: 15_000,
      onUpdate: (current) => updates.push(current.status?.conditions?.[0]?.reason ?? 'none'),
    });
    expect(outcome).toMatchObject({ status: 'Succeeded', failedTasks: [] });
    expect(updates.length).toBeGreaterThan(1);
    const entries: RunLogEntry[] = [];
    for await (const entry of env.client.pipelineRuns.logs(run.metadata.name!)) entries.push(entry);
    const lines = text(entries);
    expect(lines.slice(0, 2)).toEqual(['[clone : clone] cloning', '[clone : clone] cloned abc123']);
    expect(lines).toContain('[build : build] build broke');
    expect(lines).toContain('<retry> build');
    expect(lines.indexOf('<retry> build')).toBeGreaterThan(lines.indexOf('[build : build] build broke'));
    expect(lines.indexOf('[build : build] built attempt 1')).toBeGreaterThan(lines.indexOf('<retry> build'));
    expect(lines.at(-1)).toBe('[report : notify] reported');
    // Steps of one task stay in step order.
    expect(lines.indexOf('[test : unit] unit 3')).toBeLessThan(lines.indexOf('[test : e2e] e2e ok'));
    expect(entries.every((entry) => entry.kind !== 'log' || typeof entry.time === 'string')).toBe(true);

    // taskRuns: the build TaskRun's own logs show both attempts; describe reports the retry.
    const buildRun = (
      await env.client.taskRuns.list({
        labelSelector: `tekton.dev/pipelineRun=${run.metadata.name},tekton.dev/pipelineTask=build`,
      })
    )[0]!;
    const taskRunLines: string[] = [];
    for await (const entry of env.client.taskRuns.logs(buildRun.metadata.name!))
      taskRunLines.push(entry.kind === 'log' ? `[${entry.step}] ${entry.line}` : `<${entry.kind}>`);
    expect(taskRunLines).toEqual(['[build] build broke', '<retry>', '[build] built attempt 1']);
    const described = await env.client.taskRuns.describe(buildRun.metadata.name!);
    expect(described).toMatchObject({
      retries: 1,
      steps: [{ name: 'build', status: 'Completed', exitCode: 0 }],
    });
    const describedText = formatTaskRunDescribe(described);
    expect(describedText).toMatch(/^Name:\s+gitlab-run-\w+-build\nNamespace:\s+ci\n/);
    expect(describedText).toContain('\nRetries:   1\n');
    expect(describedText).toMatch(/\n NAME\s+STATUS\n build\s+Completed\n$/);
  });

  it('follows a live run with parallel tasks: every line once, labelled per task, ends when the run is done', async () => {
    env = await startEmulator({ timeScale: 1 });
    scriptSeed(env.kube, { slow: true, buildFailsFirst: true });
    const run = await startRun(env.client);
    const entries: RunLogEntry[] = [];
    for await (const entry of env.client.pipelineRuns.logs(run.metadata.name!, { follow: true }))
      entries.push(entry);
    const lines = text(entries);
    expect(lines.filter((line) => line.startsWith('[build') || line === '<retry> build')).toEqual([
      '[build : build] build broke',
      '<retry> build',
      '[build : build] built attempt 1',
    ]);
    for (const expected of [
      '[clone : clone] cloned abc123',
      '[test : unit] unit 3',
      '[test : e2e] e2e ok',
      '[lint : lint] lint c',
      '[report : notify] reported',
    ]) {
      expect(lines.filter((line) => line === expected)).toHaveLength(1);
    }
    expect(lines.filter((line) => line.startsWith('[test')).map((line) => line)).toEqual([
      '[test : unit] unit 1',
      '[test : unit] unit 2',
      '[test : unit] unit 3',
      '[test : e2e] e2e ok',
    ]);
    // Containers that were not started yet (init, unscheduled) answered 400 and were waited for.
    expect(env.kube.requests.some((request) => request.verb === 'log' && request.status === 400)).toBe(true);
    const done = await env.client.pipelineRuns.get(run.metadata.name!);
    expect(done.status?.conditions?.[0]?.status).toBe('True');
  });

  it('reports pods deleted by cancellation instead of hanging, and waitForCompletion says Cancelled', async () => {
    env = await startEmulator({ timeScale: 1 });
    env.kube.scriptTask('clone', { steps: { clone: { durationMs: 20, logs: ['cloned'] } } });
    env.kube.scriptTask('test', {
      steps: {
        unit: {
          durationMs: 20_000,
          logs: [
            { text: 'started', atMs: 10 },
            { text: 'never printed', atMs: 19_000 },
          ],
        },
      },
    });
    env.kube.scriptTask('lint', {
      steps: { lint: { durationMs: 20_000, logs: [{ text: 'linting', atMs: 10 }] } },
    });
    const run = await startRun(env.client);
    const name = run.metadata.name!;
    const waitError = await env.client.pipelineRuns
      .waitForCompletion(name, { timeoutMs: 300 })
      .catch((caught: unknown) => caught);
    expect(waitError).toMatchObject({ code: 'WAIT_TIMEOUT', retryable: true, timeoutMs: 300 });
    expect((waitError as { lastState?: { metadata: { name?: string } } }).lastState?.metadata.name).toBe(
      name,
    );
    const entries: RunLogEntry[] = [];
    const following = (async () => {
      for await (const entry of env!.client.pipelineRuns.logs(name, { follow: true })) {
        entries.push(entry);
        if (entry.line === 'started') await env!.client.pipelineRuns.cancel(name, { mode: 'Cancelled' });
      }
    })();
    const outcome = await env.client.pipelineRuns.waitForCompletion(name, { timeoutMs: 15_000 });
    await following;
    expect(outcome.status).toBe('Cancelled');
    expect(outcome.failedTasks.map((task) => task.pipelineTask).sort()).toEqual(['lint', 'test']);
    const lines = text(entries);
    expect(lines).toContain('[test : unit] started');
    expect(lines).not.toContain('[test : unit] never printed');
    expect(entries.some((entry) => entry.kind === 'pod-gone' || entry.kind === 'not-started')).toBe(true);
    await expect(env.client.pipelineRuns.cancel(name)).rejects.toMatchObject({
      code: 'RUN_ALREADY_FINISHED',
    });
  });

  it('describes a run from one GET and one TaskRun list, laid out like tkn', async () => {
    env = await startEmulator({ timeScale: 1 });
    scriptSeed(env.kube);
    const run = await startRun(env.client);
    await env.client.pipelineRuns.waitForCompletion(run.metadata.name!, { timeoutMs: 15_000 });
    const before = env.client.transport.requestCount;
    const description = await env.client.pipelineRuns.describe(run.metadata.name!);
    expect(env.client.transport.requestCount - before).toBe(2);
    expect(description.taskRuns.map((row) => row.pipelineTaskName).sort()).toEqual([
      'build',
      'clone',
      'lint',
      'report',
      'test',
    ]);
    const output = formatDescribe(description);
    expect(output).toMatch(
      /^Name:\s+gitlab-run-\w+\nNamespace:\s+ci\nPipeline Ref:\s+gitops-ci\nService Account:\s+pipeline-sa\n/,
    );
    expect(output).toContain('\nStatus\n\nSTARTED');
    expect(output).toMatch(/\n NAME\s+TASK NAME\s+STARTED\s+DURATION\s+STATUS\n/);
    expect(output).toMatch(/ report\s+\d+ \w+ ago\s+[\dms.]+\s+Succeeded/);
  });

  it('turns Status bodies into typed errors', async () => {
    env = await startEmulator();
    const error = await env.client.pipelineRuns.get('does-not-exist').catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'KubernetesApiError',
      status: 404,
      reason: 'NotFound',
      code: 'KUBERNETES_API_ERROR',
    });
    await expect(
      env.client.pipelineRuns.start({ pipelineRef: { name: 'x' }, pipelineSpec: { tasks: [] } }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      env.client.pipelineRuns.start({
        pipelineSpec: { tasks: [{ name: 'a', taskRef: { name: 't' }, runAfter: ['ghost'] }] },
      }),
    ).rejects.toMatchObject({ code: 'TEKTON_VALIDATION_FAILED' });
  });

  it('delivers every line exactly once when the log stream is cut every 150 ms', async () => {
    env = await startEmulator({ timeScale: 1 });
    const lines = Array.from({ length: 300 }, (_, index) => `line ${String(index + 1).padStart(4, '0')}`);
    env.kube.scriptTask('print', { steps: { print: { durationMs: 600, logs: lines } } });
    const proxy = new CuttingProxy(env.kube.url, 150);
    const proxyUrl = await proxy.listen();
    const client = new TektonClient({
      server: proxyUrl,
      token: env.kube.token,
      namespace: 'ci',
      proxy: false,
      logPollIntervalMs: 20,
      watchBackoff: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    try {
      await client.pipelines.apply({
        ...PIPELINE,
        metadata: { name: 'printer', namespace: 'ci' },
        spec: { tasks: [{ name: 'print', taskSpec: { steps: [{ name: 'print', image: 'alpine' }] } }] },
      });
      const run = await client.pipelineRuns.start({ pipelineRef: { name: 'printer' } });
      const received: string[] = [];
      for await (const entry of client.pipelineRuns.logs(run.metadata.name!, { follow: true })) {
        if (entry.kind === 'log') received.push(entry.line);
      }
      expect(proxy.cuts).toBeGreaterThanOrEqual(2);
      expect(received).toEqual(lines);
    } finally {
      await client.close();
      await proxy.stop();
    }
  });

  it('speaks TLS: refuses an unknown CA by default, trusts the kubeconfig CA, authenticates with a client certificate', async () => {
    const kube = await KubeEmulator.start({
      namespace: 'ci',
      tls: true,
      clientCertificateAuth: true,
      tekton: false,
    });
    const directory = mkdtempSync(join(tmpdir(), 'tekton-tls-'));
    try {
      const untrusting = new TektonClient({
        server: kube.url,
        token: kube.token,
        namespace: 'ci',
        proxy: false,
        retry: false,
      });
      await expect(untrusting.pipelineRuns.list()).rejects.toMatchObject({
        code: 'CONNECTION_ERROR',
        retryable: false,
      });
      await untrusting.close();
      const path = join(directory, 'kubeconfig');
      writeFileSync(path, kube.kubeconfig({ auth: 'client-certificate', contextName: 'tls' }));
      const client = TektonClient.fromKubeconfig({ path, proxy: false });
      expect(await client.pipelineRuns.list()).toEqual([]);
      await client.close();
      expect(kube.requests.at(-1)?.authentication).toBe('client-certificate');
      const skipping = new TektonClient({
        server: kube.url,
        token: kube.token,
        namespace: 'ci',
        proxy: false,
        insecureSkipVerify: true,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      expect(await skipping.pipelineRuns.list()).toEqual([]);
      await skipping.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
      await kube.stop();
    }
  });
});
