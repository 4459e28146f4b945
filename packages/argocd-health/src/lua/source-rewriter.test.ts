import { describe, expect, it } from 'vitest';
import { rewriteLuaSource } from './source-rewriter.js';

describe('rewriteLuaSource', () => {
  it('turns each .. into a right-nested call', () => {
    expect(rewriteLuaSource('x = a .. b .. c')).toBe('x = __gitopsKitConcat(a , __gitopsKitConcat(b , c))');
  });

  it('keeps operands whole: precedence, calls, methods, unary operators', () => {
    expect(rewriteLuaSource('return n / 2 .. "x" == y')).toBe('return __gitopsKitConcat(n / 2 , "x") == y');
    expect(rewriteLuaSource('m = f(a..b):upper() .. -n .. #t')).toBe(
      'm = __gitopsKitConcat(f(__gitopsKitConcat(a,b)):upper() , __gitopsKitConcat(-n , #t))',
    );
    expect(rewriteLuaSource('t = { k = "a" .. 1, [1 .. ""] = 2 }')).toBe(
      't = { k = __gitopsKitConcat("a" , 1), [__gitopsKitConcat(1 , "")] = 2 }',
    );
  });

  it('leaves strings, long strings, comments and varargs alone', () => {
    const source =
      'local s = "a..b" .. [[c..d]] -- e..f\n--[==[ g..h ]==]\nlocal function f(...) return ... end';
    expect(rewriteLuaSource(source)).toBe(
      'local s = __gitopsKitConcat("a..b" , [[c..d]]) -- e..f\n--[==[ g..h ]==]\nlocal function f(...) return ... end',
    );
  });

  it('keeps line numbers (no newline added or removed)', () => {
    const source = 'local a = 1\nlocal b = a ..\n  "x"\nerror(b)';
    expect(rewriteLuaSource(source).split('\n')).toHaveLength(4);
  });

  it('parses every statement form', () => {
    const source = [
      'local x <const> = 1',
      'for i = 1, 3 do y = i .. "" end',
      'for k, v in pairs(t) do if k then goto skip elseif v then break else end ::skip:: end',
      'while false do end repeat local z = 1 until z .. "" == "1"',
      'function a.b:c(...) return function() return 1 .. 2 end end',
      'do local q; q = 1; end',
      'obj.f{1}"s"',
    ].join('\n');
    const rewritten = rewriteLuaSource(source);
    expect(rewritten).toContain('y = __gitopsKitConcat(i , "")');
    expect(rewritten).toContain('until __gitopsKitConcat(z , "") == "1"');
    expect(rewritten).toContain('return __gitopsKitConcat(1 , 2)');
  });

  it('returns a script that does not parse unchanged, so Lua reports the error', () => {
    expect(rewriteLuaSource('x = a .. ')).toBe('x = a .. ');
    expect(rewriteLuaSource('x = "unterminated .. y')).toBe('x = "unterminated .. y');
  });

  it('returns scripts without .. untouched', () => {
    const source = 'return { status = "Healthy" }';
    expect(rewriteLuaSource(source)).toBe(source);
  });
});
