import { describe, expect, it } from 'vitest';
import { compileGlob } from './glob-pattern.js';
import type { ResourceCustomizationScript } from './load-resource-customizations.js';
import { parseHealthCustomizations } from './parse-customizations.js';
import { HealthScriptResolver } from './script-resolver.js';

function builtin(path: string, healthLua = `-- ${path}`): ResourceCustomizationScript {
  return { path, key: path.replaceAll('_', '*'), healthLua };
}

describe('compileGlob', () => {
  it('matches gobwas-style keys where * crosses /', () => {
    expect(compileGlob('*', true).test('cert-manager.io/Certificate')).toBe(true);
    expect(compileGlob('*.crossplane.io/*', true).test('pkg.crossplane.io/Provider')).toBe(true);
    expect(compileGlob('{a,b}.io/?ind', true).test('b.io/Kind')).toBe(true);
    expect(compileGlob('[!x]y/Z', true).test('ay/Z')).toBe(true);
    expect(compileGlob('[!x]y/Z', true).test('xy/Z')).toBe(false);
  });

  it('keeps * inside one path segment for directory patterns', () => {
    expect(compileGlob('*.crossplane.io/*', false).test('pkg.crossplane.io/Provider')).toBe(true);
    expect(compileGlob('*', false).test('cert-manager.io/Certificate')).toBe(false);
  });
});

describe('HealthScriptResolver', () => {
  const overrides = parseHealthCustomizations([
    { group: 'example.test', kind: 'Widget', healthLua: 'exact' },
    { group: 'example.test', kind: '*', healthLua: 'group-wildcard' },
    { group: '*', kind: 'Widget', healthLua: 'kind-wildcard' },
    { group: 'empty.test', kind: 'Thing', healthLua: '' },
  ]);
  const builtins = [
    builtin('example.test/Gadget'),
    builtin('_.crossplane.io/_'),
    builtin('pkg.crossplane.io/Provider'),
    builtin('a_.test/_'),
    builtin('_.test/_'),
    builtin('empty.test/Thing'),
  ];
  const resolver = new HealthScriptResolver(overrides, builtins);

  it('prefers the exact override key', () => {
    expect(resolver.resolve('example.test/Widget')).toMatchObject({ healthLua: 'exact', source: 'override' });
  });

  it('then the first matching wildcard override in sorted order', () => {
    // "*/Widget" sorts before "example.test/*".
    expect(resolver.resolve('other.test/Widget')).toMatchObject({
      healthLua: 'kind-wildcard',
      matchedKey: '*/Widget',
    });
    expect(resolver.resolve('example.test/Gizmo')).toMatchObject({ healthLua: 'group-wildcard' });
  });

  it('lets a wildcard override beat an exact built-in script', () => {
    expect(resolver.resolve('example.test/Gadget')).toMatchObject({
      healthLua: 'group-wildcard',
      source: 'override',
    });
  });

  it('skips overrides without a script and falls back to built-ins with open libraries', () => {
    expect(resolver.resolve('empty.test/Thing')).toMatchObject({
      healthLua: '-- empty.test/Thing',
      source: 'builtin',
      useOpenLibs: true,
    });
  });

  it('prefers an exact built-in folder over a wildcard folder', () => {
    expect(resolver.resolve('pkg.crossplane.io/Provider')).toMatchObject({
      matchedKey: 'pkg.crossplane.io/Provider',
    });
    expect(resolver.resolve('aws.crossplane.io/Bucket')).toMatchObject({ matchedKey: '_.crossplane.io/_' });
  });

  it('uses the first wildcard folder in sorted order', () => {
    // Both "_.test/_" and "a_.test/_" match; '_' (0x5f) sorts before 'a'.
    expect(resolver.resolve('ab.test/Kind')).toMatchObject({ matchedKey: '_.test/_' });
  });

  it('returns null when nothing matches', () => {
    expect(resolver.resolve('Service')).toBeNull();
    expect(new HealthScriptResolver(new Map(), []).resolve('apps/Deployment')).toBeNull();
  });
});
