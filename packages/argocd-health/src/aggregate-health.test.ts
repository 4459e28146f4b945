import { describe, expect, it } from 'vitest';
import { aggregateHealth, isWorseHealth } from './aggregate-health.js';
import type { HealthResult, KubernetesObject } from './types.js';

function object(
  kind: string,
  name: string,
  extra: Record<string, unknown> = {},
  apiVersion = 'v1',
): KubernetesObject {
  return { apiVersion, kind, metadata: { name, namespace: 'shop', ...extra } };
}

const healthy: HealthResult = { status: 'Healthy', message: '' };
const progressing: HealthResult = { status: 'Progressing', message: '' };
const degraded: HealthResult = { status: 'Degraded', message: 'boom' };

describe('isWorseHealth', () => {
  it('follows Argo CD order', () => {
    expect(isWorseHealth('Healthy', 'Suspended')).toBe(true);
    expect(isWorseHealth('Progressing', 'Suspended')).toBe(false);
    expect(isWorseHealth('Missing', 'Degraded')).toBe(true);
    expect(isWorseHealth('Degraded', 'Unknown')).toBe(true);
  });
});

describe('aggregateHealth', () => {
  it('takes the worst status and names the causes', () => {
    const result = aggregateHealth([
      { live: object('Service', 'web'), health: healthy },
      { live: object('Ingress', 'web', {}, 'networking.k8s.io/v1'), health: progressing },
      { live: object('Pod', 'web-1'), health: progressing },
    ]);
    expect(result.status).toBe('Progressing');
    expect(result.message).toBe('Caused by networking.k8s.io/Ingress:shop/web, Pod:shop/web-1');
  });

  it('shows three causes and counts the rest', () => {
    const resources = [1, 2, 3, 4, 5].map((index) => ({
      live: object('Pod', `p${index}`),
      health: degraded,
    }));
    expect(aggregateHealth(resources).message).toBe(
      'Caused by Pod:shop/p1, Pod:shop/p2, Pod:shop/p3 and 2 more',
    );
  });

  it('skips hooks, ignored resources and resources with ignore-healthcheck', () => {
    const result = aggregateHealth([
      {
        live: object('Pod', 'hook', { annotations: { 'argocd.argoproj.io/hook': 'PreSync' } }),
        health: degraded,
      },
      { live: object('Pod', 'helm', { annotations: { 'helm.sh/hook': 'post-install' } }), health: degraded },
      {
        live: object('Pod', 'quiet', { annotations: { 'argocd.argoproj.io/ignore-healthcheck': 'true' } }),
        health: degraded,
      },
      { target: object('Job', 'skip', { annotations: { 'argocd.argoproj.io/hook': 'Skip' } }) },
      { live: object('Service', 'web'), health: healthy },
    ]);
    expect(result).toMatchObject({ status: 'Healthy', message: '' });
  });

  it('is Missing only when nothing is live', () => {
    expect(
      aggregateHealth([{ target: object('Service', 'web') }, { target: object('Pod', 'p') }]).status,
    ).toBe('Missing');
    const mixed = aggregateHealth([
      { target: object('Service', 'web') },
      { live: object('Pod', 'p'), health: healthy },
    ]);
    expect(mixed.status).toBe('Healthy');
    expect(mixed.resources[0]).toEqual({ status: 'Missing', message: '' });
    expect(aggregateHealth([]).status).toBe('Healthy');
  });

  it('ignores a child Application that is Missing or Unknown', () => {
    const child = object('Application', 'child', {}, 'argoproj.io/v1alpha1');
    expect(aggregateHealth([{ live: child, health: { status: 'Unknown', message: '' } }]).status).toBe(
      'Healthy',
    );
    expect(aggregateHealth([{ live: child, health: degraded }]).status).toBe('Degraded');
  });

  it('computes missing healths with the assess option and skips null opinions', () => {
    const result = aggregateHealth([{ live: object('ConfigMap', 'c') }, { live: object('Pod', 'p') }], {
      assess: (live) => (live.kind === 'Pod' ? { status: 'Suspended', message: '' } : null),
    });
    expect(result.status).toBe('Suspended');
    expect(result.resources).toEqual([null, { status: 'Suspended', message: '' }]);
  });
});
