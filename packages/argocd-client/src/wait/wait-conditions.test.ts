import { describe, expect, it } from 'vitest';
import type { Application } from '../schemas/application-schema.js';
import {
  DegradedTransitionDetector,
  evaluateWaitConditions,
  isOperationInProgress,
  revisionMatches,
} from './wait-conditions.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:00:05Z';

function app(status: Record<string, unknown>, operation?: Record<string, unknown>): Application {
  return { metadata: { name: 'web' }, status, ...(operation ? { operation } : {}) } as Application;
}

describe('wait conditions (argocd app wait semantics)', () => {
  it('treats a set operation, an unfinished one, and a missing reconcile as in progress', () => {
    expect(isOperationInProgress(app({}, { sync: {} }))).toBe(true);
    expect(isOperationInProgress(app({ operationState: { phase: 'Running', startedAt: T0 } }))).toBe(true);
    expect(
      isOperationInProgress(
        app({ operationState: { phase: 'Succeeded', finishedAt: T1 }, reconciledAt: T0 }),
      ),
    ).toBe(true);
    expect(
      isOperationInProgress(
        app({ operationState: { phase: 'Succeeded', finishedAt: T0 }, reconciledAt: T1 }),
      ),
    ).toBe(false);
    expect(
      isOperationInProgress(
        app({
          operationState: { phase: 'Succeeded', finishedAt: T1, operation: { sync: { dryRun: true } } },
          reconciledAt: T0,
        }),
      ),
    ).toBe(false);
    expect(isOperationInProgress(app({}))).toBe(false);
  });

  it('defaults to sync + health + operation and ORs the health conditions', () => {
    const done = app({ sync: { status: 'Synced', revision: 'abcdef1234' }, health: { status: 'Healthy' } });
    expect(evaluateWaitConditions(done, { conditions: [] }).ready).toBe(true);
    const suspended = app({ sync: { status: 'Synced' }, health: { status: 'Suspended' } });
    expect(evaluateWaitConditions(suspended, { conditions: ['health'] }).ready).toBe(false);
    expect(evaluateWaitConditions(suspended, { conditions: ['health', 'suspended'] }).ready).toBe(true);
    const outOfSync = app({ sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } });
    expect(evaluateWaitConditions(outOfSync, { conditions: ['health'] }).ready).toBe(true);
    expect(evaluateWaitConditions(outOfSync, { conditions: [] }).pending).toEqual([
      'sync status is OutOfSync',
    ]);
  });

  it('requires the expected revision (full or short SHA)', () => {
    const done = app({
      sync: { status: 'Synced', revision: 'abcdef1234567' },
      health: { status: 'Healthy' },
    });
    expect(evaluateWaitConditions(done, { conditions: [], expectRevision: 'abcdef1' }).ready).toBe(true);
    expect(evaluateWaitConditions(done, { conditions: [], expectRevision: '1234567' }).ready).toBe(false);
    expect(revisionMatches('abcdef1234567', 'abc')).toBe(false);
    expect(revisionMatches('main', 'main')).toBe(true);
  });

  it('reports a failed operation only when it is the one waited for', () => {
    const failed = app({
      operationState: {
        phase: 'Failed',
        message: 'boom',
        finishedAt: T0,
        syncResult: { revision: 'aaaaaaa1' },
      },
      reconciledAt: T1,
    });
    expect(evaluateWaitConditions(failed, { conditions: [] }).operationFailure).toContain('boom');
    expect(
      evaluateWaitConditions(failed, { conditions: [], expectRevision: 'bbbbbbb2' }).operationFailure,
    ).toBeUndefined();
    expect(evaluateWaitConditions(failed, { conditions: ['health'] }).operationFailure).toBeUndefined();
  });

  it('fails only on a transition to Degraded, not on an app already Degraded', () => {
    const detector = new DegradedTransitionDetector();
    const resource = (health: string) =>
      app({
        health: { status: health },
        resources: [{ kind: 'Deployment', name: 'web', health: { status: health } }],
      });
    expect(detector.observe(resource('Degraded'))).toBeUndefined();
    expect(detector.observe(resource('Progressing'))).toBeUndefined();
    expect(detector.observe(resource('Degraded'))).toContain(
      'Deployment web health has transitioned from Progressing to Degraded',
    );
    expect(detector.lastTransition).toContain('from Progressing to Degraded');
    // The history carries on: the next observation is no new transition, and lastTransition says so.
    expect(detector.observe(resource('Degraded'))).toBeUndefined();
    expect(detector.lastTransition).toBeUndefined();
    const fromUnknown = new DegradedTransitionDetector();
    fromUnknown.observe(resource('Unknown'));
    expect(fromUnknown.observe(resource('Degraded'))).toBeUndefined();
  });
});
