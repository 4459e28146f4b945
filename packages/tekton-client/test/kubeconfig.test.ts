import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TektonClient } from '../src/client/tekton-client.js';
import { KubeconfigError, UnsupportedAuthProviderError } from '../src/errors/kubeconfig-errors.js';
import { loadKubeconfig } from '../src/kubeconfig/load-kubeconfig.js';
import { sendJson, statusBody, TestServer } from './helpers/http-server.js';

const canary = `canary-${Math.random().toString(36).slice(2)}`;
let directory: string;
let server: TestServer;
let url: string;
let acceptedTokens = new Set<string>();
const clients: TektonClient[] = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'tekton-kubeconfig-'));
  server = new TestServer((request, response) => {
    const auth = request.headers.authorization;
    if (auth?.startsWith('Bearer ') && !acceptedTokens.has(auth.slice(7))) {
      return sendJson(response, 401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    }
    sendJson(response, 200, {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRunList',
      metadata: { resourceVersion: '1' },
      items: [],
    });
  });
  url = await server.listen();
});
afterAll(async () => {
  await server.stop();
  rmSync(directory, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server.requests.length = 0;
  acceptedTokens = new Set();
});

function kubeconfig(
  name: string,
  options: {
    user?: Record<string, unknown>;
    cluster?: Record<string, unknown>;
    extra?: Record<string, unknown>;
    current?: string;
  } = {},
): string {
  const path = join(directory, name);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      ...(options.current === '' ? {} : { 'current-context': options.current ?? 'ctx' }),
      clusters: [{ name: 'cluster', cluster: { server: url, ...options.cluster } }],
      users: [{ name: 'user', user: options.user ?? {} }],
      contexts: [{ name: 'ctx', context: { cluster: 'cluster', user: 'user', namespace: 'ci' } }],
      ...options.extra,
    }),
  );
  return path;
}

async function listWith(path: string, extra: Parameters<typeof TektonClient.fromKubeconfig>[0] = {}) {
  const client = TektonClient.fromKubeconfig({ path, proxy: false, retry: false, ...extra });
  clients.push(client);
  await client.pipelineRuns.list();
  return server.requests.at(-1)!;
}

