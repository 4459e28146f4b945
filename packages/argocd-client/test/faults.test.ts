import {
  AuthenticationError,
  ConnectionError,
  ResponseParseError,
  ResponseTooLargeError,
  silentLogger,
  TimeoutError,
} from '@gitops-kit/core';
import { ArgoCDEmulator } from '@gitops-kit/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgoCDApiError, ArgoCDClient, OperationInProgressError, SYNC_ID_INFO_NAME } from '../src/index.js';
import { type Fixture, recordingLogger, startFixture } from './helpers.js';

const APP_PATH = '/api/v1/applications/web';
const SYNC_PATH = '/api/v1/applications/web/sync';

function count(fixture: Fixture, method: string, path: string): number {
  return fixture.emulator.requests.filter((request) => request.method === method && request.path === path)
    .length;
}

function expectNoSecret(value: unknown, secret: string): void {
  const text =
    value instanceof Error
      ? `${value.message}\n${value.stack}\n${JSON.stringify(value)}`
      : JSON.stringify(value);
  expect(text).not.toContain(secret);
}

describe('fault matrix (reliability-and-style.md Part B8)', () => {
  let fixture: Fixture;
  afterEach(async () => {
    await fixture.close();
  });

  it('F1: retries a GET after 5xx answers, with bounded jittered delays', async () => {
    const delays: number[] = [];
    fixture = await startFixture(
      {},
      {
        retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40, sleep: async (ms) => void delays.push(ms) },
      },
    );
    await fixture.client.applications.get('web');
    const before = count(fixture, 'GET', APP_PATH);
    fixture.emulator.addFault({
      kind: 'status',
      status: 503,
      times: 2,
      match: { method: 'GET', path: APP_PATH },
    });
    const app = await fixture.client.applications.get('web');
    expect(app.metadata.name).toBe('web');
    expect(count(fixture, 'GET', APP_PATH) - before).toBe(3);
    expect(delays).toHaveLength(2);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThanOrEqual(10);
    expect(delays[1]).toBeLessThanOrEqual(20);
  });

  it('F2: stops at maxAttempts with a retryable ArgoCDApiError', async () => {
    fixture = await startFixture({}, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 } });
    fixture.emulator.addFault({
      kind: 'status',
      status: 503,
      times: 10,
      match: { method: 'GET', path: APP_PATH },
    });
    const error = await fixture.client.applications.get('web').catch((caught: unknown) => caught);
    expect(ArgoCDApiError.isInstance(error)).toBe(true);
    expect((error as ArgoCDApiError).status).toBe(503);
    expect((error as ArgoCDApiError).attempts).toBe(3);
    expect((error as ArgoCDApiError).retryable).toBe(true);
  });

  it('F3: honours Retry-After within the bound and fails fast above it', async () => {
    const delays: number[] = [];
    fixture = await startFixture(
      {},
      {
        retry: {
          maxAttempts: 3,
          baseDelayMs: 1,
          maxRetryAfterMs: 5_000,
          sleep: async (ms) => void delays.push(ms),
        },
      },
    );
    fixture.emulator.addFault({
      kind: 'status',
      status: 429,
      retryAfter: '2',
      match: { method: 'GET', path: APP_PATH },
    });
    await fixture.client.applications.get('web');
    expect(delays[0]).toBeGreaterThanOrEqual(2_000);
    fixture.emulator.addFault({
      kind: 'status',
      status: 429,
      retryAfter: '3600',
      match: { method: 'GET', path: APP_PATH },
    });
    const error = await fixture.client.applications.get('web').catch((caught: unknown) => caught);
    expect((error as ArgoCDApiError).status).toBe(429);
    expect((error as ArgoCDApiError).retryAfterMs).toBe(3_600_000);
    expect(delays).toHaveLength(1);
  });

  it('F4: a 5xx after the server accepted the sync is adopted, not re-sent', async () => {
    fixture = await startFixture();
    fixture.emulator.setNextOperationDuration('web', 2_000);
    fixture.emulator.addFault({
      kind: 'status',
      status: 503,
      afterHandling: true,
      match: { method: 'POST', path: SYNC_PATH },
    });
    const app = await fixture.client.applications.sync('web', { infos: { reason: 'test' } });
    expect(count(fixture, 'POST', SYNC_PATH)).toBe(1);
    const infos = [...(app.operation?.info ?? []), ...(app.status?.operationState?.operation?.info ?? [])];
    expect(infos.some((info) => info.name === SYNC_ID_INFO_NAME)).toBe(true);
  });

  it('F4: a 5xx before the server did anything allows exactly one more POST', async () => {
    fixture = await startFixture();
    fixture.emulator.addFault({ kind: 'status', status: 503, match: { method: 'POST', path: SYNC_PATH } });
    const app = await fixture.client.applications.sync('web');
    expect(count(fixture, 'POST', SYNC_PATH)).toBe(2);
    expect(app.operation?.sync).toBeDefined();
    fixture.emulator.addFault({
      kind: 'status',
      status: 503,
      times: 5,
      match: { method: 'POST', path: SYNC_PATH },
    });
    await fixture.client.applications.wait('web', { timeoutMs: 10_000 });
    const error = await fixture.client.applications.sync('web').catch((caught: unknown) => caught);
    expect((error as ArgoCDApiError).status).toBe(503);
    expect(count(fixture, 'POST', SYNC_PATH)).toBe(4);
  });

  it('F5: a reset connection is retried for GET and adopted for sync', async () => {
    fixture = await startFixture();
    fixture.emulator.addFault({ kind: 'reset', match: { method: 'GET', path: APP_PATH } });
    expect((await fixture.client.applications.get('web')).metadata.name).toBe('web');
    fixture.emulator.setNextOperationDuration('web', 2_000);
    fixture.emulator.addFault({
      kind: 'reset',
      afterHandling: true,
      match: { method: 'POST', path: SYNC_PATH },
    });
    await fixture.client.applications.sync('web');
    expect(count(fixture, 'POST', SYNC_PATH)).toBe(1);
    fixture.emulator.addFault({ kind: 'reset', times: 10, match: { method: 'GET', path: APP_PATH } });
    const error = await fixture.client.applications.get('web').catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(error)).toBe(true);
  });

  it('F12: a server that never sends headers times out', async () => {
    fixture = await startFixture({}, { timeouts: { headersMs: 200 }, retry: false });
    fixture.emulator.addFault({
      kind: 'delay',
      delayMs: 2_000,
      phase: 'headers',
      match: { method: 'GET', path: APP_PATH },
    });
    const error = await fixture.client.applications.get('web').catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(error)).toBe(true);
  });

  it('F13: HTML with 200, truncated JSON and non-JSON error bodies are typed errors', async () => {
    fixture = await startFixture({}, { retry: false });
    fixture.emulator.addFault({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html>login</html>',
      match: { path: APP_PATH },
    });
    expect(
      ResponseParseError.isInstance(await fixture.client.applications.get('web').catch((e: unknown) => e)),
    ).toBe(true);
    fixture.emulator.addFault({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"metadata":{"na',
      match: { path: APP_PATH },
    });
    expect(
      ResponseParseError.isInstance(await fixture.client.applications.get('web').catch((e: unknown) => e)),
    ).toBe(true);
    fixture.emulator.addFault({
      kind: 'raw',
      status: 500,
      headers: { 'content-type': 'application/json' },
      body: 'null',
      match: { path: APP_PATH },
    });
    const nullBody = (await fixture.client.applications
      .get('web')
      .catch((e: unknown) => e)) as ArgoCDApiError;
    expect(nullBody.status).toBe(500);
    expect(nullBody.grpcCode).toBeUndefined();
    fixture.emulator.addFault({
      kind: 'raw',
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: `<html>${'x'.repeat(5000)}</html>`,
      match: { path: APP_PATH },
    });
    const proxy = (await fixture.client.applications.get('web').catch((e: unknown) => e)) as ArgoCDApiError;
    expect(proxy.message).toContain('non-JSON');
    expect((proxy.bodySnippet ?? '').length).toBeLessThan(1_000);
  });

  it('F13: a missing JSON content type is what the server would reject with 415', async () => {
    fixture = await startFixture({}, { retry: false });
    const response = await fetch(`${fixture.emulator.url}/api/v1/session`, { method: 'DELETE' });
    expect(response.status).toBe(415);
    await fixture.client.session.logout(); // the client always sends application/json, DELETE included
  });

  it('F14: an oversized body is rejected early', async () => {
    fixture = await startFixture({}, { maxResponseBytes: 4_096, retry: false });
    fixture.emulator.addFault({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: 'x'.repeat(10_000) }),
      match: { path: '/api/v1/applications' },
    });
    expect(
      ResponseTooLargeError.isInstance(await fixture.client.applications.list().catch((e: unknown) => e)),
    ).toBe(true);
  });

  it('F18: an expired session is renewed by exactly one login; the canary password never leaks', async () => {
    const logger = recordingLogger();
    fixture = await startFixture({}, { logger });
    await fixture.client.applications.get('web');
    const logins = fixture.emulator.loginRequestCount;
    fixture.emulator.expireTokens();
    await fixture.client.applications.get('web');
    expect(fixture.emulator.loginRequestCount).toBe(logins + 1);
    expect(logger.lines.join('\n')).not.toContain(fixture.password);
  });

  it('F18: wrong credentials fail once and are never retried into a lock-out', async () => {
    fixture = await startFixture();
    const logger = recordingLogger();
    const wrong = `${fixture.password}-wrong`;
    const client = new ArgoCDClient({
      server: fixture.emulator.url,
      auth: { username: 'admin', password: wrong },
      logger,
    });
    try {
      const first = await client.applications.get('web').catch((e: unknown) => e);
      const second = await client.applications.list().catch((e: unknown) => e);
      expect(AuthenticationError.isInstance(first)).toBe(true);
      expect(AuthenticationError.isInstance(second)).toBe(true);
      expect(fixture.emulator.loginRequestCount).toBe(1);
      for (const value of [first, second, logger.lines]) expectNoSecret(value, wrong);
    } finally {
      await client.close();
    }
  });

  it('F18: a static token that expired is an AuthenticationError at once', async () => {
    fixture = await startFixture();
    const token = fixture.emulator.issueToken('admin');
    const client = new ArgoCDClient({ server: fixture.emulator.url, auth: { token }, logger: silentLogger });
    try {
      fixture.emulator.expireTokens();
      const error = await client.applications.get('web').catch((e: unknown) => e);
      expect(AuthenticationError.isInstance(error)).toBe(true);
      expectNoSecret(error, token);
      expect(fixture.emulator.loginRequestCount).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('F18: picks up renewed session tokens (Grpc-Metadata-Renew-Token)', async () => {
    // JWT expiry has whole-second resolution: a 3 s session renewed on every call.
    fixture = await startFixture({ sessionDurationMs: 3_000, renewBeforeExpiryMs: 2_990 });
    await fixture.client.applications.get('web');
    const logins = fixture.emulator.loginRequestCount;
    // Four calls 1 s apart outlive the first token; each answer carries a renewed one.
    for (let call = 0; call < 4; call++) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await fixture.client.applications.get('web');
    }
    expect(fixture.emulator.loginRequestCount).toBe(logins);
  });

  it('F19: another operation in progress → OperationInProgressError, or wait for it', async () => {
    fixture = await startFixture();
    fixture.emulator.startOperation('web');
    const error = await fixture.client.applications.sync('web').catch((e: unknown) => e);
    expect(OperationInProgressError.isInstance(error), String(error)).toBe(true);
    expect((error as OperationInProgressError).applicationName).toBe('web');
    setTimeout(() => void fixture.emulator.finishOperation('web'), 300);
    const app = await fixture.client.applications.sync('web', {
      waitForOperation: true,
      operationWaitTimeoutMs: 10_000,
    });
    expect(app.operation?.sync).toBeDefined();
  });
});

describe('F24: TLS', () => {
  it('rejects a self-signed certificate by default, accepts it with a CA or explicit insecureSkipVerify', async () => {
    const emulator = await ArgoCDEmulator.start({ tls: true });
    const logger = recordingLogger();
    const strict = new ArgoCDClient({ server: emulator.url, logger: silentLogger, retry: false });
    const trusting = new ArgoCDClient({
      server: emulator.url,
      tls: { ca: emulator.caCertificate },
      logger: silentLogger,
    });
    const insecure = new ArgoCDClient({ server: emulator.url, tls: { insecureSkipVerify: true }, logger });
    try {
      expect(emulator.url.startsWith('https://')).toBe(true);
      const error = await strict.version().catch((e: unknown) => e);
      expect(ConnectionError.isInstance(error)).toBe(true);
      expect((await trusting.version()).Version).toContain('v3');
      expect((await insecure.version()).Version).toContain('v3');
      expect(logger.lines.filter((line) => line.startsWith('warn')).length).toBe(1);
    } finally {
      await Promise.all([strict.close(), trusting.close(), insecure.close()]);
      await emulator.stop();
    }
  });
});
