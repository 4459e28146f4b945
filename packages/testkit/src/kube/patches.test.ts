import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch } from './patches.js';

describe('applyMergePatch', () => {
  it('merges objects, deletes on null and replaces arrays (RFC 7386)', () => {
    const target = { spec: { a: 1, b: [1, 2], c: { d: 1 } }, keep: true };
    expect(applyMergePatch(target, { spec: { a: null, b: [3], c: { e: 2 } } })).toEqual({
      spec: { b: [3], c: { d: 1, e: 2 } },
      keep: true,
    });
    expect(target.spec.a).toBe(1);
  });
});

describe('applyJsonPatch', () => {
  it('adds, replaces, removes and tests (RFC 6902)', () => {
    const patched = applyJsonPatch({ spec: { list: ['a'] }, meta: { x: 1 } }, [
      { op: 'add', path: '/spec/status', value: 'Cancelled' },
      { op: 'add', path: '/spec/list/-', value: 'b' },
      { op: 'replace', path: '/meta/x', value: 2 },
      { op: 'test', path: '/meta/x', value: 2 },
      { op: 'remove', path: '/spec/list/0' },
    ]);
    expect(patched).toEqual({ spec: { status: 'Cancelled', list: ['b'] }, meta: { x: 2 } });
  });

  it('refuses replace of a missing path and a failing test with 422', () => {
    expect(() => applyJsonPatch({ spec: {} }, [{ op: 'replace', path: '/spec/status', value: 'x' }])).toThrow(
      /missing key/,
    );
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/testing value/);
    expect(() => applyJsonPatch({}, { op: 'add' })).toThrow(/must be an array/);
  });
});
