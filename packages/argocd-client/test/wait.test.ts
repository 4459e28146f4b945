import { AbortError, AuthenticationError, silentLogger } from '@gitops-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ArgoCDClient, WaitFailedError, type WaitProgress, WaitTimeoutError } from '../src/index.js';
import { type Fixture, startFixture } from './helpers.js';

function streamRequests(fixture: Fixture): number {
  return fixture.emulator.requests.filter((request) => request.path === '/api/v1/stream/applications').length;
}
function getRequests(fixture: Fixture): number {
  return fixture.emulator.requests.filter(
    (request) => request.method === 'GET' && request.path === '/api/v1/applications/web',
  ).length;
}

describe('applications.wait', () => {
  let fixture: Fixture;
  afterEach(async () => {
    await fixture.close();
  });

  it('returns at once, from one GET, when the app is already done', async () => {
    fixture = await startFixture();
    await fixture.client.applications.sync('web');
    await fixture.client.applications.wait('web', { timeoutMs: 10_000 });
    const streamsBefore = streamRequests(fixture);
    const getsBefore = getRequests(fixture);
    const result = await fixture.client.applications.wait('web', { timeoutMs: 10_000 });
    expect(result.observations).toBe(1);
    expect(streamRequests(fixture)).toBe(streamsBefore);
    expect(getRequests(fixture)).toBe(getsBefore + 1);
  });

  it('resolves when the final state is only visible in a reconnect snapshot', async () => {
    fixture = await startFixture();
    // Every stream connection dies right after its first message (the snapshot the server sends on connect)…
    fixture.emulator.addFault({
      kind: 'stream-drop',
      afterEvents: 1,
      times: 50,
      match: { path: '/api/v1/stream/applications' },
    });
    fixture.emulator.scriptHealth({ app: 'web', kind: 'Deployment' }, [
      { status: 'Progressing', forMs: 300 },
      { status: 'Healthy' },
    ]);
    await fixture.client.applications.sync('web');
    const sources: string[] = [];
    const result = await fixture.client.applications.wait('web', {
      timeoutMs: 15_000,
      backoff: { baseDelayMs: 20, maxDelayMs: 100 },
      onProgress: (progress) => {
        sources.push(progress.source);
        // …and after the first GET every fallback re-GET fails, so only a reconnect snapshot can end the wait.
        if (sources.length === 1) {
          fixture.emulator.addFault({
            kind: 'status',
            status: 503,
            times: 1_000,
            match: { method: 'GET', path: '/api/v1/applications/web' },
          });
        }
      },
    });
    expect(result.application.status?.health?.status).toBe('Healthy');
    expect(sources[0]).toBe('get');
    expect(sources.at(-1)).toBe('stream');
    expect(streamRequests(fixture)).toBeGreaterThan(1);
  });

  it('fails fast when a resource transitions to Degraded', async () => {
    fixture = await startFixture();
    fixture.emulator.scriptHealth({ app: 'web', kind: 'Deployment' }, [
      { status: 'Progressing', forMs: 300 },
      { status: 'Degraded', message: 'ProgressDeadlineExceeded' },
    ]);
    await fixture.client.applications.sync('web');
    const startedAt = Date.now();
    const error = await fixture.client.applications
      .wait('web', { timeoutMs: 15_000 })
      .catch((caught: unknown) => caught);
    expect(WaitFailedError.isInstance(error)).toBe(true);
    expect((error as WaitFailedError).reason).toBe('degraded');
    expect((error as WaitFailedError).message).toContain('Degraded');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('fails fast when the operation fails', async () => {
    fixture = await startFixture();
    fixture.emulator.failNextSync('web', 'one or more objects failed to apply');
    await fixture.client.applications.sync('web');
    const error = await fixture.client.applications
      .wait('web', { timeoutMs: 15_000 })
      .catch((caught: unknown) => caught);
    expect(WaitFailedError.isInstance(error)).toBe(true);
    expect((error as WaitFailedError).reason).toBe('operation-failed');
    expect((error as WaitFailedError).lastState?.status?.operationState?.phase).toBe('Failed');
  });

  it('times out with the last observed state and reports progress', async () => {
    fixture = await startFixture();
    fixture.emulator.scriptHealth({ app: 'web', kind: 'Deployment' }, [
      { status: 'Progressing', message: 'rolling out' },
    ]);
    await fixture.client.applications.sync('web');
    const progress: WaitProgress[] = [];
    const error = await fixture.client.applications
      .wait('web', { timeoutMs: 600, onProgress: (report) => progress.push(report) })
      .catch((caught: unknown) => caught);
    expect(WaitTimeoutError.isInstance(error)).toBe(true);
    const timeout = error as WaitTimeoutError;
    expect(timeout.timeoutMs).toBe(600);
    expect(timeout.lastState?.status?.health?.status).toBe('Progressing');
    expect(timeout.message).toContain('health is Progressing');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.resources.some((resource) => resource.kind === 'Deployment')).toBe(true);
  });

  it('waits for expectRevision and one reconcile after the operation', async () => {
    fixture = await startFixture();
    const next = fixture.emulator.seedRepositoryCommit('https://git.example.invalid/platform/deploy.git', {
      files: { 'helm/my-values.yaml': 'image:\n  repository: nginx\n  tag: "1.26"\n' },
    });
    await fixture.client.applications.sync('web', { revision: next });
    const result = await fixture.client.applications.wait('web', {
      expectRevision: next.slice(0, 12),
      timeoutMs: 15_000,
    });
    const status = result.application.status;
    expect(status?.sync?.revision).toBe(next);
    expect(Date.parse(status?.reconciledAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(status?.operationState?.finishedAt ?? ''),
    );
  });

  it('re-logs in once when the session expires mid-wait', async () => {
    fixture = await startFixture();
    fixture.emulator.scriptHealth({ app: 'web', kind: 'Deployment' }, [
      { status: 'Progressing', forMs: 400 },
      { status: 'Healthy' },
    ]);
    await fixture.client.applications.sync('web');
    const logins = fixture.emulator.loginRequestCount;
    fixture.emulator.addFault({
      kind: 'stream-drop',
      afterEvents: 1,
      times: 1,
      match: { path: '/api/v1/stream/applications' },
    });
    const waiting = fixture.client.applications.wait('web', {
      timeoutMs: 15_000,
      backoff: { baseDelayMs: 50, maxDelayMs: 100 },
    });
    fixture.emulator.expireTokens();
    const result = await waiting;
    expect(result.application.status?.health?.status).toBe('Healthy');
    expect(fixture.emulator.loginRequestCount).toBe(logins + 1);
  });

  it('fails promptly (never hangs) when a static token expires mid-wait', async () => {
    fixture = await startFixture();
    const token = fixture.emulator.issueToken('admin');
    const client = new ArgoCDClient({ server: fixture.emulator.url, auth: { token }, logger: silentLogger });
    try {
      fixture.emulator.scriptHealth({ app: 'web', kind: 'Deployment' }, [{ status: 'Progressing' }]);
      await client.applications.sync('web');
      fixture.emulator.addFault({
        kind: 'stream-drop',
        afterEvents: 1,
        times: 5,
        match: { path: '/api/v1/stream/applications' },
      });
      const startedAt = Date.now();
      const waiting = client.applications.wait('web', {
        timeoutMs: 20_000,
        backoff: { baseDelayMs: 20, maxDelayMs: 50 },
      });
      fixture.emulator.expireTokens();
      const error = await waiting.catch((caught: unknown) => caught);
      expect(AuthenticationError.isInstance(error)).toBe(true);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    } finally {
      await client.close();
    }
  });

  it('stops when aborted', async () => {
    fixture = await startFixture();
    fixture.emulator.scriptHealth({ app: 'web', kind: 'Deployment' }, [{ status: 'Progressing' }]);
    await fixture.client.applications.sync('web');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await fixture.client.applications
      .wait('web', { timeoutMs: 15_000, signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
  });
});
