import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLuaChunk } from '../src/lua/lua-literal.js';
import { LuaRuntime } from '../src/lua/lua-runtime.js';

let runtime: LuaRuntime;

beforeAll(async () => {
  // The hard stop comes long after the budget: an evaluation that hits it shows up as a replaced worker.
  runtime = await LuaRuntime.create({ budgetMs: 1000, hardStopGraceMs: 15_000 });
});

afterAll(async () => {
  await runtime.close();
});

function run(script: string, object: Record<string, unknown> = { kind: 'Test' }) {
  return runtime.evaluate(script, toLuaChunk(object), true);
}

// Produces enough garbage to run several complete collection cycles (and so any pending finalizer).
const CHURN = 'local t for i = 1, 30000 do t = { i } end';
const INNOCENT = `${CHURN} return { status = "Healthy", message = "innocent " .. obj.kind }`;

describe('finalizers never run', () => {
  it.each([
    ['an infinite loop', 'while true do end'],
    ['a huge allocation', 'local s = "x" for i = 1, 40 do s = s .. s end'],
    ['an error', 'error("from a finalizer")'],
  ])('a __gc finalizer running %s does not reach the next evaluation', (_name, body) => {
    const plant = `for i = 1, 100 do setmetatable({}, { __gc = function() ${body} end }) end
      return { status = "Healthy", message = "planted" }`;
    const started = runtime.workersStarted;
    expect(run(plant)).toEqual({ kind: 'ok', status: 'Healthy', message: 'planted' });
    expect(run(INNOCENT, { kind: 'Pod' })).toEqual({
      kind: 'ok',
      status: 'Healthy',
      message: 'innocent Pod',
    });
    expect(run(INNOCENT, { kind: 'Deployment' })).toEqual({
      kind: 'ok',
      status: 'Healthy',
      message: 'innocent Deployment',
    });
    expect(runtime.workersStarted).toBe(started);
  });

  it('does not run a finalizer within its own evaluation either, and leaves the metatable as the script set it', () => {
    const script = `local ran = false
      local mt = { __gc = function() ran = true end }
      local x = setmetatable({}, mt)
      x = nil
      ${CHURN}
      return { status = "Healthy", message = tostring(ran) .. " " .. type(getmetatable(setmetatable({}, mt)).__gc) }`;
    expect(run(script)).toEqual({ kind: 'ok', status: 'Healthy', message: 'false function' });
  });

  it('a __gc added to the metatable afterwards is not armed either (Lua marks objects at setmetatable)', () => {
    const plant = `local mt = {} local keep = {} for i = 1, 100 do keep[i] = setmetatable({}, mt) end
      mt.__gc = function() while true do end end return { status = "Healthy" }`;
    const started = runtime.workersStarted;
    expect(run(plant)).toMatchObject({ kind: 'ok' });
    expect(run(INNOCENT)).toMatchObject({ kind: 'ok', message: 'innocent Test' });
    expect(runtime.workersStarted).toBe(started);
  });

  it('setmetatable still refuses a protected metatable', () => {
    expect(
      run('local t = setmetatable({}, { __metatable = "locked" }) setmetatable(t, { __gc = print })'),
    ).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('cannot change a protected metatable'),
    });
  });

  it('a __close handler stays under the budget', () => {
    const started = runtime.workersStarted;
    const script = `local guard <close> = setmetatable({}, { __close = function() while true do end end })
      while true do end`;
    expect(run(script)).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('context deadline exceeded'),
    });
    expect(runtime.workersStarted).toBe(started);
  });
});

describe('script code that runs while the result is read', () => {
  it("an error object's __tostring stays under the budget", () => {
    const started = runtime.workersStarted;
    expect(run('error(setmetatable({}, { __tostring = function() while true do end end }))')).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('context deadline exceeded'),
    });
    expect(runtime.workersStarted).toBe(started);
    expect(run('error(setmetatable({}, { __tostring = function() return "custom" end }))')).toEqual({
      kind: 'error',
      message: 'custom',
    });
  });

  it("an error object's __tostring stays under the heap cap", () => {
    const script =
      'error(setmetatable({}, { __tostring = function() local s = "x" for i = 1, 40 do s = s .. s end return s end }))';
    expect(run(script)).toEqual({ kind: 'error', message: 'memory limit exceeded' });
  });
});

