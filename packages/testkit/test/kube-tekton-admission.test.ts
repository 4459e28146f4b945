import { readFileSync } from 'node:fs';
import type { Logger } from '@gitops-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubeEmulator } from '../src/kube/index.js';
import { call, type Json } from './kube-test-helpers.js';

interface AdmissionCase {
  name: string;
  webhook?: 'defaulting' | 'validating';
  message?: string;
  document: Json;
}
const CASES = parse(
  readFileSync(new URL('./fixtures/tekton-admission-cases.yaml', import.meta.url), 'utf8'),
) as { reject: AdmissionCase[]; accept: AdmissionCase[] };

const PLURALS: Record<string, string> = {
  Task: 'tasks',
  Pipeline: 'pipelines',
  TaskRun: 'taskruns',
  PipelineRun: 'pipelineruns',
};
const collection = (document: Json) =>
  `/apis/${document.apiVersion}/namespaces/default/${PLURALS[document.kind]}`;
const denial = (testCase: AdmissionCase) =>
  testCase.webhook === 'defaulting'
    ? `admission webhook "webhook.pipeline.tekton.dev" denied the request: mutation failed: cannot decode incoming new object: ${testCase.message}`
    : `admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: ${testCase.message}`;

let kube: KubeEmulator | undefined;
afterEach(async () => {
  await kube?.stop();
  kube = undefined;
});

describe('Tekton admission: the shared case table', () => {
  it.each(CASES.reject.map((testCase) => [testCase.name, testCase] as const))(
    'denies %s with the webhook’s 400 and stores nothing',
    async (_name, testCase) => {
      kube = await KubeEmulator.start({ tekton: true });
      const response = await call(kube, 'POST', collection(testCase.document), testCase.document);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        kind: 'Status',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
      });
      expect(response.body.message).toBe(denial(testCase));
      expect(kube.listObjects(testCase.document.kind)).toEqual([]);
    },
  );

  it.each(CASES.accept.map((testCase) => [testCase.name, testCase] as const))(
    'admits %s',
    async (_name, testCase) => {
      kube = await KubeEmulator.start({ tekton: false, tektonWebhooks: true });
      const response = await call(kube, 'POST', collection(testCase.document), testCase.document);
      expect(response.body.message).toBeUndefined();
      expect(response.status).toBe(201);
    },
  );

  it('stores a case-insensitively matched field under its declared name, as Go re-encodes it', async () => {
    kube = await KubeEmulator.start({ tekton: false, tektonWebhooks: true });
    const created = await call(kube, 'POST', '/apis/tekton.dev/v1/namespaces/default/tasks', {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 'cased' },
      spec: { Steps: [{ name: 'build', image: 'alpine', Script: 'make' }] },
    });
    expect(created.status).toBe(201);
    expect(created.body.spec).toEqual({ steps: [{ name: 'build', image: 'alpine', script: 'make' }] });
  });
});

