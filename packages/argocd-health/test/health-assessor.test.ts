import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aggregateHealth,
  createHealthAssessor,
  evaluateHealthScript,
  formatHealthResult,
  type HealthAssessor,
  HealthConfigurationError,
  LuaRuntimeError,
  loadResourceCustomizations,
} from '../src/index.js';
import { INGRESS_HEALTH_LUA, LUA_FIXTURES } from './fixtures/objects.js';

const ingress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { rules: [{ host: 'shop.example.test' }] },
  status: { loadBalancer: {} },
};

describe('without customisations', () => {
  let assessor: HealthAssessor;
  beforeAll(async () => {
    assessor = await createHealthAssessor();
  });
  afterAll(async () => {
    await assessor.close();
  });

  it('uses the built-in checks: an Ingress without an address stays Progressing', () => {
    expect(assessor.assess(ingress)).toEqual({ status: 'Progressing', message: '' });
    expect(assessor.explain(ingress)).toMatchObject({ source: 'builtin', key: 'networking.k8s.io/Ingress' });
  });

  it('reports Pending deletion first, unless the hook finalizer is set', () => {
    const deleting = {
      ...ingress,
      metadata: { ...ingress.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    expect(assessor.explain(deleting)).toMatchObject({
      health: { status: 'Progressing', message: 'Pending deletion' },
      source: 'pending-deletion',
    });
    const hook = {
      ...deleting,
      metadata: { ...deleting.metadata, finalizers: ['argocd.argoproj.io/hook-finalizer'] },
    };
    expect(assessor.explain(hook).source).toBe('builtin');
  });

  it('has no opinion on kinds without a check', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } };
    expect(assessor.explain(configMap)).toEqual({ health: null, source: 'none', key: 'ConfigMap' });
    expect(formatHealthResult(null, configMap)).toBe("Health script is not configured for 'ConfigMap'");
  });
});

describe('with argocd-cm customisations', () => {
  let assessor: HealthAssessor;
  beforeAll(async () => {
    assessor = await createHealthAssessor({
      customizations: {
        'resource.customizations.health.networking.k8s.io_Ingress': INGRESS_HEALTH_LUA,
        'resource.customizations': [
          'example.test/Empty:',
          '  health.lua: return {}',
          'example.test/Invalid:',
          '  health.lua: return { status = "Great" }',
          'example.test/Broken:',
          '  health.lua: return obj.status.missing.field',
          'example.test/Strings:',
          '  health.lua: return { status = "Healthy", message = string.upper(obj.metadata.name) }',
          'example.test/StringsOpen:',
          '  health.lua: return { status = "Healthy", message = string.upper(obj.metadata.name) }',
          '  health.lua.useOpenLibs: true',
          '"*.wild.test/*":',
          '  health.lua: return { status = "Suspended", message = obj.kind }',
          'apps/Deployment:',
          '  health.lua: return nil',
        ].join('\n'),
      },
    });
  });
  afterAll(async () => {
    await assessor.close();
  });

  it('the Lua script overrides the built-in Ingress check (the seed fix)', () => {
    expect(assessor.assess(ingress)).toEqual({ status: 'Healthy', message: 'Ingress has 1 rule(s)' });
    expect(assessor.explain(ingress)).toMatchObject({
      source: 'lua',
      script: { source: 'override', matchedKey: 'networking.k8s.io/Ingress', useOpenLibs: false },
    });
  });

  it('a script returning nil or {} gives no opinion and does not fall back to the built-in check', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { paused: true },
    };
    expect(assessor.explain(deployment)).toMatchObject({ health: null, source: 'lua' });
    expect(
      assessor.assess({ apiVersion: 'example.test/v1', kind: 'Empty', metadata: { name: 'e' } }),
    ).toBeNull();
  });

  it('an invalid status or a script error is Unknown', () => {
    expect(
      assessor.assess({ apiVersion: 'example.test/v1', kind: 'Invalid', metadata: { name: 'i' } }),
    ).toEqual({
      status: 'Unknown',
      message: 'Lua returned an invalid health status',
    });
    const broken = assessor.assess({
      apiVersion: 'example.test/v1',
      kind: 'Broken',
      metadata: { name: 'b' },
    });
    expect(broken?.status).toBe('Unknown');
    expect(broken?.message).toMatch(/^<string>:1: attempt to index a nil value/);
  });

  it('custom scripts get string/math only with useOpenLibs', () => {
    expect(
      assessor.assess({ apiVersion: 'example.test/v1', kind: 'Strings', metadata: { name: 'web' } })?.status,
    ).toBe('Unknown');
    expect(
      assessor.assess({ apiVersion: 'example.test/v1', kind: 'StringsOpen', metadata: { name: 'web' } }),
    ).toEqual({
      status: 'Healthy',
      message: 'WEB',
    });
  });

  it('wildcard keys match any group and kind they cover', () => {
    expect(assessor.assess({ apiVersion: 'a.wild.test/v1', kind: 'Thing', metadata: { name: 't' } })).toEqual(
      {
        status: 'Suspended',
        message: 'Thing',
      },
    );
  });

  it('deletion still comes before Lua', () => {
    const deleting = {
      ...ingress,
      metadata: { ...ingress.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    expect(assessor.assess(deleting)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
  });
});

describe('with a resource_customizations directory', () => {
  let directory: string;
  let assessor: HealthAssessor;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'argocd-health-'));
    const write = async (folder: string, script: string) => {
      await mkdir(join(directory, folder), { recursive: true });
      await writeFile(join(directory, folder, 'health.lua'), script);
    };
    await write('example.test/Widget', 'return { status = "Healthy", message = string.format("%d", 7 / 7) }');
    await write('_.example.test/_', 'return { status = "Degraded", message = "wildcard " .. obj.kind }');
    await write('apps/Deployment', 'return { status = "Suspended", message = "from directory" }');
    assessor = await createHealthAssessor({
      resourceCustomizations: await loadResourceCustomizations(directory),
      customizations: [
        { group: 'apps', kind: 'Deployment', healthLua: 'return { status = "Healthy", message = "cm" }' },
      ],
    });
  });
  afterAll(async () => {
    await assessor.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('loads scripts by folder, with open libraries, and _ folders as wildcards', async () => {
    const scripts = await loadResourceCustomizations(directory);
    expect(scripts.map((script) => [script.path, script.key])).toEqual([
      ['_.example.test/_', '*.example.test/*'],
      ['apps/Deployment', 'apps/Deployment'],
      ['example.test/Widget', 'example.test/Widget'],
    ]);
    expect(
      assessor.assess({ apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name: 'w' } }),
    ).toEqual({
      status: 'Healthy',
      message: '1',
    });
    expect(
      assessor.assess({ apiVersion: 'sub.example.test/v1', kind: 'Gear', metadata: { name: 'g' } }),
    ).toEqual({
      status: 'Degraded',
      message: 'wildcard Gear',
    });
  });

  it('argocd-cm customisations come before directory scripts', () => {
    expect(assessor.assess({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } })).toEqual({
      status: 'Healthy',
      message: 'cm',
    });
  });

  it('a missing directory is a configuration error', async () => {
    await expect(loadResourceCustomizations(join(directory, 'absent'))).rejects.toThrow(
      HealthConfigurationError,
    );
  });
});

