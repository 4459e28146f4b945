import { describe, expect, it } from 'vitest';
import { toLuaChunk } from './lua-literal.js';

describe('toLuaChunk', () => {
  it('drops null map values and skips null array items', () => {
    expect(toLuaChunk({ a: null, b: [1, null, 2], c: {}, d: [] })).toBe('return {b={1,2,},c={},d={},}');
  });

  it('writes whole numbers as integers and the rest as exact floats', () => {
    expect(toLuaChunk([3, -0, 2.5, -0.75, 2 ** 60, Number.MIN_VALUE])).toBe(
      'return {3,0,(5*2^-1),(-3*2^-2),(1*2^60),(1*2^-1074),}',
    );
    expect(toLuaChunk([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toBe(
      'return {(0/0),(1/0),(-1/0),}',
    );
  });

  it('quotes keys that are not identifiers and escapes strings', () => {
    expect(toLuaChunk({ 'app.kubernetes.io/name': 'a"b\\c\n\u0001', end: true })).toBe(
      'return {["app.kubernetes.io/name"]="a\\"b\\\\c\\n\\001",["end"]=true,}',
    );
  });

  it('refuses absurd nesting', () => {
    let value: unknown = 1;
    for (let depth = 0; depth < 200; depth += 1) value = [value];
    expect(() => toLuaChunk(value)).toThrow(RangeError);
  });
});