/** Plugins are CommonJS (`.cjs`): a stray package.json with "type": "module" above the temp directory must not matter. */
function writeExecPlugin(name: string, body: string): string {
  const path = join(directory, name);
  writeFileSync(path, `#!/usr/bin/env node\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('kubeconfig auth matrix', () => {
  it('sends a bearer token and uses the context namespace', async () => {
    acceptedTokens.add(canary);
    const request = await listWith(kubeconfig('token.yaml', { user: { token: canary } }));
    expect(request.headers.authorization).toBe(`Bearer ${canary}`);
    expect(request.path).toBe('/apis/tekton.dev/v1/namespaces/ci/pipelineruns');
  });

  it('re-reads tokenFile after a 401 (rotated projected token)', async () => {
    const tokenPath = join(directory, 'token');
    writeFileSync(tokenPath, 'old-token\n');
    acceptedTokens.add('new-token');
    const client = TektonClient.fromKubeconfig({
      path: kubeconfig('tokenfile.yaml', { user: { tokenFile: 'token' } }),
      proxy: false,
      retry: false,
    });
    clients.push(client);
    await expect(client.pipelineRuns.list()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    writeFileSync(tokenPath, 'new-token\n');
    await client.pipelineRuns.list();
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer new-token');
  });

  it('sends basic auth and impersonation headers', async () => {
    const request = await listWith(
      kubeconfig('basic.yaml', {
        user: {
          username: 'admin',
          password: canary,
          as: 'jane',
          'as-uid': '42',
          'as-groups': ['dev', 'ops'],
          'as-user-extra': { 'reason/why': ['audit'] },
        },
      }),
    );
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`admin:${canary}`).toString('base64')}`);
    expect(request.headers['impersonate-user']).toBe('jane');
    expect(request.headers['impersonate-uid']).toBe('42');
    expect(request.headers['impersonate-group']).toBe('dev, ops');
    expect(request.headers['impersonate-extra-reason%2fwhy']).toBe('audit');
  });

  it('runs an exec plugin, caches its token until expiry, and re-runs it once on 401', async () => {
    const counter = join(directory, 'exec-count');
    writeFileSync(counter, '0');
    const plugin = writeExecPlugin(
      'exec-plugin.cjs',
      `const fs = require('node:fs');
const n = Number(fs.readFileSync(${JSON.stringify(counter)}, 'utf8')) + 1;
fs.writeFileSync(${JSON.stringify(counter)}, String(n));
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential',
  status: { token: process.env.TOKEN_PREFIX + '-' + n + '-' + info.spec.cluster.server.length,
    expirationTimestamp: new Date(Date.now() + Number(process.env.TTL_MS)).toISOString() } }));`,
    );
    const path = kubeconfig('exec.yaml', {
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: './exec-plugin.cjs',
          env: [
            { name: 'TOKEN_PREFIX', value: canary },
            { name: 'TTL_MS', value: '3600000' },
          ],
          provideClusterInfo: true,
          interactiveMode: 'Never',
        },
      },
    });
    const token = (n: number) => `${canary}-${n}-${url.length}`;
    acceptedTokens.add(token(1));
    const client = TektonClient.fromKubeconfig({ path, proxy: false, retry: false });
    clients.push(client);
    await client.pipelineRuns.list();
    await client.pipelineRuns.list();
    expect(server.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${token(1)}`,
      `Bearer ${token(1)}`,
    ]);
    // The server stops accepting token 1: one 401, one plugin re-run, the call succeeds with token 2.
    acceptedTokens = new Set([token(2)]);
    await client.pipelineRuns.list();
    expect(server.requests.slice(2).map((request) => request.headers.authorization)).toEqual([
      `Bearer ${token(1)}`,
      `Bearer ${token(2)}`,
    ]);
    expect(plugin).toContain('exec-plugin.cjs');
  });

  it('re-runs an exec plugin when its credential has expired', async () => {
    const plugin = writeExecPlugin(
      'expiring-plugin.cjs',
      `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential',
  status: { token: 'tok-' + process.hrtime.bigint(), expirationTimestamp: new Date(Date.now() - 1000).toISOString() } }));`,
    );
    const path = kubeconfig('expiring.yaml', {
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } },
    });
    const client = TektonClient.fromKubeconfig({ path, proxy: false, retry: false });
    clients.push(client);
    acceptedTokens = new Set();
    const seen: string[] = [];
    server.setHandler((request, response) => {
      seen.push(request.headers.authorization ?? '');
      sendJson(response, 200, { metadata: {}, items: [] });
    });
    await client.pipelineRuns.list();
    await client.pipelineRuns.list();
    expect(new Set(seen).size).toBe(2);
    server.setHandler((request, response) => {
      const auth = request.headers.authorization;
      if (auth?.startsWith('Bearer ') && !acceptedTokens.has(auth.slice(7)))
        return sendJson(response, 401, statusBody(401, 'Unauthorized', 'no'));
      sendJson(response, 200, { metadata: {}, items: [] });
    });
  });

  it('merges several KUBECONFIG files: first definition and first current-context win, paths resolve per file', () => {
    writeFileSync(join(directory, 'ca.pem'), 'CA FROM FILE');
    const first = join(directory, 'first.yaml');
    const second = join(directory, 'second.yaml');
    writeFileSync(
      first,
      stringify({
        'current-context': 'a',
        clusters: [
          { name: 'shared', cluster: { server: 'https://first.example', 'certificate-authority': 'ca.pem' } },
        ],
        contexts: [{ name: 'a', context: { cluster: 'shared' } }],
      }),
    );
    writeFileSync(
      second,
      stringify({
        'current-context': 'b',
        clusters: [{ name: 'shared', cluster: { server: 'https://second.example' } }],
        contexts: [{ name: 'b', context: { cluster: 'shared', namespace: 'two' } }],
        users: [{ name: 'u', user: { token: 'x' } }],
      }),
    );
    const env = { KUBECONFIG: [first, join(directory, 'missing.yaml'), second, first].join(delimiter) };
    const resolved = loadKubeconfig({ env });
    expect(resolved).toMatchObject({
      contextName: 'a',
      server: 'https://first.example',
      namespace: 'default',
      tls: { ca: 'CA FROM FILE' },
    });
    expect(resolved.files).toEqual([first, second]);
    expect(loadKubeconfig({ env, context: 'b' })).toMatchObject({
      server: 'https://first.example',
      namespace: 'two',
    });
  });

  // insecure-skip-tls-verify with a CA is refused (test/kubeconfig-validation.test.ts); here only -data over files.
  it('prefers -data over files, and reads tls-server-name and client certificates', () => {
    writeFileSync(join(directory, 'client.crt'), 'CERT FROM FILE');
    writeFileSync(join(directory, 'client.key'), canary);
    const path = kubeconfig('tls.yaml', {
      cluster: {
        'certificate-authority': 'nope.pem',
        'certificate-authority-data': Buffer.from('CA DATA').toString('base64'),
        'tls-server-name': 'kubernetes.default',
      },
      user: { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    });
    expect(loadKubeconfig({ path }).tls).toEqual({
      ca: 'CA DATA',
      cert: 'CERT FROM FILE',
      key: canary,
      servername: 'kubernetes.default',
    });
  });

  it('refuses auth-provider users with a typed error instead of sending anonymous requests', () => {
    const path = kubeconfig('oidc.yaml', {
      user: { 'auth-provider': { name: 'oidc', config: { 'id-token': canary } } },
    });
    expect(() => TektonClient.fromKubeconfig({ path })).toThrow(UnsupportedAuthProviderError);
    try {
      TektonClient.fromKubeconfig({ path });
    } catch (error) {
      expect((error as UnsupportedAuthProviderError).code).toBe('UNSUPPORTED_AUTH_PROVIDER');
      expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain(canary);
    }
  });

  it("sends every request through the cluster's proxy-url; an explicit proxy option wins; socks5 is refused", async () => {
    const seen: string[] = [];
    const proxy = createServer((request, response) => {
      // Absolute-form request (plain-http proxying).
      seen.push(`${request.method} ${request.url}`);
      const target = new URL(request.url ?? '');
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: request.method,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
    });
    const tunnels = new Set<Socket>();
    proxy.on('connect', (request, socket, head) => {
      seen.push(`CONNECT ${request.url}`);
      tunnels.add(socket as Socket);
      const [host, port] = String(request.url).split(':');
      const upstream = connect(Number(port), host as string, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://proxy-user:${canary}@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      acceptedTokens.add(canary);
      const path = kubeconfig('proxy.yaml', { user: { token: canary }, cluster: { 'proxy-url': proxyUrl } });
      expect(loadKubeconfig({ path }).proxyUrl).toBe(proxyUrl);
      const viaProxy = TektonClient.fromKubeconfig({ path, retry: false });
      clients.push(viaProxy);
      await viaProxy.pipelineRuns.list();
      const host = new URL(url).host;
      expect(seen.some((line) => line.includes(host))).toBe(true);
      expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${canary}`);

      seen.length = 0;
      const direct = TektonClient.fromKubeconfig({ path, retry: false, proxy: false });
      clients.push(direct);
      await direct.pipelineRuns.list();
      expect(seen).toEqual([]);

      const socks = kubeconfig('socks.yaml', { cluster: { 'proxy-url': 'socks5://127.0.0.1:1080' } });
      expect(() => loadKubeconfig({ path: socks })).toThrow(KubeconfigError);
      expect(() => loadKubeconfig({ path: socks })).toThrow(/socks5 proxy-url; only http and https/);
    } finally {
      for (const tunnel of tunnels) tunnel.destroy();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('reports unknown contexts and missing files as KubeconfigError', () => {
    expect(() => loadKubeconfig({ path: kubeconfig('ctx.yaml'), context: 'nope' })).toThrow(KubeconfigError);
    expect(() => loadKubeconfig({ path: join(directory, 'absent.yaml') })).toThrow(/cannot read kubeconfig/);
    expect(() => loadKubeconfig({ path: kubeconfig('nocurrent.yaml', { current: '' }) })).toThrow(
      /no current-context/,
    );
  });

  it('builds an in-cluster client from the service account and re-reads its token', async () => {
    const serviceAccount = join(directory, 'sa');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(serviceAccount, { recursive: true });
    writeFileSync(join(serviceAccount, 'token'), 'sa-token-1');
    writeFileSync(join(serviceAccount, 'ca.crt'), 'CA');
    writeFileSync(join(serviceAccount, 'namespace'), 'builds\n');
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(server.port) };
    const client = TektonClient.inCluster({
      serviceAccountDirectory: serviceAccount,
      env,
      tokenFileRefreshMs: 0,
    });
    clients.push(client);
    expect(client.namespace).toBe('builds');
    // The in-cluster server is https; just check what would be sent through the resolved config.
    const { loadInClusterConfig } = await import('../src/kubeconfig/in-cluster.js');
    expect(loadInClusterConfig({ serviceAccountDirectory: serviceAccount, env })).toMatchObject({
      server: `https://127.0.0.1:${server.port}`,
      tls: { ca: 'CA' },
    });
    const { tokenFileProvider } = await import('../src/kubeconfig/token-providers.js');
    const provider = tokenFileProvider(join(serviceAccount, 'token'), { refreshIntervalMs: 0 });
    expect(await provider({ forceRefresh: false })).toBe('sa-token-1');
    writeFileSync(join(serviceAccount, 'token'), 'sa-token-2');
    expect(await provider({ forceRefresh: false })).toBe('sa-token-2');
  });

  it('never leaks the canary into errors or log output', async () => {
    const path = kubeconfig('leak.yaml', { user: { token: canary } });
    const logged: string[] = [];
    const capture = (...parts: unknown[]) => logged.push(inspect(parts, { depth: Number.POSITIVE_INFINITY }));
    const logger = { debug: capture, info: capture, warn: capture, error: capture };
    const client = TektonClient.fromKubeconfig({ path, proxy: false, retry: false, logger });
    clients.push(client);
    const error = await client.pipelineRuns.list().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain(canary);
    expect(JSON.stringify(error)).not.toContain(canary);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(canary);
  });
});

describe('exec plugin failures', () => {
  it('reports a failing plugin by exit code without its stderr, and a missing one with the install hint', async () => {
    const plugin = writeExecPlugin(
      'failing-plugin.cjs',
      `process.stderr.write('token=${canary}'); process.exit(3);`,
    );
    const path = kubeconfig('failing.yaml', {
      user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } },
    });
    const client = TektonClient.fromKubeconfig({ path, proxy: false, retry: false });
    clients.push(client);
    const error = await client.pipelineRuns.list().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'EXEC_CREDENTIAL_FAILED' });
    expect((error as Error).message).toContain('exit code 3');
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain(canary);
    const missing = kubeconfig('missing-plugin.yaml', {
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: 'no-such-plugin-xyz',
          installHint: 'install it with brew',
        },
      },
    });
    const other = TektonClient.fromKubeconfig({ path: missing, proxy: false, retry: false });
    clients.push(other);
    await expect(other.pipelineRuns.list()).rejects.toThrow(/not found\. install it with brew/);
  });
});
