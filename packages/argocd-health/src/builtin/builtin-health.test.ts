import { describe, expect, it } from 'vitest';
import { BUILTIN_FIXTURES } from '../../test/fixtures/objects.js';
import { builtInHealth, hasBuiltInHealthCheck } from './builtin-health.js';

describe('builtInHealth', () => {
  it.each(BUILTIN_FIXTURES.map((fixture) => [fixture.name, fixture] as const))('%s', (_name, fixture) => {
    expect(builtInHealth(fixture.object)).toEqual(fixture.expected);
  });

  it('covers the 13 group/kinds Argo CD checks in Go and nothing else', () => {
    const kinds = [
      ['apps', 'Deployment'],
      ['apps', 'StatefulSet'],
      ['apps', 'ReplicaSet'],
      ['apps', 'DaemonSet'],
      ['extensions', 'Ingress'],
      ['networking.k8s.io', 'Ingress'],
      ['argoproj.io', 'Workflow'],
      ['apiregistration.k8s.io', 'APIService'],
      ['', 'Service'],
      ['', 'PersistentVolumeClaim'],
      ['', 'Pod'],
      ['batch', 'Job'],
      ['autoscaling', 'HorizontalPodAutoscaler'],
    ] as const;
    for (const [group, kind] of kinds) expect(hasBuiltInHealthCheck(group, kind)).toBe(true);
    expect(hasBuiltInHealthCheck('batch', 'CronJob')).toBe(false);
    expect(hasBuiltInHealthCheck('argoproj.io', 'Application')).toBe(false);
    expect(hasBuiltInHealthCheck('', 'ConfigMap')).toBe(false);
  });

  it('returns null for kinds without a built-in check', () => {
    expect(builtInHealth({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })).toBeNull();
    expect(builtInHealth({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' } })).toBeNull();
  });

  it('reports an unsupported version as Unknown, as the typed conversion does', () => {
    expect(
      builtInHealth({ apiVersion: 'apps/v1beta2', kind: 'Deployment', metadata: { name: 'web' } }),
    ).toEqual({
      status: 'Unknown',
      message: 'unsupported Deployment GVK: apps/v1beta2, Kind=Deployment',
    });
  });

  it('keeps a Deployment without spec.replicas healthy once counts agree', () => {
    const object = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {},
      status: {},
    };
    expect(builtInHealth(object)).toEqual({ status: 'Healthy', message: '' });
  });

  it('treats a hook pod with ignore-restart-policy by its real restart policy', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'hook',
        annotations: {
          'argocd.argoproj.io/ignore-restart-policy': 'true',
          'argocd.argoproj.io/hook': 'PreSync',
        },
      },
      spec: { restartPolicy: 'Never' },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(builtInHealth(object)).toEqual({ status: 'Progressing', message: '' });
  });
});
