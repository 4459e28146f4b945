import { afterEach, describe, expect, it } from 'vitest';
import { KubeTransport } from '../src/kube/kube-transport.js';
import { RESOURCES } from '../src/kube/resource.js';
import { type WatchDiagnostic, type WatchEvent, watchResource } from '../src/kube/watch.js';
import { type PipelineRun, pipelineRunSchema } from '../src/schemas/runs.js';
import { sendJson, statusBody, TestServer } from './helpers/http-server.js';

const run = (rv: number, name = 'run-a'): PipelineRun => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: { name, namespace: 'ci', uid: `uid-${name}`, resourceVersion: String(rv) },
  spec: {},
});

const servers: TestServer[] = [];
const transports: KubeTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((transport) => transport.close()));
  await Promise.all(servers.splice(0).map((server) => server.stop().catch(() => undefined)));
});

async function start(handler: ConstructorParameters<typeof TestServer>[0]) {
  const server = new TestServer(handler);
  servers.push(server);
  const url = await server.listen();
  const transport = new KubeTransport({ baseUrl: url, proxy: false, retry: false });
  transports.push(transport);
  return { server, transport };
}

const isWatch = (query: URLSearchParams) => query.get('watch') === '1';
const fastBackoff = { initialDelayMs: 20, maxDelayMs: 80, random: () => 0.5 };

async function collect(
  events: AsyncIterable<WatchEvent<PipelineRun>>,
  count: number,
  controller: AbortController,
): Promise<Array<WatchEvent<PipelineRun>>> {
  const out: Array<WatchEvent<PipelineRun>> = [];
  for await (const event of events) {
    out.push(event);
    if (out.length >= count) break;
  }
  controller.abort();
  return out;
}

