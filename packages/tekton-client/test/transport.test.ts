import { afterEach, describe, expect, it } from 'vitest';
import { KubernetesApiError } from '../src/errors/kubernetes-api-error.js';
import { KubeTransport } from '../src/kube/kube-transport.js';
import { RESOURCES } from '../src/kube/resource.js';
import { pipelineRunSchema } from '../src/schemas/runs.js';
import { sendJson, TestServer } from './helpers/http-server.js';

const servers: TestServer[] = [];
const transports: KubeTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

async function start(handler: ConstructorParameters<typeof TestServer>[0]) {
  const server = new TestServer(handler);
  servers.push(server);
  const transport = new KubeTransport({ baseUrl: await server.listen(), proxy: false, retry: false });
  transports.push(transport);
  return { server, transport };
}

const run = (name: string) => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: { name },
  spec: {},
});

describe('KubeTransport', () => {
  it('follows continue tokens with selectors and keeps the first page resourceVersion', async () => {
    const { server, transport } = await start((request, response) => {
      const page = request.query.get('continue');
      if (!page)
        return sendJson(response, 200, {
          metadata: { resourceVersion: '10', continue: 'p2' },
          items: [run('a'), run('b')],
        });
      sendJson(response, 200, { metadata: { resourceVersion: '11' }, items: [run('c')] });
    });
    const result = await transport.listAll(RESOURCES.pipelineRuns, 'ci', pipelineRunSchema, {
      labelSelector: 'app=demo',
      fieldSelector: 'metadata.namespace=ci',
      limit: 2,
    });
    expect(result.items.map((item) => item.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(result.resourceVersion).toBe('10');
    expect(
      server.requests.map((request) => [
        request.path,
        request.query.get('labelSelector'),
        request.query.get('fieldSelector'),
        request.query.get('limit'),
        request.query.get('continue'),
      ]),
    ).toEqual([
      ['/apis/tekton.dev/v1/namespaces/ci/pipelineruns', 'app=demo', 'metadata.namespace=ci', '2', null],
      ['/apis/tekton.dev/v1/namespaces/ci/pipelineruns', 'app=demo', 'metadata.namespace=ci', '2', 'p2'],
    ]);
  });

  it('turns a Status body into KubernetesApiError with reason, code and causes', async () => {
    const { transport } = await start((_request, response) =>
      sendJson(response, 422, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        code: 422,
        reason: 'Invalid',
        message: 'PipelineRun.tekton.dev "x" is invalid: spec.params: Required value',
        details: {
          name: 'x',
          group: 'tekton.dev',
          kind: 'PipelineRun',
          causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.params' }],
        },
      }),
    );
    const error = await transport
      .create(RESOURCES.pipelineRuns, 'ci', run('x'), pipelineRunSchema)
      .catch((caught: unknown) => caught);
    expect(KubernetesApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 422,
      reason: 'Invalid',
      retryable: false,
      causes: [{ reason: 'FieldValueRequired', field: 'spec.params' }],
      details: { name: 'x', kind: 'PipelineRun', group: 'tekton.dev' },
    });
    expect((error as Error).message).toContain('spec.params: Required value');
    expect(KubernetesApiError.isNotFound(error)).toBe(false);
  });

  it('sends merge patches as application/merge-patch+json and creates with POST', async () => {
    const { server, transport } = await start((request, response) =>
      sendJson(response, request.method === 'POST' ? 201 : 200, {
        ...run('gen-abc12'),
        metadata: { name: 'gen-abc12', generateName: 'gen-' },
      }),
    );
    const created = await transport.create(
      RESOURCES.pipelineRuns,
      'ci',
      { ...run(''), metadata: { generateName: 'gen-' } },
      pipelineRunSchema,
    );
    expect(created.metadata.name).toBe('gen-abc12');
    await transport.mergePatch(
      RESOURCES.pipelineRuns,
      'ci',
      'gen-abc12',
      { spec: { status: 'Cancelled' } },
      pipelineRunSchema,
    );
    const [post, patch] = server.requests;
    expect(post?.method).toBe('POST');
    expect(JSON.parse(post?.body ?? '{}').metadata).toEqual({ generateName: 'gen-' });
    expect(patch).toMatchObject({
      method: 'PATCH',
      path: '/apis/tekton.dev/v1/namespaces/ci/pipelineruns/gen-abc12',
    });
    expect(patch?.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch?.body ?? '{}')).toEqual({ spec: { status: 'Cancelled' } });
  });
});

describe('cancel modes and apply', () => {
  it.each(['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally'] as const)(
    'cancels with mode %s through a merge patch of spec.status',
    async (mode) => {
      const { TektonClient } = await import('../src/client/tekton-client.js');
      const { server } = await start((request, response) => {
        if (request.method === 'GET') {
          return sendJson(response, 200, {
            ...run('r'),
            status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] },
          });
        }
        sendJson(response, 200, { ...run('r'), spec: { status: mode } });
      });
      const client = new TektonClient({ server: server.url, namespace: 'ci', proxy: false, retry: false });
      try {
        const patched = await client.pipelineRuns.cancel('r', { mode });
        expect(patched.spec.status).toBe(mode);
        const patch = server.requests.find((request) => request.method === 'PATCH');
        expect(JSON.parse(patch?.body ?? '{}')).toEqual({ spec: { status: mode } });
      } finally {
        await client.close();
      }
    },
  );

  it('applies a definition: POST when absent, PUT with the current resourceVersion when present', async () => {
    const { TektonClient } = await import('../src/client/tekton-client.js');
    let stored: Record<string, unknown> | undefined;
    const { server } = await start((request, response) => {
      if (request.method === 'GET') {
        if (!stored)
          return sendJson(response, 404, {
            kind: 'Status',
            code: 404,
            reason: 'NotFound',
            message: 'tasks.tekton.dev "build" not found',
          });
        return sendJson(response, 200, stored);
      }
      const body = JSON.parse(request.body) as Record<string, unknown> & {
        metadata: Record<string, unknown>;
      };
      stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(server.requests.length) } };
      sendJson(response, request.method === 'POST' ? 201 : 200, stored);
    });
    const client = new TektonClient({ server: server.url, namespace: 'ci', proxy: false, retry: false });
    const task = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 'build' },
      spec: { steps: [{ name: 'make', image: 'alpine' }] },
    };
    try {
      await client.tasks.apply(task);
      await client.tasks.apply({ ...task, spec: { steps: [{ name: 'make', image: 'alpine:3' }] } });
      expect(server.requests.map((request) => request.method)).toEqual(['GET', 'POST', 'GET', 'PUT']);
      expect(JSON.parse(server.requests[3]?.body ?? '{}').metadata).toEqual({
        name: 'build',
        namespace: 'ci',
        resourceVersion: '2',
      });
      await expect(
        client.tasks.apply({
          ...task,
          spec: { steps: [{ name: 's', image: 'x', script: '$(params.nope)' }] },
        }),
      ).rejects.toMatchObject({
        code: 'TEKTON_VALIDATION_FAILED',
      });
    } finally {
      await client.close();
    }
  });
});
