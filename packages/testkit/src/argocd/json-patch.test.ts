import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch } from './json-patch.js';

describe('applyJsonPatch', () => {
  it('adds, replaces, removes, moves, copies and tests without mutating the input', () => {
    const document = { spec: { helm: { parameters: [{ name: 'a', value: '1' }] } }, keep: true, old: 1 };
    const result = applyJsonPatch(document, [
      { op: 'add', path: '/spec/helm/parameters/-', value: { name: 'b', value: '2' } },
      { op: 'replace', path: '/spec/helm/parameters/0/value', value: '9' },
      { op: 'move', from: '/old', path: '/new' },
      { op: 'copy', from: '/keep', path: '/copy' },
      { op: 'remove', path: '/keep' },
      { op: 'test', path: '/new', value: 1 },
    ]);
    expect(result).toEqual({
      spec: {
        helm: {
          parameters: [
            { name: 'a', value: '9' },
            { name: 'b', value: '2' },
          ],
        },
      },
      new: 1,
      copy: true,
    });
    expect(document.spec.helm.parameters).toHaveLength(1);
  });

  it('fails on a missing path or a failed test', () => {
    expect(() => applyJsonPatch({}, [{ op: 'replace', path: '/a', value: 1 }])).toThrow(/missing/);
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/testing value/);
    expect(() => applyJsonPatch({}, { op: 'add' })).toThrow(/cannot unmarshal/);
  });
});

describe('applyMergePatch', () => {
  it('merges objects, replaces arrays and deletes nulls (RFC 7386)', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { c: 3 }, l: [9], d: null })).toEqual(
      { a: { b: 1, c: 3 }, l: [9] },
    );
  });
});
