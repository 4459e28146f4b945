import { describe, expect, it } from 'vitest';
import { HealthConfigurationError } from '../errors.js';
import { parseHealthCustomizations } from './parse-customizations.js';

const BLOCK = `
cert-manager.io/Certificate:
  health.lua: |
    return { status = "Healthy" }
  health.lua.useOpenLibs: true
"*.example.test/*":
  health.lua: return { status = "Suspended" }
apps/Deployment:
  ignoreDifferences: |
    jsonPointers: [/spec/replicas]
`;

describe('parseHealthCustomizations', () => {
  it('reads the old resource.customizations block', () => {
    const overrides = parseHealthCustomizations({ 'resource.customizations': BLOCK });
    expect(overrides.get('cert-manager.io/Certificate')).toEqual({
      key: 'cert-manager.io/Certificate',
      healthLua: 'return { status = "Healthy" }\n',
      useOpenLibs: true,
    });
    expect(overrides.get('*.example.test/*')?.healthLua).toBe('return { status = "Suspended" }');
    expect(overrides.get('*.example.test/*')?.useOpenLibs).toBe(false);
    expect(overrides.get('apps/Deployment')?.healthLua).toBe('');
  });

  it('reads split keys, core-group kinds and the all key', () => {
    const overrides = parseHealthCustomizations({
      'resource.customizations.health.networking.k8s.io_Ingress': 'return { status = "Healthy" }',
      'resource.customizations.useOpenLibs.networking.k8s.io_Ingress': 'true',
      'resource.customizations.health.ConfigMap': 'return nil',
      'resource.customizations.health.all': 'return { status = "Unknown" }',
      'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers: []',
      'resource.exclusions': '- kinds: [Secret]',
    });
    expect(overrides.get('networking.k8s.io/Ingress')).toEqual({
      key: 'networking.k8s.io/Ingress',
      healthLua: 'return { status = "Healthy" }',
      useOpenLibs: true,
    });
    expect(overrides.get('ConfigMap')?.healthLua).toBe('return nil');
    expect(overrides.get('*/*')?.healthLua).toBe('return { status = "Unknown" }');
    expect(overrides.get('apps/Deployment')?.healthLua).toBe('');
  });

  it('lets split keys win over the block', () => {
    const overrides = parseHealthCustomizations({
      'resource.customizations': BLOCK,
      'resource.customizations.health.cert-manager.io_Certificate': 'return { status = "Degraded" }',
    });
    expect(overrides.get('cert-manager.io/Certificate')).toEqual({
      key: 'cert-manager.io/Certificate',
      healthLua: 'return { status = "Degraded" }',
      useOpenLibs: true,
    });
  });

  it('accepts Go boolean spellings for useOpenLibs and rejects others', () => {
    for (const [text, value] of [
      ['1', true],
      ['T', true],
      ['False', false],
      ['0', false],
    ] as const) {
      const overrides = parseHealthCustomizations({ 'resource.customizations.useOpenLibs.a_B': text });
      expect(overrides.get('a/B')?.useOpenLibs).toBe(value);
    }
    expect(() => parseHealthCustomizations({ 'resource.customizations.useOpenLibs.a_B': 'yes' })).toThrow(
      HealthConfigurationError,
    );
  });

  it('rejects what Argo CD rejects', () => {
    expect(() => parseHealthCustomizations({ 'resource.customizations.colour.a_B': 'x' })).toThrow(
      /not supported/,
    );
    expect(() => parseHealthCustomizations({ 'resource.customizations.health.a_b_C': 'x' })).toThrow(
      /<group>_<kind>/,
    );
    expect(() => parseHealthCustomizations({ 'resource.customizations': 'a: [' })).toThrow(/not valid YAML/);
    expect(() => parseHealthCustomizations({ 'resource.customizations': '- a' })).toThrow(/map/);
    try {
      parseHealthCustomizations({ 'resource.customizations.colour.a_B': 'x' });
    } catch (error) {
      expect(HealthConfigurationError.isInstance(error)).toBe(true);
      expect((error as HealthConfigurationError).code).toBe('HEALTH_CONFIGURATION_INVALID');
    }
  });

  it('reads a list of customisations', () => {
    const overrides = parseHealthCustomizations([
      { group: '', kind: 'Service', healthLua: 'return nil' },
      { group: 'example.test', kind: '*', healthLua: 'return nil', useOpenLibs: true },
    ]);
    expect([...overrides.keys()]).toEqual(['Service', 'example.test/*']);
    expect(overrides.get('example.test/*')?.useOpenLibs).toBe(true);
    expect(() => parseHealthCustomizations([{ group: 'a', kind: '', healthLua: '' }])).toThrow(/kind/);
  });

  it('treats undefined as no customisations', () => {
    expect(parseHealthCustomizations(undefined).size).toBe(0);
  });
});
