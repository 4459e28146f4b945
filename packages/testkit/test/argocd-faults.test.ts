import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDEmulator, createArgoCDSwaggerValidator } from '../src/argocd/index.js';
import { application, call, eventually, login } from './argocd-test-helpers.js';

const REPO = 'https://git.example.invalid/org/faults.git';

describe('ArgoCDEmulator fault hooks', () => {
  let emulator: ArgoCDEmulator;
  let token: string;

  beforeAll(async () => {
    emulator = await ArgoCDEmulator.start({ reconciliationIntervalMs: 0, syncDurationMs: 20 });
    emulator.seedRepositoryCommit(REPO, {
      files: { 'helm/my-values.yaml': 'image: {repository: web, tag: v1}\n' },
    });
    emulator.seedApplication(application('web', REPO));
    token = await login(emulator);
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('answers 503 N times on one route, then recovers', async () => {
    const fault = emulator.addFault({
      kind: 'status',
      status: 503,
      times: 2,
      match: { method: 'GET', path: '/api/v1/applications/web' },
    });
    const first = await call(emulator, 'GET', '/api/v1/applications/web', { token });
    expect(first.status).toBe(503);
    expect(first.json).toMatchObject({ code: 14 });
    expect((await call(emulator, 'GET', '/api/v1/applications', { token })).status).toBe(200);
    expect((await call(emulator, 'GET', '/api/v1/applications/web', { token })).status).toBe(503);
    expect((await call(emulator, 'GET', '/api/v1/applications/web', { token })).status).toBe(200);
    expect(fault.hits).toBe(2);
    expect(fault.remaining).toBe(0);
  });

  it('sends 429 with a Retry-After header', async () => {
    emulator.addFault({
      kind: 'status',
      status: 429,
      retryAfter: '2',
      match: { path: '/api/v1/applications*' },
    });
    const response = await call(emulator, 'GET', '/api/v1/applications', { token });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.json).toMatchObject({ code: 8 });
  });

  it('delays headers or the body', async () => {
    emulator.addFault({ kind: 'delay', delayMs: 250, match: { path: '/api/version' } });
    const started = Date.now();
    await call(emulator, 'GET', '/api/version');
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    // The server holds the body back: the whole exchange cannot take less than the delay (a loaded machine only
    // makes it longer), and the status line and headers are already there while the body is still held.
    emulator.addFault({ kind: 'delay', delayMs: 250, phase: 'body', match: { path: '/api/version' } });
    const bodyStarted = Date.now();
    const response = await fetch(`${emulator.url}/api/version`, { signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(Date.now() - bodyStarted).toBeGreaterThanOrEqual(240);
    expect(body.length).toBeGreaterThan(0);
  });

  it('resets the connection, and serves raw non-JSON bodies (proxy pages)', async () => {
    emulator.addFault({ kind: 'reset', match: { path: '/api/version' } });
    await expect(
      fetch(`${emulator.url}/api/version`, { signal: AbortSignal.timeout(5_000) }),
    ).rejects.toThrow();
    emulator.addFault({
      kind: 'raw',
      status: 200,
      headers: { 'Content-Type': 'text/html' },
      body: '<html>proxy login</html>',
      match: { path: '/api/version' },
    });
    const response = await call(emulator, 'GET', '/api/version');
    expect(response.text).toBe('<html>proxy login</html>');
    expect(response.headers.get('content-length')).toBe('24');
    emulator.addFault({
      kind: 'raw',
      status: 200,
      body: 'x'.repeat(100_000),
      chunked: true,
      match: { path: '/api/version' },
    });
    const chunked = await call(emulator, 'GET', '/api/version');
    expect(chunked.headers.get('transfer-encoding')).toBe('chunked');
    expect(chunked.text).toHaveLength(100_000);
  });

  it('applies a sync and then fails the response (an ambiguous 502), so the operation exists', async () => {
    emulator.addFault({
      kind: 'status',
      status: 502,
      afterHandling: true,
      match: { method: 'POST', path: '/api/v1/applications/web/sync' },
    });
    const response = await call(emulator, 'POST', '/api/v1/applications/web/sync', {
      token,
      body: { infos: [{ name: 'request-id', value: 'abc' }] },
    });
    expect(response.status).toBe(502);
    await eventually(
      () => emulator.getApplication('web')?.status?.operationState?.operation.info?.[0]?.value === 'abc',
      5_000,
      'operation recorded',
    );
  });

  it('records requests without headers or bodies', async () => {
    const before = emulator.requests.length;
    await call(emulator, 'GET', '/api/v1/applications?projects=default', { token });
    const record = emulator.requests[before];
    expect(record).toMatchObject({
      method: 'GET',
      path: '/api/v1/applications',
      query: '?projects=default',
      status: 200,
      authenticated: true,
    });
    expect(JSON.stringify(record)).not.toContain(token);
  });

  it('keeps every application it serves valid as an update body (the emulator speaks its own swagger)', async () => {
    await eventually(() => emulator.getApplication('web')?.status?.history?.length, 5_000, 'history');
    const validator = createArgoCDSwaggerValidator();
    const app = (await call(emulator, 'GET', '/api/v1/applications/web', { token })).json;
    const result = validator.validateRequest({ method: 'PUT', path: '/api/v1/applications/web', body: app });
    expect(result.issues).toEqual([]);
    const tree = await call(emulator, 'GET', '/api/v1/applications/web/resource-tree', { token });
    expect((tree.json as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
  });
});

describe('ArgoCDEmulator over TLS (self-signed)', () => {
  it('fails certificate verification by default and works when the CA is trusted', async () => {
    const emulator = await ArgoCDEmulator.start({ tls: true, reconciliationIntervalMs: 0 });
    try {
      expect(emulator.url.startsWith('https://127.0.0.1:')).toBe(true);
      await expect(
        undiciFetch(`${emulator.url}/api/version`, { signal: AbortSignal.timeout(5_000) }),
      ).rejects.toThrow();
      const trusting = new Agent({ connect: { ca: emulator.caCertificate ?? '' } });
      try {
        const response = await undiciFetch(`${emulator.url}/api/version`, {
          dispatcher: trusting,
          signal: AbortSignal.timeout(5_000),
        });
        expect(await response.json()).toEqual({ Version: 'v3.5.1+emulator' });
        const session = await undiciFetch(`${emulator.url}/api/v1/session`, {
          dispatcher: trusting,
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: 'password' }),
        });
        expect(session.headers.get('set-cookie')).toContain('Secure');
      } finally {
        await trusting.close();
      }
      expect(
        await login({ url: emulator.url.replace('https', 'http') } as ArgoCDEmulator).catch(() => 'refused'),
      ).toBe('refused');
    } finally {
      await emulator.stop();
    }
  });
});
