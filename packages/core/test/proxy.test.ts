import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, GitOpsKitError, HttpClient, hasProxyEnvironment } from '../src/index.js';
import { sendJson, startServer } from './helpers/loopback-server.js';
import { makeCanary } from './helpers/seeded-random.js';

interface ConnectProxy {
  url: string;
  targets: string[];
  authorizations: Array<string | undefined>;
  close(): Promise<void>;
}

/** A minimal HTTP CONNECT proxy on loopback; it only tunnels to 127.0.0.1 and can demand a password. */
async function startConnectProxy(requiredAuthorization?: string): Promise<ConnectProxy> {
  const targets: string[] = [];
  const authorizations: Array<string | undefined> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > 16_384) client.destroy();
        return;
      }
      client.off('data', onData);
      const [requestLine = '', ...headerLines] = head.slice(0, end).split('\r\n');
      const authorization = headerLines
        .find((line) => line.toLowerCase().startsWith('proxy-authorization:'))
        ?.slice('proxy-authorization:'.length)
        .trim();
      authorizations.push(authorization);
      const [method, target = ''] = requestLine.split(' ');
      targets.push(target);
      if (requiredAuthorization !== undefined && authorization !== requiredAuthorization) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const [host, port] = target.split(':');
      if (method !== 'CONNECT' || host !== '127.0.0.1') {
        client.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = connect(Number(port), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        const rest = Buffer.from(head.slice(end + 4), 'latin1');
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    authorizations,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function withEnvironment(values: Record<string, string | undefined>): void {
  const saved: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(values)) {
    saved[name] = process.env[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  cleanups.push(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

const noProxyVariables = {
  HTTP_PROXY: undefined,
  http_proxy: undefined,
  HTTPS_PROXY: undefined,
  https_proxy: undefined,
  NO_PROXY: undefined,
  no_proxy: undefined,
};

describe('proxy support', () => {
  it('tunnels through an explicit proxy', async () => {
    const target = await startServer((_request, response) => sendJson(response, 200, { via: 'proxy' }));
    const proxy = await startConnectProxy();
    cleanups.push(
      () => target.close(),
      () => proxy.close(),
    );
    const http = new HttpClient({ baseUrl: target.url, proxy: { url: proxy.url } });
    cleanups.push(() => http.close());
    expect((await http.request({ path: '/x' })).data).toEqual({ via: 'proxy' });
    expect(proxy.targets).toEqual([new URL(target.url).host]);
  });

  it('uses HTTP_PROXY from the environment by default, and NO_PROXY bypasses it', async () => {
    const target = await startServer((_request, response) => sendJson(response, 200, {}));
    const proxy = await startConnectProxy();
    cleanups.push(
      () => target.close(),
      () => proxy.close(),
    );
    withEnvironment({ ...noProxyVariables, HTTP_PROXY: proxy.url });
    expect(hasProxyEnvironment()).toBe(true);
    const proxied = new HttpClient({ baseUrl: target.url });
    cleanups.push(() => proxied.close());
    await proxied.request({ path: '/x' });
    expect(proxy.targets).toHaveLength(1);

    withEnvironment({ NO_PROXY: '127.0.0.1' });
    const direct = new HttpClient({ baseUrl: target.url });
    cleanups.push(() => direct.close());
    await direct.request({ path: '/y' });
    expect(proxy.targets).toHaveLength(1);
    expect(target.requests).toHaveLength(2);

    const never = new HttpClient({ baseUrl: target.url, proxy: false });
    cleanups.push(() => never.close());
    withEnvironment({ NO_PROXY: undefined });
    await never.request({ path: '/z' });
    expect(proxy.targets).toHaveLength(1);
  });

  it('sends proxy credentials and keeps them out of errors', async () => {
    const password = makeCanary();
    const target = await startServer((_request, response) => sendJson(response, 200, {}));
    const proxy = await startConnectProxy('Basic wrong');
    cleanups.push(
      () => target.close(),
      () => proxy.close(),
    );
    const http = new HttpClient({
      baseUrl: target.url,
      proxy: { url: `http://user:${password}@${new URL(proxy.url).host}` },
      retry: false,
    });
    cleanups.push(() => http.close());
    const error = await http.request({ path: '/x' }).catch((caught: unknown) => caught);
    expect(GitOpsKitError.isInstance(error)).toBe(true);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect((error as ConnectionError).causeCode).toBe('PROXY_STATUS_407');
    expect((error as ConnectionError).retryable).toBe(false);
    expect(proxy.authorizations[0]).toBe(`Basic ${Buffer.from(`user:${password}`).toString('base64')}`);
    const text = `${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`;
    expect(text).not.toContain(password);
  });
});