describe('evaluateHealthScript', () => {
  it.each(LUA_FIXTURES.map((fixture) => [fixture.name, fixture] as const))('%s', async (_name, fixture) => {
    expect(await evaluateHealthScript(fixture.script, fixture.object, { useOpenLibs: true })).toEqual(
      fixture.expected,
    );
  });

  it('defaults to the restricted libraries of an argocd-cm script', async () => {
    const result = await evaluateHealthScript(
      'return { status = "Healthy", message = type(string) }',
      ingress,
    );
    expect(result).toEqual({ status: 'Healthy', message: 'nil' });
  });
});

describe('lifecycle and errors', () => {
  it('throws LuaRuntimeError after close', async () => {
    const assessor = await createHealthAssessor({
      customizations: [{ group: '', kind: 'Pod', healthLua: 'return nil' }],
    });
    await assessor.close();
    expect(() => assessor.assess({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toThrow(
      LuaRuntimeError,
    );
  });

  it('rejects invalid customisations before starting anything', async () => {
    await expect(
      createHealthAssessor({ customizations: { 'resource.customizations.bogus.a_B': 'x' } }),
    ).rejects.toThrow(HealthConfigurationError);
  });

  it('formats like argocd admin settings resource-overrides health', () => {
    expect(formatHealthResult({ status: 'Degraded', message: 'boom' })).toBe(
      'STATUS: Degraded\nMESSAGE: boom',
    );
  });
});

describe('the seed scenario end to end', () => {
  const resources = [
    {
      live: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { replicas: 1 },
        status: { replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      },
    },
    {
      live: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { type: 'ClusterIP' },
      },
    },
    { live: ingress },
  ];

  it('stays Progressing on the Ingress with the built-in check, and is Healthy with the Lua fix', async () => {
    const stock = await createHealthAssessor();
    const fixed = await createHealthAssessor({
      customizations: { 'resource.customizations.health.networking.k8s.io_Ingress': INGRESS_HEALTH_LUA },
    });
    try {
      expect(aggregateHealth(resources, { assess: (object) => stock.assess(object) })).toMatchObject({
        status: 'Progressing',
        message: 'Caused by networking.k8s.io/Ingress:shop/web',
      });
      expect(aggregateHealth(resources, { assess: (object) => fixed.assess(object) })).toMatchObject({
        status: 'Healthy',
        message: '',
      });
    } finally {
      await stock.close();
      await fixed.close();
    }
  });
});
