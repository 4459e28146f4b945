import { once } from 'node:events';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  GitOpsKitError,
  HttpClient,
  type HttpClientOptions,
  HttpError,
  ResponseParseError,
  ResponseTooLargeError,
  ResponseValidationError,
  readServerSentEvents,
  TimeoutError,
  ValidationError,
} from '../src/index.js';
import { type Handler, type LoopbackServer, sendJson, startServer } from './helpers/loopback-server.js';
import { makeCanary } from './helpers/seeded-random.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** Fast retries, recorded delays, no real sleeping. */
function fastRetry(delays: number[] = []) {
  return {
    baseDelayMs: 10,
    maxDelayMs: 50,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
}

async function setup(
  handler: Handler,
  options: Partial<HttpClientOptions> = {},
): Promise<{ server: LoopbackServer; http: HttpClient }> {
  const server = await startServer(handler);
  const http = new HttpClient({
    baseUrl: `${server.url}/prefix/`,
    retry: fastRetry(),
    proxy: false,
    ...options,
  });
  cleanups.push(
    () => server.close(),
    () => http.close(),
  );
  return { server, http };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** Every place a secret could hide in an error. */
function everythingAbout(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: Number.POSITIVE_INFINITY }), JSON.stringify(error)];
  for (let current: unknown = error, depth = 0; current && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join('\n');
}

describe('HttpClient request basics', () => {
  it('joins the base path prefix, query arrays and default headers, and parses JSON', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 200, { ok: true }), {
      headers: { 'X-Team': 'platform' },
    });
    const result = await http.request<{ ok: boolean }>({
      path: '/api/v1/things',
      query: { name: ['a', 'b'], limit: 5, skip: undefined, flag: true },
    });
    expect(result.status).toBe(200);
    expect(result.data).toEqual({ ok: true });
    expect(server.requests[0]?.url).toBe('/prefix/api/v1/things?name=a&name=b&limit=5&flag=true');
    expect(server.requests[0]?.headers['x-team']).toBe('platform');
    expect(server.requests[0]?.headers['user-agent']).toMatch(/^gitops-kit\//);
    expect(server.requests[0]?.headers.accept).toBe('application/json');
  });

  it('sends objects as JSON and strings as text', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 201, {}));
    await http.request({ method: 'POST', path: 'items', body: { name: 'x' } });
    await http.request({ method: 'post', path: 'items', body: 'plain', responseType: 'none' });
    expect(server.requests[0]?.headers['content-type']).toBe('application/json');
    expect(server.requests[0]?.body).toBe('{"name":"x"}');
    expect(server.requests[0]?.url).toBe('/prefix/items');
    expect(server.requests[1]?.headers['content-type']).toMatch(/^text\/plain/);
    expect(server.requests[1]?.body).toBe('plain');
  });

  it('returns text and empty bodies', async () => {
    const { http } = await setup((request, response) => {
      if (request.url?.endsWith('/text')) {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('hello');
      } else {
        response.writeHead(204);
        response.end();
      }
    });
    expect((await http.request({ path: '/text', responseType: 'text' })).data).toBe('hello');
    expect((await http.request({ path: '/empty' })).data).toBeUndefined();
  });

  it('refuses absolute paths and credentials in the base URL', async () => {
    const { http } = await setup((_request, response) => sendJson(response, 200, {}));
    await expect(http.request({ path: 'https://elsewhere.example/x' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(http.request({ path: '//elsewhere.example/x' })).rejects.toBeInstanceOf(ValidationError);
    const canary = makeCanary();
    const error = await rejectionOf(
      Promise.resolve().then(() => new HttpClient({ baseUrl: `https://u:${canary}@h.test` })),
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(everythingAbout(error)).not.toContain(canary);
  });

  it('drops __proto__ keys from parsed bodies', async () => {
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        '{"__proto__":{"polluted":"yes"},"a":{"constructor":{"prototype":{"polluted":"yes"}}},"b":1}',
      );
    });
    const { data } = await http.request<Record<string, unknown>>({ path: '/x' });
    const merged = Object.assign({}, data);
    expect((merged as { polluted?: string }).polluted).toBeUndefined();
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect(data.b).toBe(1);
  });
});