describe('watch faults', () => {
  it.each([1, 2, 5])(
    'F7: a watch closed cleanly every %i events resumes from the last version without gaps or duplicates',
    async (every) => {
      const sequence = Array.from({ length: 12 }, (_, index) => run(index + 1));
      const { server, transport } = await start((request, response) => {
        if (!isWatch(request.query))
          return sendJson(response, 200, { metadata: { resourceVersion: '0' }, items: [] });
        const from = Number(request.query.get('resourceVersion') ?? '0');
        const next = sequence.filter((item) => Number(item.metadata.resourceVersion) > from).slice(0, every);
        response.writeHead(200, { 'content-type': 'application/json' });
        for (const item of next) response.write(`${JSON.stringify({ type: 'MODIFIED', object: item })}\n`);
        response.end();
      });
      const controller = new AbortController();
      const events = await collect(
        watchResource(transport, RESOURCES.pipelineRuns, pipelineRunSchema, {
          namespace: 'ci',
          signal: controller.signal,
          backoff: fastBackoff,
        }),
        12,
        controller,
      );
      expect(events.map((event) => event.object.metadata.resourceVersion)).toEqual(
        sequence.map((item) => item.metadata.resourceVersion),
      );
      const watchVersions = server.requests
        .filter((request) => isWatch(request.query))
        .map((request) => request.query.get('resourceVersion'));
      expect(watchVersions[0]).toBe('0');
      expect(watchVersions[1]).toBe(String(every));
      expect(server.requests.filter((request) => !isWatch(request.query))).toHaveLength(1);
      for (const request of server.requests.filter((r) => isWatch(r.query))) {
        expect(request.query.get('allowWatchBookmarks')).toBe('true');
        expect(Number(request.query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
      }
    },
  );

  it.each(['http', 'in-stream'])(
    'F9: 410 Gone (%s) re-lists once and watches from the new list version',
    async (mode) => {
      let lists = 0;
      const { server, transport } = await start((request, response) => {
        if (!isWatch(request.query)) {
          lists += 1;
          return sendJson(response, 200, {
            metadata: { resourceVersion: lists === 1 ? '5' : '40' },
            items: lists === 1 ? [run(5)] : [run(40)],
          });
        }
        if (request.query.get('resourceVersion') === '5') {
          if (mode === 'http')
            return sendJson(response, 410, statusBody(410, 'Expired', 'too old resource version: 5 (39)'));
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            `${JSON.stringify({ type: 'ERROR', object: statusBody(410, 'Expired', 'too old resource version') })}\n`,
          );
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(`${JSON.stringify({ type: 'MODIFIED', object: run(41) })}\n`);
      });
      const diagnostics: WatchDiagnostic[] = [];
      const controller = new AbortController();
      const events = await collect(
        watchResource(transport, RESOURCES.pipelineRuns, pipelineRunSchema, {
          namespace: 'ci',
          signal: controller.signal,
          backoff: fastBackoff,
          onEvent: (diagnostic) => diagnostics.push(diagnostic),
        }),
        3,
        controller,
      );
      expect(events.map((event) => [event.type, event.object.metadata.resourceVersion])).toEqual([
        ['ADDED', '5'],
        ['MODIFIED', '40'],
        ['MODIFIED', '41'],
      ]);
      expect(lists).toBe(2);
      expect(diagnostics.filter((diagnostic) => diagnostic.type === 'resync')).toHaveLength(1);
      const watchVersions = server.requests
        .filter((request) => isWatch(request.query))
        .map((request) => request.query.get('resourceVersion'));
      expect(watchVersions).toEqual(['5', '40']);
    },
  );

  it('F10: bookmarks advance the version and deliver nothing', async () => {
    const controller = new AbortController();
    const { server, transport } = await start((request, response) => {
      if (!isWatch(request.query))
        return sendJson(response, 200, { metadata: { resourceVersion: '3' }, items: [] });
      const from = request.query.get('resourceVersion');
      response.writeHead(200, { 'content-type': 'application/json' });
      if (from === '3') {
        for (const version of ['10', '20', '50']) {
          response.write(
            `${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'PipelineRun', apiVersion: 'tekton.dev/v1', metadata: { resourceVersion: version } } })}\n`,
          );
        }
        response.end();
      } else {
        response.end(`${JSON.stringify({ type: 'ADDED', object: run(51) })}\n`);
      }
    });
    const events = await collect(
      watchResource(transport, RESOURCES.pipelineRuns, pipelineRunSchema, {
        namespace: 'ci',
        signal: controller.signal,
        backoff: fastBackoff,
      }),
      1,
      controller,
    );
    expect(events.map((event) => event.object.metadata.resourceVersion)).toEqual(['51']);
    const watchVersions = server.requests
      .filter((request) => isWatch(request.query))
      .map((request) => request.query.get('resourceVersion'));
    expect(watchVersions.slice(0, 2)).toEqual(['3', '50']);
  });

  it('F11: 429 on the watch request backs off instead of spinning', async () => {
    const { server, transport } = await start((request, response) => {
      if (!isWatch(request.query))
        return sendJson(response, 200, { metadata: { resourceVersion: '1' }, items: [] });
      sendJson(response, 429, statusBody(429, 'TooManyRequests', 'slow down'));
    });
    const diagnostics: WatchDiagnostic[] = [];
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 600);
    await expect(
      (async () => {
        for await (const _ of watchResource(transport, RESOURCES.pipelineRuns, pipelineRunSchema, {
          namespace: 'ci',
          signal: controller.signal,
          backoff: { initialDelayMs: 50, maxDelayMs: 200, random: () => 1 },
          onEvent: (diagnostic) => diagnostics.push(diagnostic),
        })) {
          // no events expected
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    clearTimeout(timer);
    const watches = server.requests.filter((request) => isWatch(request.query)).length;
    // 50 + 100 + 200 + 200 … ms: at most five attempts fit into 600 ms.
    expect(watches).toBeGreaterThanOrEqual(2);
    expect(watches).toBeLessThanOrEqual(5);
    const delays = diagnostics.flatMap((diagnostic) =>
      diagnostic.type === 'reconnect' ? [diagnostic.delayMs] : [],
    );
    expect(delays.slice(0, 3)).toEqual([50, 100, 200]);
    expect(server.requests.filter((request) => !isWatch(request.query))).toHaveLength(1);
  });

  it('F6: connection refused backs off and re-watches from the last version without listing again', async () => {
    let watchCount = 0;
    const { server, transport } = await start((request, response, raw) => {
      if (!isWatch(request.query))
        return sendJson(response, 200, { metadata: { resourceVersion: '7' }, items: [run(7)] });
      watchCount += 1;
      if (watchCount === 1) {
        raw.socket.destroy();
        void server.stop().then(() => setTimeout(() => void server.listen(server.port), 150));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`${JSON.stringify({ type: 'MODIFIED', object: run(8) })}\n`);
    });
    const diagnostics: WatchDiagnostic[] = [];
    const controller = new AbortController();
    const events = await collect(
      watchResource(transport, RESOURCES.pipelineRuns, pipelineRunSchema, {
        namespace: 'ci',
        signal: controller.signal,
        backoff: { initialDelayMs: 40, maxDelayMs: 120, random: () => 1 },
        onEvent: (diagnostic) => diagnostics.push(diagnostic),
      }),
      2,
      controller,
    );
    expect(events.map((event) => event.object.metadata.resourceVersion)).toEqual(['7', '8']);
    expect(server.requests.filter((request) => !isWatch(request.query))).toHaveLength(1);
    expect(
      server.requests
        .filter((request) => isWatch(request.query))
        .at(-1)
        ?.query.get('resourceVersion'),
    ).toBe('7');
    expect(diagnostics.filter((diagnostic) => diagnostic.type === 'reconnect').length).toBeGreaterThanOrEqual(
      1,
    );
  });
});
