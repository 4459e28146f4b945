import { describe, expect, it } from 'vitest';
import type { KubeObject } from './object-store.js';
import { podStatusColumns } from './pod-columns.js';
import { evaluateColumnPath } from './table.js';

function pod(status: Record<string, unknown>, deleting = false): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      uid: 'u',
      resourceVersion: '1',
      creationTimestamp: '2026-01-01T00:00:00Z',
      ...(deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
    },
    spec: {
      initContainers: [{ name: 'prepare' }, { name: 'place-scripts' }],
      containers: [{ name: 'step-a' }, { name: 'step-b' }],
    },
    status,
  };
}

const running = { running: { startedAt: '2026-01-01T00:00:00Z' } };
const completed = { terminated: { exitCode: 0, reason: 'Completed' } };

describe('podStatusColumns (kubectl printPod)', () => {
  it('shows the init container in progress as Init:i/n', () => {
    const columns = podStatusColumns(
      pod({
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'prepare', state: completed },
          { name: 'place-scripts', state: running },
        ],
        containerStatuses: [{ name: 'step-a', state: { waiting: { reason: 'PodInitializing' } } }],
      }),
    );
    expect(columns).toEqual({ ready: '0/2', status: 'Init:1/2', restarts: 0 });
  });

  it('counts ready running containers; a waiting reason wins over the phase', () => {
    const columns = podStatusColumns(
      pod({
        phase: 'Running',
        initContainerStatuses: [{ name: 'prepare', state: completed }],
        containerStatuses: [
          { name: 'step-a', ready: true, state: running, restartCount: 1 },
          {
            name: 'step-b',
            ready: false,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            restartCount: 2,
          },
        ],
      }),
    );
    expect(columns).toEqual({ ready: '1/2', status: 'CrashLoopBackOff', restarts: 3 });
  });

  it('shows a terminated reason, exit codes without one, and Terminating while deleting', () => {
    const failed = pod({
      phase: 'Failed',
      containerStatuses: [{ name: 'step-a', state: { terminated: { exitCode: 2 } } }],
    });
    expect(podStatusColumns(failed).status).toBe('ExitCode:2');
    const error = pod({
      phase: 'Failed',
      containerStatuses: [{ name: 'step-a', state: { terminated: { exitCode: 1, reason: 'Error' } } }],
    });
    expect(podStatusColumns(error).status).toBe('Error');
    expect(podStatusColumns(pod({ phase: 'Running' }, true)).status).toBe('Terminating');
  });
});

describe('evaluateColumnPath', () => {
  const run = {
    status: {
      conditions: [
        { type: 'Ready', status: 'False' },
        { type: 'Succeeded', status: 'True', reason: 'Completed' },
      ],
    },
  };

  it('follows fields and equality filters as the CRD printer columns use them', () => {
    expect(evaluateColumnPath(run, '.status.conditions[?(@.type=="Succeeded")].reason')).toBe('Completed');
    expect(evaluateColumnPath(run, '.status.conditions[?(@.type=="Missing")].reason')).toBeUndefined();
    expect(evaluateColumnPath(run, '.status.startTime')).toBeUndefined();
  });
});
