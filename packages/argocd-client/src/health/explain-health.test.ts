import { describe, expect, it } from 'vitest';
import type { Application } from '../schemas/application-schema.js';
import { explainHealth, healthCustomizationKey } from './explain-health.js';

describe('explainHealth', () => {
  const app = {
    metadata: { name: 'web' },
    status: {
      health: { status: 'Progressing' },
      resources: [
        { kind: 'Deployment', group: 'apps', name: 'web', namespace: 'web', health: { status: 'Healthy' } },
        {
          kind: 'Ingress',
          group: 'networking.k8s.io',
          name: 'web',
          namespace: 'web',
          health: { status: 'Progressing' },
        },
        { kind: 'Service', group: '', name: 'lb', namespace: 'web', health: { status: 'Progressing' } },
        { kind: 'ConfigMap', group: '', name: 'cfg', namespace: 'web' },
      ],
    },
  } as Application;

  it('names the stuck Ingress and LoadBalancer Service with their argocd-cm keys', () => {
    const result = explainHealth(app, {
      nodes: [
        {
          kind: 'Pod',
          group: '',
          name: 'web-1',
          namespace: 'web',
          health: { status: 'Degraded', message: 'CrashLoopBackOff' },
        },
        {
          kind: 'Ingress',
          group: 'networking.k8s.io',
          name: 'web',
          namespace: 'web',
          networkingInfo: { ingress: [] },
        },
      ],
    });
    expect(result.applicationHealth).toBe('Progressing');
    expect(result.holdingBack.map((resource) => `${resource.kind}/${resource.health}`)).toEqual([
      'Pod/Degraded',
      'Ingress/Progressing',
      'Service/Progressing',
    ]);
    expect(result.knownCauses.map((cause) => [cause.cause, cause.argocdCmKey])).toEqual([
      ['ingress-without-load-balancer-address', 'resource.customizations.health.networking.k8s.io_Ingress'],
      ['load-balancer-service-without-ingress', 'resource.customizations.health.Service'],
    ]);
  });

  it('does not blame an Ingress that has an address', () => {
    const result = explainHealth(app, {
      nodes: [
        {
          kind: 'Ingress',
          group: 'networking.k8s.io',
          name: 'web',
          namespace: 'web',
          networkingInfo: { ingress: [{ ip: '10.0.0.1' }] },
        },
        {
          kind: 'Service',
          group: '',
          name: 'lb',
          namespace: 'web',
          networkingInfo: { ingress: [{ hostname: 'lb.example' }] },
        },
      ],
    });
    expect(result.knownCauses).toEqual([]);
    expect(healthCustomizationKey('apps', 'Deployment')).toBe(
      'resource.customizations.health.apps_Deployment',
    );
  });
});
