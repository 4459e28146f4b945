import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeEmulator, type KubeObject } from '../src/kube/index.js';
import { call, isFinished, type Json, readText, succeeded } from './kube-test-helpers.js';

const NS = '/apis/tekton.dev/v1/namespaces/default';

const PIPELINE = `
apiVersion: tekton.dev/v1
kind: Task
metadata: { name: unit }
spec:
  params: [{ name: flags, default: "-v" }]
  steps: [{ name: unit, image: node }, { name: lint, image: node }]
---
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: { name: ci }
spec:
  params: [{ name: env, default: dev }, { name: repo }]
  results: [{ name: commit, value: "$(tasks.clone.results.commit)" }]
  tasks:
    - name: clone
      params: [{ name: url, value: "$(params.repo)" }]
      taskSpec:
        params: [{ name: url }]
        results: [{ name: commit }]
        steps: [{ name: fetch, image: git }]
    - name: test
      runAfter: [clone]
      taskRef: { name: unit }
    - name: build
      params: [{ name: commit, value: "$(tasks.clone.results.commit)" }]
      taskSpec: { params: [{ name: commit }], steps: [{ name: docker, image: kaniko }] }
    - name: deploy
      runAfter: [test, build]
      when: [{ input: "$(params.env)", operator: in, values: [prod] }]
      taskSpec: { steps: [{ name: apply, image: kubectl }] }
  finally:
    - name: notify
      params: [{ name: outcome, value: "$(tasks.status)" }]
      taskSpec: { params: [{ name: outcome }], steps: [{ name: send, image: curl }] }
`;

let kube: KubeEmulator;

beforeEach(async () => {
  kube = await KubeEmulator.start({ timeScale: 10 });
  kube.apply(PIPELINE);
  kube.scriptTask('clone', {
    steps: { fetch: { logs: ['cloning', 'done'], results: { commit: 'abc123' } } },
  });
});

afterEach(async () => {
  await kube.stop();
});

async function startRun(spec: Record<string, unknown> = {}): Promise<string> {
  const created = await call(kube, 'POST', `${NS}/pipelineruns`, {
    apiVersion: 'tekton.dev/v1',
    kind: 'PipelineRun',
    metadata: { generateName: 'ci-run-', labels: { team: 'web' } },
    spec: {
      pipelineRef: { name: 'ci' },
      params: [{ name: 'repo', value: 'https://git.example/app.git' }],
      ...spec,
    },
  });
  expect(created.status).toBe(201);
  return created.body.metadata.name;
}

function finished(name: string, timeoutMs = 10_000): Promise<KubeObject> {
  return kube.waitForObject({ kind: 'PipelineRun', name }, isFinished, { timeoutMs });
}

function taskRun(run: string, task: string): KubeObject | undefined {
  return kube.getObject({ kind: 'TaskRun', name: `${run}-${task}` });
}