describe('HttpClient retries (F1, F2, F3)', () => {
  it('retries 503 then succeeds with delays inside the cap', async () => {
    const delays: number[] = [];
    const { server, http } = await setup(
      (_request, response, index) =>
        index < 2 ? sendJson(response, 503, { message: 'busy' }) : sendJson(response, 200, { n: index }),
      { retry: fastRetry(delays) },
    );
    const result = await http.request<{ n: number }>({ path: '/x' });
    expect(result.data).toEqual({ n: 2 });
    expect(server.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThanOrEqual(10);
    expect(delays[1]).toBeLessThanOrEqual(20);
  });

  it('gives up after maxAttempts with a retryable HttpError that counts attempts', async () => {
    const { server, http } = await setup((_request, response) =>
      sendJson(response, 502, { message: 'bad gateway' }),
    );
    const error = await rejectionOf(http.request({ path: '/x', retry: { maxAttempts: 4 } }));
    expect(HttpError.isInstance(error)).toBe(true);
    const httpError = error as HttpError;
    expect(httpError.status).toBe(502);
    expect(httpError.retryable).toBe(true);
    expect(httpError.attempts).toBe(4);
    expect(httpError.message).toContain('bad gateway');
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry a POST unless it is marked idempotent', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 503, {}));
    await expect(http.request({ method: 'POST', path: '/sync', body: {} })).rejects.toBeInstanceOf(HttpError);
    expect(server.requests).toHaveLength(1);
    await expect(
      http.request({ method: 'POST', path: '/sync', body: {}, idempotent: true }),
    ).rejects.toBeInstanceOf(HttpError);
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry with retry: false', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 503, {}));
    await expect(http.request({ path: '/x', retry: false })).rejects.toBeInstanceOf(HttpError);
    expect(server.requests).toHaveLength(1);
  });

  it('waits at least a Retry-After given in seconds', async () => {
    const delays: number[] = [];
    const { server, http } = await setup(
      (_request, response, index) =>
        index === 0 ? sendJson(response, 429, {}, { 'retry-after': '2' }) : sendJson(response, 200, {}),
      { retry: fastRetry(delays) },
    );
    await http.request({ path: '/x' });
    expect(server.requests).toHaveLength(2);
    expect(delays).toEqual([2000]);
  });

  it('waits at least a Retry-After given as an HTTP-date', async () => {
    const delays: number[] = [];
    const nowMs = Date.parse('2026-01-01T00:00:00Z');
    const { http } = await setup(
      (_request, response, index) =>
        index === 0
          ? sendJson(response, 503, {}, { 'retry-after': new Date(nowMs + 7000).toUTCString() })
          : sendJson(response, 200, {}),
      { retry: { ...fastRetry(delays), now: () => nowMs } },
    );
    await http.request({ path: '/x' });
    expect(delays).toEqual([7000]);
  });

  it('ignores a garbage Retry-After and uses the backoff', async () => {
    const delays: number[] = [];
    const { server, http } = await setup(
      (_request, response, index) =>
        index === 0
          ? sendJson(response, 429, {}, { 'retry-after': 'soon-ish' })
          : sendJson(response, 200, {}),
      { retry: fastRetry(delays) },
    );
    await http.request({ path: '/x' });
    expect(server.requests).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeLessThanOrEqual(10);
  });

  it('fails fast with retryAfterMs when the hint is above the bound', async () => {
    const delays: number[] = [];
    const { server, http } = await setup(
      (_request, response) => sendJson(response, 429, {}, { 'retry-after': '120' }),
      {
        retry: { ...fastRetry(delays), maxRetryAfterMs: 60_000 },
      },
    );
    const error = await rejectionOf(http.request({ path: '/x' }));
    expect(HttpError.isInstance(error)).toBe(true);
    expect((error as HttpError).retryAfterMs).toBe(120_000);
    expect((error as HttpError).status).toBe(429);
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });
});

describe('HttpClient network failures (F5, F12)', () => {
  it('retries a reset connection and succeeds', async () => {
    const { server, http } = await setup((request, response, index) => {
      if (index === 0) request.socket.destroy();
      else sendJson(response, 200, { ok: true });
    });
    expect((await http.request({ path: '/x' })).data).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  });

  it('reports a ConnectionError with the low-level code when resets persist', async () => {
    const { server, http } = await setup((request) => {
      request.socket.destroy();
    });
    const error = await rejectionOf(http.request({ path: '/x' }));
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']).toContain((error as ConnectionError).causeCode);
    expect((error as ConnectionError).retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
  });

  it('reports a reset in the middle of the body', async () => {
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"partial":');
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const error = await rejectionOf(http.request({ path: '/x', retry: false }));
    expect(ConnectionError.isInstance(error)).toBe(true);
  });

  it('reports a refused connection as ECONNREFUSED and retries it even for POST', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const attempts: number[] = [];
    const http = new HttpClient({
      baseUrl: `http://127.0.0.1:${port}`,
      proxy: false,
      retry: { ...fastRetry(), onRetry: (info) => attempts.push(info.attempt) },
    });
    cleanups.push(() => http.close());
    const error = await rejectionOf(http.request({ method: 'POST', path: '/x', body: {} }));
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as ConnectionError).causeCode).toBe('ECONNREFUSED');
    expect(attempts).toEqual([1, 2]);
  });

  it('times out when headers never come', async () => {
    const { http } = await setup(() => {}, { timeouts: { headersMs: 150 } });
    const startedMs = Date.now();
    const error = await rejectionOf(http.request({ path: '/x', retry: false }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as TimeoutError).retryable).toBe(true);
    expect((error as TimeoutError).timeoutMs).toBe(150);
    expect(Date.now() - startedMs).toBeLessThan(3000);
  });

  it('times out when the body stalls', async () => {
    const { http } = await setup(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{');
      },
      { timeouts: { bodyMs: 150 } },
    );
    const error = await rejectionOf(http.request({ path: '/x', retry: false }));
    expect(TimeoutError.isInstance(error)).toBe(true);
  });

  it('stops at the per-call timeoutMs across retries', async () => {
    const { http } = await setup(() => {}, { timeouts: { headersMs: 5000 } });
    const startedMs = Date.now();
    const error = await rejectionOf(http.request({ path: '/x', timeoutMs: 200 }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(Date.now() - startedMs).toBeLessThan(3000);
  });

  it('turns a caller abort into AbortError and does not retry', async () => {
    const { server, http } = await setup(() => {});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejectionOf(http.request({ path: '/x', signal: controller.signal }));
    expect(AbortError.isInstance(error)).toBe(true);
    expect((error as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(1);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 200, {}));
    const error = await rejectionOf(http.request({ path: '/x', signal: AbortSignal.abort() }));
    expect(AbortError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });
});

describe('HttpClient bodies (F13, F14)', () => {
  it('rejects a Content-Length above the cap before reading', async () => {
    const { http } = await setup(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
        response.end(`"${'x'.repeat(4998)}"`);
      },
      { maxResponseBytes: 1000 },
    );
    const error = await rejectionOf(http.request({ path: '/x' }));
    expect(ResponseTooLargeError.isInstance(error)).toBe(true);
    expect((error as ResponseTooLargeError).limitBytes).toBe(1000);
  });

  it('cuts off a chunked body at the cap and cancels it', async () => {
    let chunksWritten = 0;
    let closedEarly = false;
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.on('close', () => {
        if (!response.writableFinished) closedEarly = true;
      });
      const timer = setInterval(() => {
        if (response.destroyed || chunksWritten >= 500) {
          clearInterval(timer);
          if (!response.destroyed) response.end();
          return;
        }
        chunksWritten++;
        response.write('x'.repeat(1024));
      }, 2);
    });
    const error = await rejectionOf(http.request({ path: '/x', maxResponseBytes: 8 * 1024 }));
    expect(ResponseTooLargeError.isInstance(error)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(closedEarly).toBe(true);
    expect(chunksWritten).toBeLessThan(500);
  });

  it('reports invalid JSON without putting the body in the message', async () => {
    const canary = makeCanary();
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(`{"truncated": "${canary}`);
    });
    const error = await rejectionOf(http.request({ path: '/x' }));
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect((error as Error).message).not.toContain(canary);
    expect((error as Error).message).not.toContain('truncated');
  });

  it('reports an HTML proxy page answering 200 as a parse error, not retried', async () => {
    const { server, http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<html><body>${'Please log in to the corporate proxy. '.repeat(100)}</body></html>`);
    });
    const error = await rejectionOf(http.request({ path: '/x' }));
    expect(ResponseParseError.isInstance(error)).toBe(true);
    const parseError = error as ResponseParseError;
    expect(parseError.contentType).toBe('text/html');
    expect(parseError.message).toContain('text/html');
    expect(parseError.message).not.toContain('<html>');
    expect(parseError.bodySnippet?.length).toBeLessThanOrEqual(257);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a 415 plain-text answer as a non-retryable HttpError with a snippet', async () => {
    const { server, http } = await setup((_request, response) => {
      response.writeHead(415, { 'content-type': 'text/plain' });
      response.end('Unsupported Media Type: send application/json');
    });
    const error = await rejectionOf(http.request({ method: 'PUT', path: '/x', body: 'a' }));
    expect(HttpError.isInstance(error)).toBe(true);
    const httpError = error as HttpError;
    expect(httpError.status).toBe(415);
    expect(httpError.retryable).toBe(false);
    expect(httpError.bodySnippet).toContain('Unsupported Media Type');
    expect(server.requests).toHaveLength(1);
  });

  it('caps a huge error body in the snippet', async () => {
    const { http } = await setup((_request, response) => {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end('e'.repeat(200_000));
    });
    const error = (await rejectionOf(http.request({ path: '/x' }))) as HttpError;
    expect(error.status).toBe(400);
    expect(error.bodySnippet?.length).toBeLessThan(700);
  });

  it('validates with a schema and reports paths, never values', async () => {
    const canary = makeCanary();
    const { http } = await setup((_request, response) =>
      sendJson(response, 200, { items: [{ name: 'ok' }, { name: 42, secret: canary }], phase: canary }),
    );
    const schema = z.object({
      items: z.array(z.object({ name: z.string() })),
      phase: z.enum(['Running', 'Done']),
    });
    const error = await rejectionOf(http.request({ path: '/x', schema }));
    expect(ResponseValidationError.isInstance(error)).toBe(true);
    const validationError = error as ResponseValidationError;
    expect(validationError.issues.map((issue) => issue.path)).toEqual([['items', 1, 'name'], ['phase']]);
    expect(everythingAbout(validationError)).not.toContain(canary);
    expect(validationError.message).toContain('items[1].name');
  });

  it('types and returns data that passes the schema', async () => {
    const { http } = await setup((_request, response) => sendJson(response, 200, { name: 'demo', extra: 1 }));
    const { data } = await http.request({ path: '/x', schema: z.object({ name: z.string() }) });
    const name: string = data.name;
    expect(name).toBe('demo');
  });

  it('treats a redirect as an HttpError rather than following it', async () => {
    const { server, http } = await setup((_request, response) => {
      response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' });
      response.end();
    });
    const error = (await rejectionOf(http.request({ path: '/x' }))) as HttpError;
    expect(error.status).toBe(302);
    expect(server.requests).toHaveLength(1);
  });
});

describe('HttpClient authentication and hooks', () => {
  it('refreshes the token once after a 401 and replays', async () => {
    const oldToken = makeCanary();
    const newToken = makeCanary();
    const calls: boolean[] = [];
    const { server, http } = await setup(
      (request, response) =>
        request.headers.authorization === `Bearer ${newToken}`
          ? sendJson(response, 200, { ok: true })
          : sendJson(response, 401, { message: 'token expired' }),
      {
        tokenProvider: async ({ forceRefresh }) => {
          calls.push(forceRefresh);
          return forceRefresh ? newToken : oldToken;
        },
      },
    );
    expect((await http.request({ method: 'POST', path: '/x', body: {} })).data).toEqual({ ok: true });
    expect(calls).toEqual([false, true]);
    expect(server.requests).toHaveLength(2);
  });

  it('gives up with AuthenticationError after one refresh, never leaking the token', async () => {
    const token = makeCanary();
    const calls: boolean[] = [];
    const { server, http } = await setup(
      (request, response) =>
        sendJson(response, 401, { message: `bad token ${request.headers.authorization}` }),
      {
        tokenProvider: async ({ forceRefresh }) => {
          calls.push(forceRefresh);
          return token;
        },
      },
    );
    const error = await rejectionOf(http.request({ path: '/x' }));
    expect(AuthenticationError.isInstance(error)).toBe(true);
    expect((error as AuthenticationError).status).toBe(401);
    expect(calls).toEqual([false, true]);
    expect(server.requests).toHaveLength(2);
    expect(everythingAbout(error)).not.toContain(token);
  });

  it('maps error bodies through errorFromResponse and reports responses to onResponse', async () => {
    class ThingNotFoundError extends HttpError {
      static override readonly kind: string = 'ThingNotFoundError';
    }
    const seen: number[] = [];
    const { http } = await setup(
      (_request, response) =>
        sendJson(response, 404, { code: 5, message: 'not found' }, { 'x-renewed': 'yes' }),
      {
        onResponse: (info) => {
          seen.push(info.status);
          expect(info.headers['x-renewed']).toBe('yes');
        },
        errorFromResponse: (info) =>
          (info.bodyJson as { code?: number }).code === 5
            ? new ThingNotFoundError('thing not found', { ...info.httpErrorOptions, code: 'THING_NOT_FOUND' })
            : undefined,
      },
    );
    const error = await rejectionOf(http.request({ path: '/things/a' }));
    expect(ThingNotFoundError.isInstance(error)).toBe(true);
    expect(HttpError.isInstance(error)).toBe(true);
    expect((error as HttpError).code).toBe('THING_NOT_FOUND');
    expect((error as HttpError).status).toBe(404);
    expect(seen).toEqual([404]);
  });

  it('wraps a failing token provider in AuthenticationError', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 200, {}), {
      tokenProvider: async () => {
        throw new Error('vault unreachable');
      },
    });
    await expect(http.request({ path: '/x' })).rejects.toBeInstanceOf(AuthenticationError);
    expect(server.requests).toHaveLength(0);
  });

  it('keeps a canary from default headers out of errors', async () => {
    const canary = makeCanary();
    const { http } = await setup((_request, response) => sendJson(response, 500, { echoed: canary }), {
      headers: { Authorization: `Bearer ${canary}` },
      retry: false,
    });
    const error = await rejectionOf(http.request({ path: `/x?access_token=${canary}` }));
    expect(GitOpsKitError.isInstance(error)).toBe(true);
    expect(everythingAbout(error)).not.toContain(canary);
  });
});

describe('HttpClient.stream', () => {
  it('streams server-sent events until the caller closes', async () => {
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': keep-alive\n\n');
      response.write('event: update\ndata: {"n":1}\n\n');
      response.write('data: {"n":2}\n\n');
    });
    const stream = await http.stream({ path: '/events' });
    expect(stream.status).toBe(200);
    const received: string[] = [];
    for await (const event of readServerSentEvents(stream.body)) {
      received.push(`${event.event}:${event.data}`);
      if (received.length === 2) stream.close();
    }
    expect(received).toEqual(['update:{"n":1}', 'message:{"n":2}']);
  });

  it('aborts an open stream with AbortError', async () => {
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: first\n\n');
    });
    const controller = new AbortController();
    const stream = await http.stream({ path: '/events', signal: controller.signal });
    const error = await rejectionOf(
      (async () => {
        for await (const event of readServerSentEvents(stream.body, { signal: controller.signal })) {
          expect(event.data).toBe('first');
          controller.abort();
        }
      })(),
    );
    expect(AbortError.isInstance(error)).toBe(true);
  });

  it('ends a silent stream with TimeoutError when idleTimeoutMs is set', async () => {
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      response.write('{}\n');
    });
    const stream = await http.stream({ path: '/watch', idleTimeoutMs: 150 });
    const error = await rejectionOf(
      (async () => {
        for await (const _chunk of stream.body) {
          // drain
        }
      })(),
    );
    expect(TimeoutError.isInstance(error)).toBe(true);
  });

  it('throws HttpError when the stream cannot be opened', async () => {
    const { http } = await setup((_request, response) => sendJson(response, 403, { message: 'forbidden' }));
    const error = await rejectionOf(http.stream({ path: '/events' }));
    expect((error as HttpError).status).toBe(403);
  });
});

describe('resource hygiene (I4)', () => {
  it('leaves no sockets or call timers behind after failures and close()', async () => {
    const countHandles = () =>
      process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap' || name === 'TCPServerWrap')
        .length;
    // Let sockets from earlier tests finish closing before taking the baseline.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const baselineHandles = countHandles();
    const server = await startServer((request, response, index) => {
      if (index === 0) request.socket.destroy();
      else if (index === 1) sendJson(response, 503, {});
      else if (request.url?.includes('big')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('x'.repeat(4096));
      } else sendJson(response, 200, {});
    });
    const http = new HttpClient({ baseUrl: server.url, proxy: false, retry: fastRetry(), timeoutMs: 5000 });
    await http.request({ path: '/x' });
    await http.request({ path: '/big', maxResponseBytes: 1024 }).catch(() => undefined);
    await http.request({ path: '/x', signal: AbortSignal.abort() }).catch(() => undefined);
    await http.close();
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(countHandles()).toBeLessThanOrEqual(baselineHandles);
    const timers = process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;
    // Call deadlines (5 s here) are cleared when each call ends; nothing of ours may still be pending.
    expect(timers).toBeLessThanOrEqual(1);
  });
});

describe('HttpClient.stream opening limits', () => {
  it('limits the wait for headers with timeoutMs', async () => {
    const { http } = await setup(() => {});
    const startedMs = Date.now();
    const error = await rejectionOf(http.stream({ path: '/events', timeoutMs: 150, retry: false }));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(Date.now() - startedMs).toBeLessThan(3000);
  });

  it('retries the opening request after a 503', async () => {
    const { server, http } = await setup((_request, response, index) => {
      if (index === 0) sendJson(response, 503, {});
      else {
        response.writeHead(200, { 'content-type': 'application/x-ndjson' });
        response.end('{"type":"ADDED"}\n');
      }
    });
    const stream = await http.stream({ path: '/watch' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream.body) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('{"type":"ADDED"}\n');
    expect(server.requests).toHaveLength(2);
  });
});

describe('HttpClient misuse', () => {
  it('fails without retrying once the client is closed', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 200, {}));
    await http.request({ path: '/x' });
    await http.close();
    await http.close();
    const error = await rejectionOf(http.request({ path: '/x' }));
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as ConnectionError).retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('rejects an invalid header value as a ValidationError', async () => {
    const { server, http } = await setup((_request, response) => sendJson(response, 200, {}));
    const error = await rejectionOf(http.request({ path: '/x', headers: { 'x-bad': 'a\r\nb' } }));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(0);
  });
});

describe('HttpClient.destroy', () => {
  it('ends an open stream at once', async () => {
    const { http } = await setup((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
    });
    const stream = await http.stream({ path: '/events' });
    const startedMs = Date.now();
    const reading = (async () => {
      const seen: string[] = [];
      for await (const event of readServerSentEvents(stream.body)) {
        seen.push(event.data);
        void http.destroy();
      }
      return seen;
    })();
    const outcome = await reading.catch((error: unknown) => error);
    expect(ConnectionError.isInstance(outcome)).toBe(true);
    expect((outcome as ConnectionError).retryable).toBe(false);
    expect(Date.now() - startedMs).toBeLessThan(2000);
  });
});

describe('canary secrets through the transport (I1)', () => {
  it('never shows the token in errors or in any log line, across retries and refreshes', async () => {
    const token = makeCanary();
    const lines: string[] = [];
    const logger = {
      debug: (...args: unknown[]) => lines.push(inspect(args, { depth: 10 })),
      info: (...args: unknown[]) => lines.push(inspect(args, { depth: 10 })),
      warn: (...args: unknown[]) => lines.push(inspect(args, { depth: 10 })),
      error: (...args: unknown[]) => lines.push(inspect(args, { depth: 10 })),
    };
    const { server, http } = await setup(
      (request, response, index) => {
        const echoed = { message: `rejected ${request.headers.authorization}`, token };
        if (index === 0) sendJson(response, 401, echoed);
        else sendJson(response, 503, echoed, { 'x-echo': token, 'set-cookie': `argocd.token=${token}` });
      },
      { tokenProvider: async () => token, logger },
    );
    const error = await rejectionOf(http.request({ path: '/apps', query: { token } }));
    expect(HttpError.isInstance(error)).toBe(true);
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeGreaterThan(0);
    expect(everythingAbout(error)).not.toContain(token);
    for (const line of lines) expect(line).not.toContain(token);
  });
});