describe('Tekton admission on update and patch', () => {
  const task = {
    apiVersion: 'tekton.dev/v1',
    kind: 'Task',
    metadata: { name: 'build' },
    spec: { steps: [{ name: 'make', image: 'alpine', script: 'make' }] },
  };

  it('denies a PUT or a patch whose result Tekton would refuse, and keeps the stored object', async () => {
    kube = await KubeEmulator.start({ tekton: false, tektonWebhooks: true });
    const path = '/apis/tekton.dev/v1/namespaces/default/tasks';
    expect((await call(kube, 'POST', path, task)).status).toBe(201);
    const before = kube.getObject({ kind: 'Task', name: 'build' });

    const put = await call(kube, 'PUT', `${path}/build`, {
      ...task,
      spec: { steps: [{ name: 'make', image: 'alpine', scirpt: 'make' }] },
    });
    expect(put.status).toBe(400);
    expect(put.body.message).toContain('json: unknown field "scirpt"');

    const merge = await call(
      kube,
      'PATCH',
      `${path}/build`,
      { spec: { results: [{ name: 'bad name' }] } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(merge.status).toBe(400);
    expect(merge.body.message).toContain('invalid key name "bad name": spec.results[0].name');

    const jsonPatch = await call(
      kube,
      'PATCH',
      `${path}/build`,
      [{ op: 'add', path: '/spec/steps/-', value: { name: 'make', image: 'alpine', timeout: '1 hour' } }],
      { 'content-type': 'application/json-patch+json' },
    );
    expect(jsonPatch.status).toBe(400);
    expect(jsonPatch.body.message).toContain('time: unknown unit " hour" in duration "1 hour"');

    expect(kube.getObject({ kind: 'Task', name: 'build' })).toEqual(before);
  });

  it('applies Tekton’s defaults: run timeouts and service account, param and result types, taskRef kind', async () => {
    kube = await KubeEmulator.start({ tekton: false, tektonWebhooks: true });
    const created = await call(kube, 'POST', '/apis/tekton.dev/v1/namespaces/default/pipelineruns', {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'run' },
      spec: { pipelineRef: { name: 'ci' } },
    });
    expect(created.body.spec).toMatchObject({
      timeouts: { pipeline: '1h0m0s' },
      taskRunTemplate: { serviceAccountName: 'default' },
    });
    const task = await call(kube, 'POST', '/apis/tekton.dev/v1/namespaces/default/tasks', {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 'typed' },
      spec: {
        params: [
          { name: 'plain' },
          { name: 'list', default: ['a'] },
          { name: 'map', default: { k: 'v' } },
          { name: 'git', properties: { url: {} } },
        ],
        results: [{ name: 'digest' }, { name: 'image', properties: { url: {} } }],
        steps: [{ name: 'build', image: 'alpine' }],
      },
    });
    expect(task.body.spec.params.map((param: Json) => param.type)).toEqual([
      'string',
      'array',
      'object',
      'object',
    ]);
    expect(task.body.spec.params[3].properties).toEqual({ url: { type: 'string' } });
    expect(task.body.spec.results.map((result: Json) => result.type)).toEqual(['string', 'object']);
    const pipeline = await call(kube, 'POST', '/apis/tekton.dev/v1/namespaces/default/pipelines', {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: { name: 'ref' },
      spec: { tasks: [{ name: 'build', taskRef: { name: 'typed' } }] },
    });
    expect(pipeline.body.spec.tasks[0].taskRef).toEqual({ name: 'typed', kind: 'Task' });
  });
});

describe('a bad duration never takes the process down (issue 11, item 13)', () => {
  it('answers 400 for "1 hour" on a PipelineRun, a TaskRun and a pipeline task, then keeps serving', async () => {
    kube = await KubeEmulator.start({ timeScale: 1000 });
    const runs = CASES.reject.filter((testCase) => testCase.message?.includes('"1 hour"'));
    expect(runs.map((testCase) => testCase.document.kind).sort()).toEqual([
      'PipelineRun',
      'PipelineRun',
      'TaskRun',
    ]);
    for (const testCase of runs) {
      expect((await call(kube, 'POST', collection(testCase.document), testCase.document)).status).toBe(400);
    }
    expect((await call(kube, 'GET', '/apis/tekton.dev/v1/namespaces/default/pipelineruns')).status).toBe(200);
  });

  it('fails the run and logs when a bad duration gets past admission (no webhook), instead of throwing from a timer', async () => {
    const logged: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (message) => logged.push(message),
    };
    kube = await KubeEmulator.start({ timeScale: 1000, tektonWebhooks: false, logger });
    kube.apply([
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name: 'slow-pipeline' },
        spec: {
          timeouts: { pipeline: '1 hour' },
          pipelineSpec: { tasks: [{ name: 'a', taskSpec: { steps: [{ name: 's', image: 'x' }] } }] },
        },
      },
      {
        apiVersion: 'tekton.dev/v1',
        kind: 'TaskRun',
        metadata: { name: 'slow-task' },
        spec: { timeout: '1 hour', taskSpec: { steps: [{ name: 's', image: 'x' }] } },
      },
    ]);
    const finished = (object: Json) =>
      object.status?.conditions?.some(
        (condition: Json) => condition.type === 'Succeeded' && condition.status === 'False',
      ) === true;
    for (const [kind, name] of [
      ['PipelineRun', 'slow-pipeline'],
      ['TaskRun', 'slow-task'],
    ] as const) {
      const run = await kube.waitForObject({ kind, name }, finished);
      expect(run['status']).toMatchObject({
        conditions: [
          {
            type: 'Succeeded',
            status: 'False',
            reason: 'EmulatorReconcileError',
            message: '[emulator] time: unknown unit " hour" in duration "1 hour"',
          },
        ],
      });
    }
    expect(logged).toEqual(
      expect.arrayContaining([
        expect.stringContaining('PipelineRun default/slow-pipeline: time: unknown unit " hour"'),
        expect.stringContaining('TaskRun default/slow-task: time: unknown unit " hour"'),
      ]),
    );
    expect((await call(kube, 'GET', '/version')).status).toBe(200);
  });
});
