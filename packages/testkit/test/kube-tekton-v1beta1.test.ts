import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeEmulator } from '../src/kube/index.js';
import { call, collectWatch, type Json } from './kube-test-helpers.js';

const V1 = '/apis/tekton.dev/v1/namespaces/default';
const V1BETA1 = '/apis/tekton.dev/v1beta1/namespaces/default';

let kube: KubeEmulator;
beforeEach(async () => {
  kube = await KubeEmulator.start({ timeScale: 100 });
});
afterEach(async () => {
  await kube.stop();
});

describe('tekton.dev/v1beta1, served by conversion to the stored v1', () => {
  it('is listed by discovery next to v1, with v1 preferred', async () => {
    const groups = await call(kube, 'GET', '/apis');
    const tekton = groups.body.groups.find((group: Json) => group.name === 'tekton.dev');
    expect(tekton.versions.map((version: Json) => version.version)).toEqual(['v1', 'v1beta1']);
    expect(tekton.preferredVersion.version).toBe('v1');
    const resources = await call(kube, 'GET', '/apis/tekton.dev/v1beta1');
    expect(resources.body.resources.map((resource: Json) => resource.name)).toEqual(
      expect.arrayContaining(['pipelineruns', 'pipelineruns/status', 'taskruns', 'pipelines', 'tasks']),
    );
  });

  it('stores a v1beta1 PipelineRun as v1 (Tekton’s field mapping) and shows it as v1beta1 again', async () => {
    const created = await call(kube, 'POST', `${V1BETA1}/pipelineruns`, {
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'PipelineRun',
      metadata: { name: 'legacy' },
      spec: {
        serviceAccountName: 'builder',
        podTemplate: { nodeSelector: { disk: 'ssd' } },
        timeout: '2h',
        status: 'PipelineRunPending',
        resources: [{ name: 'source', resourceRef: { name: 'git' } }],
        taskRunSpecs: [{ pipelineTaskName: 'build', taskServiceAccountName: 'pusher', stepOverrides: [] }],
        pipelineSpec: {
          tasks: [
            {
              name: 'build',
              taskSpec: {
                steps: [{ name: 'make', image: 'alpine', resources: { limits: { cpu: '1' } } }],
              },
            },
            { name: 'scan', taskRef: { name: 'scanner', bundle: 'registry.example/tasks:1' } },
          ],
        },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.apiVersion).toBe('tekton.dev/v1beta1');

    const stored = (await call(kube, 'GET', `${V1}/pipelineruns/legacy`)).body;
    expect(stored.apiVersion).toBe('tekton.dev/v1');
    expect(stored.spec).toMatchObject({
      taskRunTemplate: { serviceAccountName: 'builder', podTemplate: { nodeSelector: { disk: 'ssd' } } },
      timeouts: { pipeline: '2h' },
      taskRunSpecs: [{ pipelineTaskName: 'build', serviceAccountName: 'pusher', stepSpecs: [] }],
    });
    expect(stored.spec).not.toHaveProperty('serviceAccountName');
    expect(stored.spec).not.toHaveProperty('timeout');
    expect(stored.spec).not.toHaveProperty('resources');
    expect(JSON.parse(stored.metadata.annotations['tekton.dev/v1beta1Resources'])).toEqual([
      { name: 'source', resourceRef: { name: 'git' } },
    ]);
    const [build, scan] = stored.spec.pipelineSpec.tasks;
    expect(build.taskSpec.steps[0]).toEqual({
      name: 'make',
      image: 'alpine',
      computeResources: { limits: { cpu: '1' } },
    });
    expect(scan.taskRef).toEqual({
      kind: 'Task',
      resolver: 'bundles',
      params: [
        { name: 'bundle', value: 'registry.example/tasks:1' },
        { name: 'name', value: 'scanner' },
        { name: 'kind', value: 'Task' },
      ],
    });

    const shown = (await call(kube, 'GET', `${V1BETA1}/pipelineruns/legacy`)).body;
    expect(shown.apiVersion).toBe('tekton.dev/v1beta1');
    expect(shown.spec).toMatchObject({
      serviceAccountName: 'builder',
      podTemplate: { nodeSelector: { disk: 'ssd' } },
      timeouts: { pipeline: '2h' },
      resources: [{ name: 'source', resourceRef: { name: 'git' } }],
      taskRunSpecs: [{ pipelineTaskName: 'build', taskServiceAccountName: 'pusher', stepOverrides: [] }],
    });
    expect(shown.spec.pipelineSpec.tasks[0].taskSpec.steps[0].resources).toEqual({ limits: { cpu: '1' } });
    expect(shown.metadata.annotations?.['tekton.dev/v1beta1Resources']).toBeUndefined();
  });

  it('runs a v1beta1 PipelineRun and reports pipelineResults to v1beta1 readers, in gets, lists, watches and patches', async () => {
    kube.scriptTask('hello', { steps: { say: { logs: ['hi'], results: { greeting: 'hi' } } } });
    const run = {
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'PipelineRun',
      metadata: { name: 'greet', labels: { app: 'hello' } },
      spec: {
        pipelineSpec: {
          results: [{ name: 'greeting', value: '$(tasks.hello.results.greeting)' }],
          tasks: [
            {
              name: 'hello',
              taskSpec: { results: [{ name: 'greeting' }], steps: [{ name: 'say', image: 'alpine' }] },
            },
          ],
        },
      },
    };
    expect((await call(kube, 'POST', `${V1BETA1}/pipelineruns`, run)).status).toBe(201);
    const watch = collectWatch(kube, `${V1BETA1}/pipelineruns?watch=true&labelSelector=app%3Dhello`, {
      maxEvents: 1,
      timeoutMs: 5000,
    });
    const done = await kube.waitForObject({ kind: 'PipelineRun', name: 'greet' }, (object) =>
      JSON.stringify(object['status'] ?? {}).includes('"status":"True"'),
    );
    expect(done['status']).toMatchObject({ results: [{ name: 'greeting', value: 'hi' }] });

    const shown = (await call(kube, 'GET', `${V1BETA1}/pipelineruns/greet`)).body;
    expect(shown.status.pipelineResults).toEqual([{ name: 'greeting', value: 'hi' }]);
    expect(shown.status).not.toHaveProperty('results');
    const listed = (await call(kube, 'GET', `${V1BETA1}/pipelineruns?labelSelector=app%3Dhello`)).body;
    expect(listed).toMatchObject({ kind: 'PipelineRunList', apiVersion: 'tekton.dev/v1beta1' });
    expect(listed.items.map((item: Json) => item.apiVersion)).toEqual(['tekton.dev/v1beta1']);
    const events = (await watch).events;
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { apiVersion: 'tekton.dev/v1beta1' } });

    const patched = await call(
      kube,
      'PATCH',
      `${V1BETA1}/pipelineruns/greet`,
      { metadata: { labels: { reviewed: 'yes' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.apiVersion).toBe('tekton.dev/v1beta1');
    expect(kube.getObject({ kind: 'PipelineRun', name: 'greet' })?.metadata.labels).toMatchObject({
      app: 'hello',
      reviewed: 'yes',
    });
  });

  it('applies Tekton’s admission to v1beta1 objects after conversion', async () => {
    const response = await call(kube, 'POST', `${V1BETA1}/tasks`, {
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'Task',
      metadata: { name: 'dup' },
      spec: {
        steps: [
          { name: 'a', image: 'alpine' },
          { name: 'a', image: 'alpine' },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toBe(
      'admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: invalid value: a: spec.steps[1].name',
    );
    const mismatch = await call(kube, 'POST', `${V1BETA1}/tasks`, {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 'x' },
      spec: { steps: [{ name: 'a', image: 'alpine' }] },
    });
    expect(mismatch.status).toBe(400);
  });

  it('accepts v1beta1 objects in the in-process API too', () => {
    const [task] = kube.apply({
      apiVersion: 'tekton.dev/v1beta1',
      kind: 'Task',
      metadata: { name: 'old' },
      spec: { steps: [{ name: 'a', image: 'alpine', resources: { requests: { memory: '1Gi' } } }] },
    });
    expect(task).toMatchObject({
      apiVersion: 'tekton.dev/v1',
      spec: { steps: [{ name: 'a', computeResources: { requests: { memory: '1Gi' } } }] },
    });
  });
});
