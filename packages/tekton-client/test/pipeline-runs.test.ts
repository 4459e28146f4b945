import { afterEach, describe, expect, it } from 'vitest';
import { formatDescribe } from '../src/describe/format-describe.js';
import type { RunLogEntry } from '../src/runs/task-run-logs.js';
import { PIPELINE, startEmulator } from './helpers/emulator.js';

type Env = Awaited<ReturnType<typeof startEmulator>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

function scriptSeed(kube: Env['kube'], options: { buildFailsFirst?: boolean; slow?: boolean } = {}) {
  const ms = options.slow ? 400 : 40;
  kube.scriptTask('clone', { initDelayMs: ms / 2, steps: { clone: { durationMs: ms, logs: ['cloning', 'cloned abc123'], results: { commit: 'abc123' } } } });
  kube.scriptTask('test', { steps: { unit: { durationMs: ms * 2, logs: ['unit 1', 'unit 2', 'unit 3'] }, e2e: { durationMs: ms, logs: ['e2e ok'] } } });
  kube.scriptTask('lint', { steps: { lint: { durationMs: ms * 2, logs: ['lint a', 'lint b', 'lint c'] } } });
  kube.scriptTask('build', ({ attempt }) => ({
    steps: { build: options.buildFailsFirst && attempt === 0 ? { durationMs: ms, exitCode: 1, logs: ['build broke'] } : { durationMs: ms, logs: [`built attempt ${attempt}`] } },
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
  entries.map((entry) => (entry.kind === 'log' ? `[${entry.pipelineTask} : ${entry.step}] ${entry.line}` : `<${entry.kind}> ${entry.pipelineTask}`));

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
  });

  it('follows a live run with parallel tasks: every line once, labelled per task, ends when the run is done', async () => {
    env = await startEmulator({ timeScale: 1 });
    scriptSeed(env.kube, { slow: true });
    const run = await startRun(env.client);
    const entries: RunLogEntry[] = [];
    for await (const entry of env.client.pipelineRuns.logs(run.metadata.name!, { follow: true })) entries.push(entry);
    const lines = text(entries);
    for (const expected of ['[clone : clone] cloned abc123', '[test : unit] unit 3', '[test : e2e] e2e ok', '[lint : lint] lint c', '[build : build] built attempt 0', '[report : notify] reported']) {
      expect(lines.filter((line) => line === expected)).toHaveLength(1);
    }
    expect(lines.filter((line) => line.startsWith('[test')).map((line) => line)).toEqual(['[test : unit] unit 1', '[test : unit] unit 2', '[test : unit] unit 3', '[test : e2e] e2e ok']);
    const done = await env.client.pipelineRuns.get(run.metadata.name!);
    expect(done.status?.conditions?.[0]?.status).toBe('True');
  });

  it('reports pods deleted by cancellation instead of hanging, and waitForCompletion says Cancelled', async () => {
    env = await startEmulator({ timeScale: 1 });
    env.kube.scriptTask('clone', { steps: { clone: { durationMs: 20, logs: ['cloned'] } } });
    env.kube.scriptTask('test', { steps: { unit: { durationMs: 20_000, logs: [{ text: 'started', atMs: 10 }, { text: 'never printed', atMs: 19_000 }] } } });
    env.kube.scriptTask('lint', { steps: { lint: { durationMs: 20_000, logs: [{ text: 'linting', atMs: 10 }] } } });
    const run = await startRun(env.client);
    const name = run.metadata.name!;
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
    await expect(env.client.pipelineRuns.cancel(name)).rejects.toMatchObject({ code: 'RUN_ALREADY_FINISHED' });
  });

  it('describes a run from one GET and one TaskRun list, laid out like tkn', async () => {
    env = await startEmulator({ timeScale: 1 });
    scriptSeed(env.kube);
    const run = await startRun(env.client);
    await env.client.pipelineRuns.waitForCompletion(run.metadata.name!, { timeoutMs: 15_000 });
    const before = env.client.transport.requestCount;
    const description = await env.client.pipelineRuns.describe(run.metadata.name!);
    expect(env.client.transport.requestCount - before).toBe(2);
    expect(description.taskRuns.map((row) => row.pipelineTaskName).sort()).toEqual(['build', 'clone', 'lint', 'report', 'test']);
    const output = formatDescribe(description);
    expect(output).toMatch(/^Name:\s+gitlab-run-\w+\nNamespace:\s+ci\nPipeline Ref:\s+gitops-ci\nService Account:\s+pipeline-sa\n/);
    expect(output).toContain('\nStatus\n\nSTARTED');
    expect(output).toMatch(/\n NAME\s+TASK NAME\s+STARTED\s+DURATION\s+STATUS\n/);
    expect(output).toMatch(/ report\s+\d+ \w+ ago\s+[\dms.]+\s+Succeeded/);
  });

  it('turns Status bodies into typed errors', async () => {
    env = await startEmulator();
    const error = await env.client.pipelineRuns.get('does-not-exist').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'KubernetesApiError', status: 404, reason: 'NotFound', code: 'KUBERNETES_API_ERROR' });
    await expect(env.client.pipelineRuns.start({ pipelineRef: { name: 'x' }, pipelineSpec: { tasks: [] } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(
      env.client.pipelineRuns.start({ pipelineSpec: { tasks: [{ name: 'a', taskRef: { name: 't' }, runAfter: ['ghost'] }] } }),
    ).rejects.toMatchObject({ code: 'TEKTON_VALIDATION_FAILED' });
  });
});