describe('PipelineRun simulation', () => {
  it('runs the DAG with result references, skips on when, runs finally last, and reports like Tekton', async () => {
    const name = await startRun();
    const run = await finished(name);
    expect(succeeded(run)).toMatchObject({
      status: 'True',
      reason: 'Completed',
      message: 'Tasks Completed: 4 (Failed: 0, Cancelled 0), Skipped: 1',
    });
    const status = run['status'] as Record<string, Json>;
    expect(status.skippedTasks).toEqual([
      {
        name: 'deploy',
        reason: 'When Expressions evaluated to false',
        whenExpressions: [{ input: 'dev', operator: 'in', values: ['prod'] }],
      },
    ]);
    expect(status.results).toEqual([{ name: 'commit', value: 'abc123' }]);
    expect(
      status.childReferences
        .map((reference: { pipelineTaskName: string }) => reference.pipelineTaskName)
        .sort(),
    ).toEqual(['build', 'clone', 'notify', 'test']);
    expect(run.metadata.labels?.['tekton.dev/pipeline']).toBe('ci');
    expect(status.completionTime).toBeDefined();

    const build = taskRun(name, 'build')!;
    expect((build['spec'] as Json).params).toEqual([{ name: 'commit', value: 'abc123' }]);
    expect(build.metadata.labels).toMatchObject({
      team: 'web',
      'tekton.dev/pipelineRun': name,
      'tekton.dev/pipelineRunUID': run.metadata.uid,
      'tekton.dev/pipelineTask': 'build',
      'tekton.dev/memberOf': 'tasks',
    });
    expect(taskRun(name, 'test')?.metadata.labels?.['tekton.dev/task']).toBe('unit');
    expect(taskRun(name, 'notify')?.metadata.labels?.['tekton.dev/memberOf']).toBe('finally');
    expect((taskRun(name, 'notify')!['spec'] as Json).params).toEqual([
      { name: 'outcome', value: 'Completed' },
    ]);
    const cloneStatus = taskRun(name, 'clone')!['status'] as Json;
    expect(succeeded(taskRun(name, 'clone'))).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(cloneStatus.results).toEqual([{ name: 'commit', type: 'string', value: 'abc123' }]);
    expect(cloneStatus.steps[0]).toMatchObject({
      name: 'fetch',
      container: 'step-fetch',
      terminated: { exitCode: 0, reason: 'Completed' },
    });
    expect(Date.parse(cloneStatus.completionTime)).toBeLessThanOrEqual(
      Date.parse((taskRun(name, 'build')!['status'] as Json).startTime),
    );
    expect(Date.parse((taskRun(name, 'notify')!['status'] as Json).startTime)).toBeGreaterThanOrEqual(
      Date.parse(status.finallyStartTime),
    );

    const pods = await call(
      kube,
      'GET',
      `/api/v1/namespaces/default/pods?labelSelector=tekton.dev/pipelineRun%3D${name}`,
    );
    expect(pods.body.items.map((pod: KubeObject) => pod.metadata.name).sort()).toEqual([
      `${name}-build-pod`,
      `${name}-clone-pod`,
      `${name}-notify-pod`,
      `${name}-test-pod`,
    ]);
    const testPod = pods.body.items.find((pod: KubeObject) => pod.metadata.name === `${name}-test-pod`);
    expect(testPod.spec.containers.map((container: { name: string }) => container.name)).toEqual([
      'step-unit',
      'step-lint',
    ]);
    expect(testPod.metadata.labels['tekton.dev/taskRun']).toBe(`${name}-test`);
    expect(
      (await readText(kube, `/api/v1/namespaces/default/pods/${name}-clone-pod/log?container=step-fetch`))
        .text,
    ).toBe('cloning\ndone\n');
  });

  it('fails the run when a step fails, skips what was not started, still runs finally', async () => {
    kube.scriptTask('test', { steps: { unit: { exitCode: 1, logs: ['FAIL src/app.test.ts'] } } });
    const name = await startRun({
      params: [
        { name: 'repo', value: 'r' },
        { name: 'env', value: 'prod' },
      ],
    });
    const run = await finished(name);
    expect(succeeded(run)).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: 'Tasks Completed: 4 (Failed: 1, Cancelled 0), Skipped: 1',
    });
    expect((run['status'] as Json).skippedTasks).toEqual([
      { name: 'deploy', reason: 'PipelineRun was stopping' },
    ]);
    const test = taskRun(name, 'test')!;
    expect(succeeded(test)).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: '"step-unit" exited with code 1',
    });
    expect((test['status'] as Json).steps[1]).toMatchObject({
      name: 'lint',
      terminated: { exitCode: 1 },
      terminationReason: 'Skipped',
    });
    expect((taskRun(name, 'notify')!['spec'] as Json).params).toEqual([{ name: 'outcome', value: 'Failed' }]);
  });

  it('a step with a run function works in real time: live log lines, its exit code and results decide', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    kube.scriptTask('build', {
      steps: {
        docker: {
          logs: ['scripted line first'],
          run: async ({ log }) => {
            log('pushing image');
            await gate;
            log('pushed');
            return { exitCode: 0, results: { digest: 'sha256:feed' } };
          },
        },
      },
    });
    kube.scriptTask('test', {
      steps: {
        unit: {
          run: async () => {
            throw new Error('the real work failed');
          },
        },
      },
    });
    const name = await startRun();
    const logPath = `/api/v1/namespaces/default/pods/${name}-build-pod/log?container=step-docker`;
    // While the function waits, its first line is already in the log and the step still runs.
    await kube.waitForObject({ kind: 'TaskRun', name: `${name}-build` }, (object) =>
      Boolean((object['status'] as Json)?.steps?.[0]?.running),
    );
    for (
      let tries = 0;
      tries < 250 && !(await readText(kube, logPath)).text.includes('pushing image');
      tries += 1
    )
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await readText(kube, logPath)).text).toBe('scripted line first\npushing image\n');
    release();
    const run = await finished(name);
    expect((await readText(kube, logPath)).text).toBe('scripted line first\npushing image\npushed\n');
    const build = taskRun(name, 'build')!;
    expect(succeeded(build)?.status).toBe('True');
    expect((build['status'] as Json).results).toEqual([
      { name: 'digest', type: 'string', value: 'sha256:feed' },
    ]);
    // A rejected function exits 1 with its message as the last line.
    expect(succeeded(taskRun(name, 'test'))?.message).toBe('"step-unit" exited with code 1');
    const testLog = await readText(
      kube,
      `/api/v1/namespaces/default/pods/${name}-test-pod/log?container=step-unit`,
    );
    expect(testLog.text).toBe('the real work failed\n');
    expect(succeeded(run)?.reason).toBe('Failed');
  });

  it('cancelling a run aborts the signal of a running step function', async () => {
    let seenAbort = false;
    let markStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    kube.scriptTask('build', {
      steps: {
        docker: {
          run: ({ signal }) =>
            new Promise((resolve) => {
              signal.addEventListener('abort', () => {
                seenAbort = true;
                resolve(0);
              });
              markStarted();
            }),
        },
      },
    });
    const name = await startRun();
    await started;
    const patched = await call(
      kube,
      'PATCH',
      `${NS}/pipelineruns/${name}`,
      { spec: { status: 'Cancelled' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    expect(succeeded(await finished(name))?.reason).toBe('Cancelled');
    for (let tries = 0; tries < 100 && !seenAbort; tries += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seenAbort).toBe(true);
  });

  it('retries a failed task with a new pod and records retriesStatus', async () => {
    await call(kube, 'PUT', `${NS}/pipelines/ci`, {
      ...kube.getObject({ kind: 'Pipeline', name: 'ci' }),
      spec: {
        ...(kube.getObject({ kind: 'Pipeline', name: 'ci' })!['spec'] as object),
        tasks: [{ name: 'test', retries: 2, taskRef: { name: 'unit' } }],
        finally: [],
        results: [],
      },
    });
    kube.scriptTask('test', ({ attempt }) => ({
      steps: { unit: { exitCode: attempt === 0 ? 1 : 0, logs: [`attempt ${attempt}`] } },
    }));
    const name = await startRun();
    const run = await finished(name);
    expect(succeeded(run)?.reason).toBe('Succeeded');
    const status = taskRun(name, 'test')!['status'] as Json;
    expect(status.podName).toBe(`${name}-test-pod-retry1`);
    expect(status.retriesStatus).toHaveLength(1);
    expect(status.retriesStatus[0]).toMatchObject({
      podName: `${name}-test-pod`,
      conditions: [{ status: 'False', reason: 'Failed' }],
    });
    expect(
      (await readText(kube, `/api/v1/namespaces/default/pods/${name}-test-pod/log?container=step-unit`)).text,
    ).toBe('attempt 0\n');
    expect(
      (
        await readText(
          kube,
          `/api/v1/namespaces/default/pods/${name}-test-pod-retry1/log?container=step-unit`,
        )
      ).text,
    ).toBe('attempt 1\n');
  });
});

describe('cancellation and timeouts', () => {
  const slowBuild = (): void =>
    kube.scriptTask('build', { steps: { docker: { durationMs: 60_000, logs: ['building'] } } });

  async function cancelWhileBuilding(mode: string): Promise<{ name: string; run: KubeObject }> {
    slowBuild();
    const name = await startRun();
    await kube.waitForObject(
      { kind: 'TaskRun', name: `${name}-build` },
      (object) => succeeded(object)?.reason === 'Running',
    );
    const patched = await call(
      kube,
      'PATCH',
      `${NS}/pipelineruns/${name}`,
      { spec: { status: mode } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    return { name, run: await finished(name) };
  }

  it('Cancelled: cancels running TaskRuns, deletes their pods, skips finally', async () => {
    const { name, run } = await cancelWhileBuilding('Cancelled');
    expect(succeeded(run)).toMatchObject({
      status: 'False',
      reason: 'Cancelled',
      message: `PipelineRun "${name}" was cancelled`,
    });
    expect(succeeded(taskRun(name, 'build'))).toMatchObject({
      status: 'False',
      reason: 'TaskRunCancelled',
      message: `TaskRun "${name}-build" was cancelled. TaskRun cancelled as the PipelineRun it belongs to has been cancelled.`,
    });
    expect(kube.getObject({ kind: 'Pod', name: `${name}-build-pod` })).toBeUndefined();
    expect(
      (await call(kube, 'GET', `/api/v1/namespaces/default/pods/${name}-build-pod/log?container=step-docker`))
        .status,
    ).toBe(404);
    expect(taskRun(name, 'notify')).toBeUndefined();
  });

  it('CancelledRunFinally: cancels running TaskRuns, then runs finally', async () => {
    const { name, run } = await cancelWhileBuilding('CancelledRunFinally');
    expect(succeeded(run)?.reason).toBe('Cancelled');
    expect(succeeded(taskRun(name, 'build'))?.reason).toBe('TaskRunCancelled');
    expect(succeeded(taskRun(name, 'notify'))?.reason).toBe('Succeeded');
    expect((run['status'] as Json).skippedTasks).toEqual([
      { name: 'deploy', reason: 'PipelineRun was gracefully cancelled' },
    ]);
  });

  it('StoppedRunFinally: lets running TaskRuns finish, schedules nothing new, runs finally', async () => {
    kube.scriptTask('build', { steps: { docker: { durationMs: 5_000 } } });
    const name = await startRun();
    await kube.waitForObject(
      { kind: 'TaskRun', name: `${name}-build` },
      (object) => succeeded(object)?.reason === 'Running',
    );
    await call(
      kube,
      'PATCH',
      `${NS}/pipelineruns/${name}`,
      { spec: { status: 'StoppedRunFinally' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    const stopping = await kube.waitForObject(
      { kind: 'PipelineRun', name },
      (object) => succeeded(object)?.reason === 'StoppedRunningFinally',
    );
    expect(succeeded(stopping)?.status).toBe('Unknown');
    const run = await finished(name);
    expect(succeeded(run)?.reason).toBe('Cancelled');
    expect(succeeded(taskRun(name, 'build'))?.reason).toBe('Succeeded');
    expect(succeeded(taskRun(name, 'notify'))?.reason).toBe('Succeeded');
    expect((run['status'] as Json).skippedTasks).toEqual([
      { name: 'deploy', reason: 'PipelineRun was gracefully stopped' },
    ]);
  });

  it('times out the pipeline: running TaskRuns are cancelled, pods deleted, reason PipelineRunTimeout', async () => {
    slowBuild();
    const name = await startRun({ timeouts: { pipeline: '5s' } });
    const run = await finished(name);
    expect(succeeded(run)).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: `PipelineRun "${name}" failed to finish within "5s"`,
    });
    expect(succeeded(taskRun(name, 'build'))?.message).toContain(
      'TaskRun cancelled as the PipelineRun it belongs to has timed out.',
    );
    expect(kube.getObject({ kind: 'Pod', name: `${name}-build-pod` })).toBeUndefined();
    const elapsedMs =
      Date.parse((run['status'] as Json).completionTime) - Date.parse((run['status'] as Json).startTime);
    expect(elapsedMs).toBeGreaterThanOrEqual(5000);
    expect(elapsedMs).toBeLessThan(10_000);
  });

  it('times out tasks (then runs finally) and finally tasks separately', async () => {
    slowBuild();
    kube.scriptTask('notify', { steps: { send: { durationMs: 60_000 } } });
    const name = await startRun({ timeouts: { pipeline: '1h0m0s', tasks: '5s', finally: '3s' } });
    const running = await kube.waitForObject(
      { kind: 'PipelineRun', name },
      (object) => succeeded(object)?.reason === 'PipelineRunTimeoutRunningFinally',
    );
    expect(succeeded(running)?.status).toBe('Unknown');
    const run = await finished(name);
    expect(succeeded(run)).toMatchObject({
      status: 'False',
      reason: 'PipelineRunTimeout',
      message: `PipelineRun "${name}" failed to finish within "5s"`,
    });
    expect(succeeded(taskRun(name, 'build'))).toMatchObject({
      reason: 'TaskRunCancelled',
      message: expect.stringContaining('has timed out'),
    });
    expect(succeeded(taskRun(name, 'notify'))).toMatchObject({
      reason: 'TaskRunCancelled',
      message: expect.stringContaining('has timed out'),
    });
    const status = run['status'] as Json;
    expect(status.skippedTasks).toEqual([
      { name: 'deploy', reason: 'PipelineRun Tasks timeout has been reached' },
    ]);
    expect(Date.parse(status.completionTime) - Date.parse(status.finallyStartTime)).toBeGreaterThanOrEqual(
      3000,
    );
  });

  it('times out a single task with TaskRunTimeout', async () => {
    slowBuild();
    const pipeline = kube.getObject({ kind: 'Pipeline', name: 'ci' })!;
    const spec = pipeline['spec'] as Json;
    spec.tasks = [{ ...spec.tasks[2], params: [{ name: 'commit', value: 'x' }], timeout: '2s' }];
    spec.finally = [];
    spec.results = [];
    kube.apply(pipeline);
    const name = await startRun();
    const run = await finished(name);
    expect(succeeded(taskRun(name, 'build'))).toMatchObject({
      reason: 'TaskRunTimeout',
      message: `TaskRun "${name}-build" failed to finish within "2s"`,
    });
    expect(succeeded(run)?.reason).toBe('Failed');
  });
});

describe('deletion', () => {
  it('deleting a running PipelineRun removes its TaskRuns and pods and stops the simulation', async () => {
    kube.scriptTask('build', { steps: { docker: { durationMs: 60_000 } } });
    const name = await startRun();
    await kube.waitForObject(
      { kind: 'TaskRun', name: `${name}-build` },
      (object) => succeeded(object)?.reason === 'Running',
    );
    expect((await call(kube, 'DELETE', `${NS}/pipelineruns/${name}`)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const owned = (kind: string): string[] =>
      kube
        .listObjects(kind)
        .filter((object) => object.metadata.labels?.['tekton.dev/pipelineRun'] === name)
        .map((object) => object.metadata.name);
    expect(owned('TaskRun')).toEqual([]);
    expect(owned('Pod')).toEqual([]);
  });
});

describe('retried timeouts', () => {
  it('retries an attempt that timed out, deleting its pod', async () => {
    kube.apply({
      apiVersion: 'tekton.dev/v1',
      kind: 'TaskRun',
      metadata: { name: 'flaky' },
      spec: { retries: 1, timeout: '5s', taskSpec: { steps: [{ name: 'run', image: 'x' }] } },
    });
    kube.scriptTask('flaky', ({ attempt }) => ({
      steps: { run: { durationMs: attempt === 0 ? 60_000 : 10 } },
    }));
    const done = await kube.waitForObject({ kind: 'TaskRun', name: 'flaky' }, isFinished);
    expect(succeeded(done)).toMatchObject({ status: 'True', reason: 'Succeeded' });
    const status = done['status'] as Json;
    expect(status.retriesStatus).toHaveLength(1);
    expect(status.retriesStatus[0]).toMatchObject({
      podName: 'flaky-pod',
      conditions: [{ reason: 'TaskRunTimeout', message: 'TaskRun "flaky" failed to finish within "5s"' }],
    });
    expect(kube.getObject({ kind: 'Pod', name: 'flaky-pod' })).toBeUndefined();
    expect(kube.getObject({ kind: 'Pod', name: 'flaky-pod-retry1' })).toBeDefined();
  });
});

describe('run validation', () => {
  it('fails with CouldntGetPipeline and ParameterMissing, refuses invalid specs at admission; waits while pending', async () => {
    const missingPipeline = await startRun({ pipelineRef: { name: 'absent' } });
    expect(succeeded(await finished(missingPipeline))).toMatchObject({
      status: 'False',
      reason: 'CouldntGetPipeline',
    });
    const missingParam = await startRun({ params: [] });
    expect(succeeded(await finished(missingParam))).toMatchObject({
      reason: 'ParameterMissing',
      message: expect.stringContaining('[repo]'),
    });
    // Tekton's webhooks refuse what they can see is wrong before a run exists (400, with the webhook's message).
    const cyclic = await call(kube, 'POST', `${NS}/pipelineruns`, {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'cyclic' },
      spec: {
        pipelineSpec: {
          tasks: [
            { name: 'a', runAfter: ['b'], taskSpec: { steps: [{ name: 's', image: 'x' }] } },
            { name: 'b', runAfter: ['a'], taskSpec: { steps: [{ name: 's', image: 'x' }] } },
          ],
        },
      },
    });
    expect(cyclic.status).toBe(400);
    expect(cyclic.body.message).toBe(
      'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: invalid value: cycle detected; task "b" depends on "a": spec.pipelineSpec.tasks',
    );
    const neither = await call(kube, 'POST', `${NS}/pipelineruns`, {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'x' },
      spec: {},
    });
    expect(neither.body).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message:
        'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: expected exactly one, got neither: spec.pipelineRef, spec.pipelineSpec',
    });

    const pending = await startRun({ status: 'PipelineRunPending' });
    await kube.waitForObject(
      { kind: 'PipelineRun', name: pending },
      (object) => succeeded(object)?.reason === 'PipelineRunPending',
    );
    expect(
      kube
        .listObjects('TaskRun')
        .filter((object) => object.metadata.labels?.['tekton.dev/pipelineRun'] === pending),
    ).toEqual([]);
    await call(
      kube,
      'PATCH',
      `${NS}/pipelineruns/${pending}`,
      { spec: { status: null } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(succeeded(await finished(pending))?.status).toBe('True');
  });
});
