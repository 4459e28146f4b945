import { describe, expect, it } from 'vitest';
import { HealthConfigurationError } from '../errors.js';
import { parseKubernetesYaml } from '../parse-kubernetes-yaml.js';
import { argoCdConfigMapData } from './config-map-data.js';

describe('argoCdConfigMapData', () => {
  it('returns the data of an argocd-cm ConfigMap as text', () => {
    const [configMap] = parseKubernetesYaml(
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: { name: argocd-cm }',
        'data:',
        '  resource.customizations.useOpenLibs.networking.k8s.io_Ingress: true',
        '  resource.customizations.health.networking.k8s.io_Ingress: |',
        '    return { status = "Healthy" }',
      ].join('\n'),
    );
    expect(argoCdConfigMapData(configMap ?? {})).toEqual({
      'resource.customizations.useOpenLibs.networking.k8s.io_Ingress': 'true',
      'resource.customizations.health.networking.k8s.io_Ingress': 'return { status = "Healthy" }\n',
    });
  });

  it('accepts a ConfigMap without data and rejects other objects', () => {
    expect(argoCdConfigMapData({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual({});
    expect(() => argoCdConfigMapData({ apiVersion: 'v1', kind: 'Secret' })).toThrow(HealthConfigurationError);
    expect(() => argoCdConfigMapData({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: { b: 1 } } })).toThrow(
      /text/,
    );
  });
});
