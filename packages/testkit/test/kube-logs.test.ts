import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeEmulator } from '../src/kube/index.js';
import { call, readText, succeeded } from './kube-test-helpers.js';

const TASK_RUN = {
  apiVersion: 'tekton.dev/v1',
  kind: 'TaskRun',
  metadata: { name: 'build' },
  spec: {
    taskSpec: {
      steps: [
        { name: 'compile', image: 'gcc' },
        { name: 'package', image: 'tar' },
      ],
    },
  },
};
const LOG = '/api/v1/namespaces/default/pods/build-pod/log';

let kube: KubeEmulator;

beforeEach(async () => {
  kube = await KubeEmulator.start();
});

afterEach(async () => {
  await kube.stop();
});

describe('pod logs', () => {
  it('reports unscheduled and initialising pods as 400 Status, then follows a live container to its end', async () => {
    // Each phase lasts long enough for the request made right after the previous phase ended to land inside it,
    // even on a loaded machine (300 ms windows were missed there once).
    kube.scriptTask('build', {
      scheduleDelayMs: 2_000,
      initDelayMs: 2_000,
      steps: {
        compile: {
          durationMs: 400,
          logs: [
            { text: 'gcc -c main.c', atMs: 0 },
            { text: 'linking', atMs: 250 },
          ],
        },
        package: { durationMs: 50, logs: ['tar czf app.tgz'] },
      },
    });
    kube.createObject(TASK_RUN);
    await kube.waitForObject({ kind: 'Pod', name: 'build-pod' }, () => true);
    const unscheduled = await call(kube, 'GET', `${LOG}?container=step-compile`);
    expect(unscheduled.body).toMatchObject({
      kind: 'Status',
      code: 400,
      reason: 'BadRequest',
      message: 'pod build-pod does not have a host assigned',
    });
    await kube.waitForObject(
      { kind: 'Pod', name: 'build-pod' },
      (pod) => (pod['spec'] as { nodeName?: string }).nodeName !== undefined,
    );
    const initialising = await call(kube, 'GET', `${LOG}?container=step-compile`);
    expect(initialising.body).toMatchObject({
      code: 400,
      message: 'container "step-compile" in pod "build-pod" is waiting to start: PodInitializing',
    });
    const noContainer = await call(kube, 'GET', LOG);
    expect(noContainer.body.message).toContain(
      'a container name must be specified for pod build-pod, choose one of: [step-compile step-package]',
    );

    await kube.waitForObject(
      { kind: 'TaskRun', name: 'build' },
      (object) => succeeded(object)?.reason === 'Running',
    );
    const startedAt = Date.now();
    const compile = await readText(kube, `${LOG}?container=step-compile&follow=true&timestamps=true`);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(200);
    const lines = compile.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z gcc -c main\.c$/);
    expect(lines[1]).toMatch(/ linking$/);
    const secondLineTime = lines[1]!.split(' ')[0]!;
    expect((await readText(kube, `${LOG}?container=step-compile&sinceTime=${secondLineTime}`)).text).toBe(
      'linking\n',
    );
    expect((await readText(kube, `${LOG}?container=step-package&follow=true`)).text).toBe(
      'tar czf app.tgz\n',
    );
    const done = await kube.waitForObject(
      { kind: 'TaskRun', name: 'build' },
      (object) => succeeded(object)?.status === 'True',
    );
    expect((done['status'] as { steps: unknown[] }).steps).toHaveLength(2);
    expect((await readText(kube, `${LOG}?container=step-compile&tailLines=1`)).text).toBe('linking\n');
  });

  it('ends a follower when its pod is deleted by cancellation', async () => {
    kube.scriptTask('build', { steps: { compile: { durationMs: 60_000, logs: ['started'] } } });
    kube.createObject(TASK_RUN);
    await kube.waitForObject(
      { kind: 'TaskRun', name: 'build' },
      (object) => succeeded(object)?.reason === 'Running',
    );
    const following = readText(kube, `${LOG}?container=step-compile&follow=true`);
    setTimeout(
      () => kube.patchObject({ kind: 'TaskRun', name: 'build' }, { spec: { status: 'TaskRunCancelled' } }),
      100,
    );
    expect((await following).text).toBe('started\n');
    const cancelled = await kube.waitForObject(
      { kind: 'TaskRun', name: 'build' },
      (object) => succeeded(object)?.status === 'False',
    );
    expect(succeeded(cancelled)?.reason).toBe('TaskRunCancelled');
    expect((await call(kube, 'GET', `${LOG}?container=step-compile`)).status).toBe(404);
  });

  it('slows log streams when the fault is on', async () => {
    kube.scriptTask('build', { steps: { compile: { durationMs: 10, logs: ['a', 'b', 'c', 'd'] } } });
    kube.createObject(TASK_RUN);
    await kube.waitForObject(
      { kind: 'TaskRun', name: 'build' },
      (object) => succeeded(object)?.status === 'True',
    );
    kube.faults.slowLogs(60);
    const startedAt = Date.now();
    expect((await readText(kube, `${LOG}?container=step-compile`)).text).toBe('a\nb\nc\nd\n');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(220);
  });
});
