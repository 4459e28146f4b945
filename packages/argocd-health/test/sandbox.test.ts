import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLuaChunk } from '../src/lua/lua-literal.js';
import { LuaRuntime } from '../src/lua/lua-runtime.js';

let runtime: LuaRuntime;

beforeAll(async () => {
  runtime = await LuaRuntime.create({ budgetMs: 300, hardStopGraceMs: 400, maxHeapBytes: 16 * 1024 * 1024 });
});

afterAll(async () => {
  await runtime.close();
});

function run(script: string) {
  return runtime.evaluate(script, toLuaChunk({ kind: 'Test' }), true);
}

describe('sandbox escapes are refused', () => {
  it.each([
    ['io', 'return io.open("/etc/passwd")'],
    ['os.execute', 'return os.execute("id")'],
    ['os.getenv', 'return os.getenv("HOME")'],
    ['loadfile', 'return loadfile("/etc/passwd")'],
    ['dofile', 'return dofile("/etc/passwd")'],
    ['require of a file module', 'return require("socket")'],
    ['require of io', 'return require("io")'],
    ['string.dump', 'return string.dump(function() end)'],
    ['debug', 'return debug.getregistry()'],
    ['package.loadlib', 'return package.loadlib("libc.so.6", "system")'],
    ['setfenv', 'return setfenv(1, {})'],
    ['the real global table', 'return __gitopsKitRun(1, "return 1", true, "return {}", 1000, 1024)'],
  ])('%s', (_name, script) => {
    expect(run(script)).toMatchObject({ kind: 'error' });
  });

  it('binary chunks cannot be loaded', () => {
    expect(
      run('local f, e = load("\\27Lua") return { status = "Healthy", message = tostring(f) .. " " .. e }'),
    ).toEqual({
      kind: 'ok',
      status: 'Healthy',
      message: 'nil attempt to load a binary chunk',
    });
  });

  it('the string metatable is locked', () => {
    expect(run('return { status = "Healthy", message = tostring(getmetatable("")) }')).toEqual({
      kind: 'ok',
      status: 'Healthy',
      message: 'false',
    });
  });
});

describe('budget', () => {
  it('stops an infinite loop at the budget with the instruction hook', () => {
    const started = performance.now();
    const result = run('while true do end');
    const elapsedMs = performance.now() - started;
    expect(result).toEqual({ kind: 'error', message: '<string>:1: context deadline exceeded' });
    expect(run('local s = ""\nwhile true do s = "x" .. 1 end')).toEqual({
      kind: 'error',
      message: '<string>:2: context deadline exceeded',
    });
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(2000);
    expect(runtime.workersStarted).toBe(1);
  });

  it('pcall cannot swallow the budget error', () => {
    const result = run('while true do pcall(function() while true do end end) end');
    expect(result).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('context deadline exceeded'),
    });
  });

  it('caps the Lua heap of one evaluation', async () => {
    // A generous budget, so only the heap cap can stop these scripts.
    const small = await LuaRuntime.create({ budgetMs: 20_000, maxHeapBytes: 2 * 1024 * 1024 });
    try {
      const grow =
        'local t = {} for i = 1, 1e9 do t[i] = string.rep("0123456789012345678901234567890123456789", 25) .. i end';
      expect(small.evaluate(grow, 'return {}', true)).toEqual({
        kind: 'error',
        message: 'memory limit exceeded',
      });
      const big = 'return { status = "Healthy", message = #string.rep("x", 1e9) }';
      expect(small.evaluate(big, 'return {}', true)).toEqual({
        kind: 'error',
        message: 'memory limit exceeded',
      });
      expect(small.evaluate('return { status = "Healthy" }', 'return {}', true)).toMatchObject({
        kind: 'ok',
      });
    } finally {
      await small.close();
    }
  });

  it('terminates the worker when a built-in runs away (catastrophic pattern), then keeps working', () => {
    const before = runtime.workersStarted;
    const started = performance.now();
    const result = run(
      'return { status = tostring(string.find(string.rep("a", 40000), string.rep(".-", 30) .. "b")) }',
    );
    const elapsedMs = performance.now() - started;
    expect(result).toMatchObject({ kind: 'error', message: expect.stringContaining('hard limit') });
    expect(elapsedMs).toBeGreaterThanOrEqual(690);
    expect(elapsedMs).toBeLessThan(3000);
    expect(runtime.workersStarted).toBe(before + 1);
    expect(run('return { status = "Healthy", message = "after" }')).toEqual({
      kind: 'ok',
      status: 'Healthy',
      message: 'after',
    });
  });
});
