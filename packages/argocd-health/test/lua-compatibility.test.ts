import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLuaChunk } from '../src/lua/lua-literal.js';
import { type LuaEvaluation, LuaRuntime } from '../src/lua/lua-runtime.js';

let runtime: LuaRuntime;

beforeAll(async () => {
  runtime = await LuaRuntime.create();
});

afterAll(async () => {
  await runtime.close();
});

/** Runs `return { status = "Healthy", message = <expression> }` and returns the message. */
function messageOf(expression: string, object: unknown = {}, useOpenLibs = true): string {
  const result = runtime.evaluate(
    `return { status = "Healthy", message = ${expression} }`,
    toLuaChunk(object),
    useOpenLibs,
  );
  if (result.kind !== 'ok') throw new Error(`Lua failed: ${JSON.stringify(result)}`);
  return result.message;
}

function run(script: string, object: unknown = {}, useOpenLibs = true): LuaEvaluation {
  return runtime.evaluate(script, toLuaChunk(object), useOpenLibs);
}

describe('numbers print like gopher-lua (Go float64)', () => {
  it('whole floats print without .0 in concatenation, tostring and table.concat', () => {
    expect(messageOf('4 / 2 .. "|" .. 2^3 .. "|" .. 1e3')).toBe('2|8|1000');
    expect(messageOf('tostring(10 / 5) .. tostring(-0.0)')).toBe('20');
    expect(messageOf('table.concat({1.0, 2, 7 / 7}, ",")')).toBe('1,2,1');
  });

  it('fractions use Go %v: shortest digits, exponent from 1e6 or below 1e-4', () => {
    expect(messageOf('tostring(0.1 + 0.2)')).toBe('0.30000000000000004');
    expect(messageOf('tostring(1234567.5) .. " " .. tostring(0.00001) .. " " .. tostring(-2.5)')).toBe(
      '1.2345675e+06 1e-05 -2.5',
    );
    expect(messageOf('tostring(1/0) .. tostring(-1/0) .. tostring(0/0)')).toBe('+Inf-InfNaN');
  });

  it('numbers from obj are whole unless they have a fraction', () => {
    expect(messageOf('obj.a .. " " .. obj.b .. " " .. obj.a / 2', { a: 4, b: 0.25 })).toBe('4 0.25 2');
  });
});

describe('string.format is Go fmt.Sprintf', () => {
  it('%d truncates floats, %s and %v print numbers the Go way', () => {
    expect(messageOf('string.format("%d|%5d|%s|%v|%v", 3.9, 42, 2.0, 1.5, "x")')).toBe('3|   42|2|1.5|x');
  });

  it('%q quotes Go-style and a missing argument prints %!d(MISSING)', () => {
    expect(messageOf('string.format("%q", "a\\"b\\n")')).toBe('"a\\"b\\n"');
    expect(messageOf('string.format("%d and %d", 1)')).toBe('1 and %!d(MISSING)');
  });

  it('%g without precision is the shortest form, %.2f and %x work as usual', () => {
    expect(messageOf('string.format("%g %.2f %x %%", 0.1 + 0.2, 2, 255)')).toBe(
      '0.30000000000000004 2.00 ff %',
    );
  });
});

describe('functions removed after Lua 5.1 are back', () => {
  it('table.getn, unpack, loadstring', () => {
    expect(
      messageOf('table.getn({1, 2, 3}) .. select(2, unpack({"a", "b"})) .. loadstring("return 7")()'),
    ).toBe('3b7');
  });

  it('math.pow, math.mod, math.log10', () => {
    expect(messageOf('math.pow(2, 10) .. " " .. math.mod(7, 3) .. " " .. math.log10(1000)')).toBe('1024 1 3');
  });

  it('string.gfind iterates like gmatch', () => {
    expect(
      messageOf(
        '(function() local out = "" for w in string.gfind("a b c", "%a") do out = out .. w end return out end)()',
      ),
    ).toBe('abc');
  });

  it('_VERSION says Lua 5.1', () => {
    expect(messageOf('_VERSION')).toBe('Lua 5.1');
  });
});

