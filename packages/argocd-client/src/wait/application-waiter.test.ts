import { AuthenticationError, ConnectionError, silentLogger } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { type WaitFailedError, WaitTimeoutError } from '../errors/wait-errors.js';
import type { Application } from '../schemas/application-schema.js';
import type { ApplicationWatchEvent } from '../schemas/stream-schemas.js';
import { type WaitSource, waitForApplication } from './application-waiter.js';
import { DegradedTransitionDetector } from './wait-conditions.js';

const progressing = {
  metadata: { name: 'web', resourceVersion: '1' },
  status: { sync: { status: 'Synced' }, health: { status: 'Progressing' } },
} as Application;
const healthy = {
  metadata: { name: 'web', resourceVersion: '2' },
  status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
} as Application;

function source(
  overrides: Partial<WaitSource> & { gets?: Application[] },
): WaitSource & { getCalls: number; watchCalls: Array<string | undefined> } {
  const gets = overrides.gets ?? [progressing];
  const state = {
    getCalls: 0,
    watchCalls: [] as Array<string | undefined>,
    get: async () => gets[Math.min(state.getCalls++, gets.length - 1)] as Application,
    watch: overrides.watch ?? async function* () {},
  };
  const wrappedWatch = state.watch;
  state.watch = (resourceVersion: string | undefined, signal: AbortSignal) => {
    state.watchCalls.push(resourceVersion);
    return wrappedWatch(resourceVersion, signal);
  };
  return state;
}

async function* hang(signal: AbortSignal): AsyncGenerator<ApplicationWatchEvent> {
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
}

describe('waitForApplication', () => {
  it('re-reads the app when the stream stays quiet, then reopens it from the last resourceVersion', async () => {
    const fake = source({ gets: [progressing, healthy], watch: (_rv, signal) => hang(signal) });
    const result = await waitForApplication(
      'web',
      fake,
      { timeoutMs: 5_000, resyncIntervalMs: 50 },
      silentLogger,
    );
    expect(result.application.status?.health?.status).toBe('Healthy');
    expect(fake.getCalls).toBe(2);
    expect(fake.watchCalls).toEqual(['1']);
  });

  it('bounds reconnects when the stream keeps failing', async () => {
    const fake = source({
      watch: async function* () {
        yield* [];
        throw new ConnectionError('reset', { causeCode: 'ECONNRESET' });
      },
    });
    const error = await waitForApplication(
      'web',
      fake,
      { timeoutMs: 5_000, backoff: { baseDelayMs: 1, maxDelayMs: 2, maxConsecutiveFailures: 3 } },
      silentLogger,
    ).catch((e: unknown) => e);
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(fake.watchCalls.length).toBe(4);
  });

  it('stops at once on a refused token and on deletion', async () => {
    const refused = source({
      watch: async function* () {
        yield* [];
        throw new AuthenticationError('expired', { status: 401 });
      },
    });
    await expect(
      waitForApplication('web', refused, { timeoutMs: 5_000 }, silentLogger),
    ).rejects.toBeInstanceOf(AuthenticationError);
    expect(refused.watchCalls.length).toBe(1);
    const deleted = source({
      watch: async function* () {
        yield { type: 'DELETED', application: progressing } as ApplicationWatchEvent;
      },
    });
    const error = await waitForApplication('web', deleted, { timeoutMs: 5_000 }, silentLogger).catch(
      (e: unknown) => e,
    );
    expect((error as WaitFailedError).reason).toBe('deleted');
  });

  it('times out with the last state even while a GET hangs', async () => {
    const fake = source({ watch: (_rv, signal) => hang(signal) });
    const error = await waitForApplication(
      'web',
      fake,
      { timeoutMs: 100, resyncIntervalMs: 0 },
      silentLogger,
    ).catch((e: unknown) => e);
    expect(WaitTimeoutError.isInstance(error)).toBe(true);
    expect((error as WaitTimeoutError).lastState?.metadata.resourceVersion).toBe('1');
  });
});

describe('waitForApplication with a caller abort and a shared health history', () => {
  const withHealth = (resourceVersion: string, revision: string, health: string) =>
    ({
      metadata: { name: 'web', resourceVersion },
      status: {
        sync: { status: 'Synced', revision },
        health: { status: health },
        resources: [{ kind: 'Deployment', name: 'web', health: { status: health } }],
      },
    }) as Application;

  it('judges no observation after the abort, so the next wait on the same history still sees the transition', async () => {
    const history = new DegradedTransitionDetector();
    const caller = new AbortController();
    const seen: string[] = [];
    // The stream delivers two events back to back: the abort happens on the first, the second must not count.
    const fake = source({
      gets: [withHealth('1', 'c1', 'Progressing')],
      watch: async function* () {
        yield { type: 'MODIFIED', application: withHealth('2', 'c2', 'Progressing') };
        yield { type: 'MODIFIED', application: withHealth('3', 'c2', 'Degraded') };
      },
    });
    const first = await waitForApplication(
      'web',
      fake,
      {
        timeoutMs: 5_000,
        expectRevision: 'c1',
        healthHistory: history,
        signal: caller.signal,
        onProgress: (progress) => {
          seen.push(String(progress.application.metadata.resourceVersion));
          if (progress.application.status?.sync?.revision === 'c2') caller.abort();
        },
      },
      silentLogger,
    ).catch((error: unknown) => error);
    expect((first as Error).name).toBe('AbortError');
    expect(seen).toEqual(['1', '2']);

    const second = await waitForApplication(
      'web',
      source({ gets: [withHealth('3', 'c2', 'Degraded')] }),
      { timeoutMs: 5_000, healthHistory: history },
      silentLogger,
    ).catch((error: unknown) => error as WaitFailedError);
    expect((second as WaitFailedError).name).toBe('WaitFailedError');
    expect((second as Error).message).toContain('transitioned from Progressing to Degraded');
  });
});
