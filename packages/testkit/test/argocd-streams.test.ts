import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDEmulator } from '../src/argocd/index.js';
import { application, eventually, login, readMessages } from './argocd-test-helpers.js';

const REPO = 'https://git.example.invalid/org/streams.git';

interface WatchMessage {
  result?: {
    type: string;
    application: { metadata: { name: string; resourceVersion?: string; labels?: Record<string, string> } };
  };
  error?: { grpc_code: number; http_code: number; message: string; http_status: string };
}

describe('ArgoCDEmulator watch streams', () => {
  let emulator: ArgoCDEmulator;
  let token: string;

  const open = (path: string, sse: boolean, bearer = token) =>
    fetch(`${emulator.url}${path}`, {
      headers: { Authorization: `Bearer ${bearer}`, ...(sse ? { Accept: 'text/event-stream' } : {}) },
      signal: AbortSignal.timeout(10_000),
    });

  beforeAll(async () => {
    emulator = await ArgoCDEmulator.start({
      reconciliationIntervalMs: 0,
      keepAliveIntervalMs: 40,
      syncDurationMs: 20,
    });
    emulator.seedRepositoryCommit(REPO, {
      files: { 'helm/my-values.yaml': 'image: {repository: web, tag: v1}\n' },
    });
    emulator.seedApplication(application('alpha', REPO));
    emulator.seedApplication(application('beta', REPO));
    token = await login(emulator);
    await eventually(() => emulator.getApplication('beta')?.status?.reconciledAt, 5_000, 'initial reconcile');
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('streams NDJSON {"result":{type,application}}: ADDED for every app without resourceVersion, then MODIFIED', async () => {
    const response = await open('/api/v1/stream/applications', false);
    expect(response.headers.get('content-type')).toBe('application/json');
    const reading = readMessages(response, 3, { sse: false });
    await eventually(
      () => emulator.requests.some((r) => r.path === '/api/v1/stream/applications'),
      2_000,
      'connect',
    );
    setTimeout(
      () =>
        emulator.updateApplication('alpha', (app) => {
          app.metadata.labels = { team: 'changed' };
        }),
      50,
    );
    const { messages } = await reading;
    const typed = messages as WatchMessage[];
    expect(typed.map((m) => `${m.result?.type}:${m.result?.application.metadata.name}`)).toEqual([
      'ADDED:alpha',
      'ADDED:beta',
      'MODIFIED:alpha',
    ]);
    expect(typed[2]?.result?.application.metadata.labels).toEqual({ team: 'changed' });
  });

  it('sends the current app as ADDED on connect for a single-app SSE watch, even with a resourceVersion, plus keep-alives', async () => {
    const resourceVersion = emulator.getApplication('beta')?.metadata.resourceVersion ?? '';
    const response = await open(
      `/api/v1/stream/applications?name=beta&resourceVersion=${resourceVersion}`,
      true,
    );
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const { messages, keepAlives, raw } = await readMessages(response, 2, { sse: true, timeoutMs: 400 });
    expect((messages as WatchMessage[]).map((m) => m.result?.type)).toEqual(['ADDED']);
    expect(raw).toMatch(/^data: \{"result":\{"type":"ADDED"/);
    expect(raw).toContain('} \n\n');
    expect(keepAlives).toBeGreaterThan(0);
  });

  it('projects stream messages with fields=result.… and skips identical consecutive messages', async () => {
    const response = await open(
      '/api/v1/stream/applications?name=alpha&fields=result.type,result.application.metadata.name',
      false,
    );
    const reading = readMessages(response, 3, { sse: false, timeoutMs: 1_500 });
    setTimeout(
      () =>
        emulator.updateApplication('alpha', (app) => {
          app.metadata.annotations = { a: '1' };
        }),
      50,
    );
    setTimeout(
      () =>
        emulator.updateApplication('alpha', (app) => {
          app.metadata.annotations = { a: '2' };
        }),
      100,
    );
    const { messages } = await reading;
    // Annotation changes are invisible after projection: the second MODIFIED is identical to the first and dropped.
    expect(messages).toEqual([
      { result: { type: 'ADDED', application: { metadata: { name: 'alpha' } } } },
      { result: { type: 'MODIFIED', application: { metadata: { name: 'alpha' } } } },
    ]);
  });

  it('drops the connection after N events when a stream-drop fault is installed', async () => {
    emulator.addFault({
      kind: 'stream-drop',
      match: { path: '/api/v1/stream/applications' },
      afterEvents: 1,
    });
    const response = await open('/api/v1/stream/applications?name=alpha', true);
    const reader = response.body?.getReader();
    const chunks: string[] = [];
    let failed = false;
    try {
      for (let index = 0; index < 10; index += 1) {
        const { done, value } = (await reader?.read()) ?? { done: true };
        if (done) break;
        chunks.push(new TextDecoder().decode(value));
      }
    } catch {
      failed = true;
    }
    expect(chunks.join('')).toContain('"type":"ADDED"');
    expect(failed).toBe(true);
  });

  it('ends a stream with an in-band error chunk', async () => {
    emulator.addFault({
      kind: 'stream-error',
      match: { path: '/api/v1/stream/applications' },
      afterEvents: 1,
      code: 14,
      message: 'transport is closing',
    });
    const { messages } = await readMessages(await open('/api/v1/stream/applications?name=alpha', false), 2, {
      sse: false,
    });
    expect((messages as WatchMessage[])[1]).toEqual({
      error: {
        grpc_code: 14,
        http_code: 503,
        message: 'transport is closing',
        http_status: 'Service Unavailable',
        details: [],
      },
    });
  });

  it('answers a stream request with an expired token with the stream error body and status 401', async () => {
    const stale = emulator.issueToken('admin', 1_000);
    emulator.expireTokens();
    const response = await open('/api/v1/stream/applications', false, stale);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { grpc_code: 16, http_code: 401, http_status: 'Unauthorized' },
    });
    token = await login(emulator);
  });

  it('sends nothing on connect for the resource-tree stream, then the full tree on change', async () => {
    const response = await open('/api/v1/stream/applications/alpha/resource-tree', false);
    const reading = readMessages(response, 1, { sse: false, timeoutMs: 5_000 });
    const connectedAt = Date.now();
    setTimeout(() => {
      void fetch(`${emulator.url}/api/v1/applications/alpha/sync`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
    }, 100);
    const { messages } = await reading;
    expect(Date.now() - connectedAt).toBeGreaterThanOrEqual(90);
    const tree = (messages[0] as { result: { nodes: Array<{ kind: string; images?: string[] }> } }).result;
    expect(tree.nodes.find((node) => node.kind === 'Deployment')?.images).toEqual(['web:v1']);
  });

  it('reports DELETED when an app goes away', async () => {
    const response = await open('/api/v1/stream/applications?name=beta', false);
    const reading = readMessages(response, 2, { sse: false, timeoutMs: 3_000 });
    setTimeout(() => {
      void fetch(`${emulator.url}/api/v1/applications/beta?cascade=false`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      });
    }, 50);
    const { messages } = await reading;
    expect((messages as WatchMessage[]).map((m) => m.result?.type)).toContain('DELETED');
  });
});