describe('os is restricted to time and date, gopher-style', () => {
  it('os.time and os.date exist; nothing else does', () => {
    expect(
      messageOf('type(os.time()) .. type(os.date) .. type(os.execute) .. type(os.getenv) .. type(os.exit)'),
    ).toBe('numberfunctionnilnilnil');
  });

  it('os.date with ! formats UTC, %x is H/M/S with slashes, *t has yday 0', () => {
    expect(messageOf('os.date("!%Y")')).toBe(String(new Date().getUTCFullYear()));
    expect(messageOf('os.date("!%x %%")')).toMatch(/^\d\d\/\d\d\/\d\d %$/);
    expect(messageOf('os.date("*t").yday .. tostring(os.date("*t").isdst)')).toBe('0false');
  });

  it('os.time of a table defaults the hour to 12 and round-trips through os.date', () => {
    expect(messageOf('os.date("%H:%M %d", os.time({ year = 2024, month = 3, day = 5 }))')).toBe('12:00 05');
  });

  it('require("os") gives the same restricted module', () => {
    expect(messageOf('type(require("os").date) .. type(require("os").remove)')).toBe('functionnil');
  });
});

describe('library modes', () => {
  it('without open libs: base, table, package and os only', () => {
    expect(
      run(
        'return { status = "Healthy", message = type(string) .. type(math) .. type(table) .. type(os) }',
        {},
        false,
      ),
    ).toEqual({
      kind: 'ok',
      status: 'Healthy',
      message: 'nilniltabletable',
    });
  });

  it('without open libs, string methods are unavailable too', () => {
    const result = run('return { status = ("x"):upper() }', {}, false);
    expect(result.kind).toBe('error');
  });

  it('with open libs: string, math and coroutine, but still no io or debug', () => {
    expect(messageOf('type(string) .. type(math) .. type(coroutine) .. type(io) .. type(debug)')).toBe(
      'tabletabletablenilnil',
    );
  });

  it('a script cannot leak changes into the next evaluation', () => {
    run('string.upper = nil; table.insert = nil; x = 1; return nil');
    expect(messageOf('("a"):upper() .. type(table.insert) .. type(x)')).toBe('Afunctionnil');
  });
});

describe('obj construction', () => {
  it('drops null map values, skips null array items, and makes {} and [] empty tables', () => {
    const object = { spec: { a: null, list: ['x', null, 'y'], empty: {}, none: [] } };
    expect(
      messageOf(
        'tostring(obj.spec.a) .. #obj.spec.list .. obj.spec.list[2] .. tostring(next(obj.spec.empty)) .. #obj.spec.none',
        object,
      ),
    ).toBe('nil2ynil0');
  });

  it('keeps unicode and control characters in strings', () => {
    expect(messageOf('obj.name', { name: 'caf\u00e9 \u2713\t"q"\\' })).toBe('caf\u00e9 \u2713\t"q"\\');
  });
});

describe('results follow Argo CD', () => {
  it('nil, nothing or an empty table is no opinion', () => {
    expect(run('return nil')).toEqual({ kind: 'empty' });
    expect(run('local x = 1')).toEqual({ kind: 'empty' });
    expect(run('return {}')).toEqual({ kind: 'empty' });
  });

  it('the last returned value counts', () => {
    expect(run('return nil, { status = "Degraded" }')).toEqual({
      kind: 'ok',
      status: 'Degraded',
      message: '',
    });
  });

  it('a non-table result or a non-string status is an error', () => {
    expect(run('return 5')).toEqual({
      kind: 'error',
      message: 'expect table output from Lua script, not number',
    });
    expect(run('return { status = 1 }')).toMatchObject({ kind: 'error' });
  });

  it('a runtime error carries the line', () => {
    expect(run('local a = nil\nreturn a.b')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/^<string>:2:/),
    });
  });

  it('a syntax error is reported, and the script is compiled again next time', () => {
    expect(run('return {')).toMatchObject({ kind: 'error' });
    expect(run('return {')).toMatchObject({ kind: 'error' });
  });
});

describe('numbers beyond 2^53 and fractions from obj are exact floats', () => {
  it('prints them as Go prints the float64', () => {
    expect(
      messageOf('tostring(obj.big) .. " " .. obj.fraction .. " " .. obj.tiny', {
        big: 1685906000388294100,
        fraction: 0.1,
        tiny: 1e-7,
      }),
    ).toBe('1685906000388294144 0.1 1e-07');
  });
});

describe('string functions take fractional positions like gopher-lua', () => {
  it('truncates indexes and counts', () => {
    expect(
      messageOf(
        'string.sub("abcdef", 1.5, 3.9) .. ("abc"):rep(2.7) .. select(2, string.find("abcabc", "c", 3.2))',
      ),
    ).toBe('abcabcabc3');
  });
});