describe('an evaluation cannot reach what a later one sees', () => {
  it.each([
    [
      'a global',
      '_G.leak = "x" leak2 = "y"',
      'return { status = "Healthy", message = tostring(leak) .. tostring(leak2) }',
      'nilnil',
    ],
    [
      'the string library',
      'string.upper = function() return "hacked" end string.leak = 1',
      'return { status = "Healthy", message = ("a"):upper() .. string.upper("b") .. tostring(string.leak) }',
      'ABnil',
    ],
    [
      'the table library',
      'table.insert = nil table.concat = function() return "hacked" end',
      'local t = {} table.insert(t, "a") table.insert(t, "b") return { status = "Healthy", message = table.concat(t, ",") }',
      'a,b',
    ],
    [
      'the math library',
      'math.floor = function() return 42 end math.pi = 3',
      'return { status = "Healthy", message = tostring(math.floor(1.5)) .. " " .. tostring(math.pi > 3.14) }',
      '1 true',
    ],
    [
      'the os library',
      'os.time = function() return 0 end',
      'return { status = "Healthy", message = tostring(os.time({ year = 2020, month = 1, day = 1, hour = 0 }) ~= 0) }',
      'true',
    ],
    [
      'the coroutine library',
      'coroutine.wrap = function() return function() return "hacked" end end',
      'return { status = "Healthy", message = coroutine.wrap(function() return "clean" end)() }',
      'clean',
    ],
    [
      'a base function',
      'tostring = function() return "hacked" end pairs = nil',
      'local n = 0 for _ in pairs({ 1, 2 }) do n = n + 1 end return { status = "Healthy", message = tostring(n) }',
      '2',
    ],
    [
      'package.loaded',
      'package.loaded.os = { time = function() return 0 end } package.loaded.evil = "x"',
      'return { status = "Healthy", message = tostring(require("os").time ~= nil) .. " " .. tostring(pcall(require, "evil")) }',
      'true false',
    ],
    [
      'package.preload',
      'package.preload.evil = function() return "x" end',
      'return { status = "Healthy", message = tostring(pcall(require, "evil")) }',
      'false',
    ],
    [
      'the metatable of _G',
      'setmetatable(_G, { __index = function() return "hacked" end })',
      'return { status = "Healthy", message = tostring(undefinedName) }',
      'nil',
    ],
    [
      'the string metatable',
      'pcall(setmetatable, "", {}) local mt = getmetatable("") if type(mt) == "table" then mt.__index = { upper = function() return "hacked" end } end',
      'return { status = "Healthy", message = ("a"):upper() }',
      'A',
    ],
    [
      'the obj table',
      'obj.kind = "Hacked" setmetatable(obj, { __index = function() return "hacked" end })',
      'return { status = "Healthy", message = obj.kind .. tostring(obj.missing) }',
      'Testnil',
    ],
    [
      'a suspended coroutine',
      '_G.co = coroutine.create(function() while true do coroutine.yield() end end) coroutine.resume(co)',
      'return { status = "Healthy", message = tostring(co) }',
      'nil',
    ],
  ])('through %s', (_name, first, second, expected) => {
    run(`${first} return { status = "Healthy" }`);
    expect(run(second)).toEqual({ kind: 'ok', status: 'Healthy', message: expected });
  });

  it('without the open libraries the string methods are gone again after an evaluation that had them', () => {
    run('return { status = "Healthy", message = ("a"):upper() }');
    expect(
      runtime.evaluate('return { status = "Healthy", message = ("a"):upper() }', 'return {}', false),
    ).toMatchObject({
      kind: 'error',
    });
  });

  it('a script cannot run code while it is compiled, outside the budget hook', () => {
    const started = runtime.workersStarted;
    // Closes the wrapping function early and calls a loop from the chunk body (a syntax error on its own).
    const injected = 'end, (function() while true do end end)(), function() --';
    expect(run(injected)).toMatchObject({ kind: 'error', message: expect.stringMatching(/^<string>:1: /) });
    expect(runtime.workersStarted).toBe(started);
    expect(run('return { status = "Healthy", message = "after" }')).toEqual({
      kind: 'ok',
      status: 'Healthy',
      message: 'after',
    });
  });
});
