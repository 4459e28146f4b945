import { describe, expect, it } from 'vitest';
import { toLuaChunk } from './lua-literal.js';

describe('toLuaChunk', () => {
  it('drops null map values and skips null array items', () => {
    expect(toLuaChunk({ a: null, b: [1, null, 2], c: {}, d: [] })).toBe('return {b={1,2,},c={},d={},}');
  });

  it('writes whole numbers as integers and the rest as floats', () => {
    expect(toLuaChunk([3, -0, 2.5, 1e21, 2 ** 60])).toBe('return {3,0,2.5,1e+21,1152921504606847000.0,}');
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
