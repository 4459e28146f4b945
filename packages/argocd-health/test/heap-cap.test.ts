import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuaRuntime } from '../src/lua/lua-runtime.js';

const MIB = 1024 * 1024;
const HEAP_CAP_BYTES = 64 * MIB;
// What the worker's WebAssembly memory may reach besides the capped Lua heap: the VM itself, the prelude and
// compiled scripts (a few MiB), and one block being moved by realloc (at most the cap again).
const WASM_MEMORY_BOUND_BYTES = 2 * HEAP_CAP_BYTES + 32 * MIB;

let runtime: LuaRuntime;
let rssAtStartBytes: number;

beforeAll(async () => {
  // A budget far longer than any of these scripts needs to blow up: only the heap cap can stop them. Default cap.
  runtime = await LuaRuntime.create({ budgetMs: 15_000 });
  runtime.evaluate('return { status = "Healthy" }', 'return {}', true);
  rssAtStartBytes = process.memoryUsage().rss;
});

afterAll(async () => {
  await runtime.close();
});

function expectMemoryLimit(script: string): void {
  expect(runtime.evaluate(script, 'return {}', true)).toEqual({
    kind: 'error',
    message: 'memory limit exceeded',
  });
  // The worker reports its WebAssembly memory with every answer; it never shrinks, so this is the peak.
  expect(runtime.lastWasmMemoryBytes).toBeGreaterThan(0);
  expect(runtime.lastWasmMemoryBytes).toBeLessThan(WASM_MEMORY_BOUND_BYTES);
  // The worker is a thread of this process: its memory is part of this process's RSS.
  expect(process.memoryUsage().rss - rssAtStartBytes).toBeLessThan(WASM_MEMORY_BOUND_BYTES);
  expect(runtime.workersStarted).toBe(1);
}

describe('the heap cap holds for every allocation path (default 64 MiB)', () => {
  it.each([
    [
      '28 string doublings (256 MiB)',
      'local s = "x" for i = 1, 28 do s = s .. s end return { status = "Healthy", message = #s }',
    ],
    [
      '40 string doublings (1 TiB)',
      'local s = "x" for i = 1, 40 do s = s .. s end return { status = "Healthy" }',
    ],
    ['string.rep of 1 GiB', 'return { status = "Healthy", message = #string.rep("x", 2^30) }'],
    [
      'string.rep with a separator',
      'return { status = "Healthy", message = #string.rep("", 2^27, "0123456789") }',
    ],
    [
      'string.format padding',
      'local s = string.format("%099d", 1) for i = 1, 30 do s = string.format("%s%s", s, s) end',
    ],
    ['table growth', 'local t = {} for i = 1, 1e9 do t[i] = i end'],
    [
      'table growth inside coroutine.wrap',
      'coroutine.wrap(function() local t = {} for i = 1, 1e9 do t[i] = i end end)()',
    ],
    [
      'table growth inside a resumed coroutine',
      'local co = coroutine.create(function() local t = {} for i = 1, 1e9 do t[i] = i end end) local ok, e = coroutine.resume(co) return { status = "Healthy", message = tostring(e) }',
    ],
    [
      'string doublings inside a coroutine',
      'return coroutine.wrap(function() local s = "x" for i = 1, 40 do s = s .. s end return { status = "Healthy" } end)()',
    ],
    [
      'a string.gsub blow-up',
      'local s = string.gsub(string.rep("x", 2^17), "x", string.rep("y", 1024)) return { status = "Healthy", message = #s }',
    ],
    [
      'table.concat',
      'local t, piece = {}, string.rep("y", 2^20) for i = 1, 128 do t[i] = piece end return { status = "Healthy", message = #table.concat(t) }',
    ],
    [
      'pcall around the allocation',
      'local s = "x" while true do local ok = pcall(function() s = s .. s end) if not ok then s = "x" end end',
    ],
    [
      'xpcall around the allocation',
      'local s = "x" while true do xpcall(function() s = s .. s end, function(e) s = "x" return e end) end',
    ],
    [
      'coroutine.resume around the allocation',
      'local s = "x" while true do local co = coroutine.create(function() s = s .. s end) local ok = coroutine.resume(co) if not ok then s = "x" end end',
    ],
    [
      'load around the allocation',
      'local s = "return 1 --" for i = 1, 40 do local f = load(s) s = s .. s end',
    ],
  ])('%s ends as "memory limit exceeded"', (_name, script) => {
    expectMemoryLimit(script);
  });

  it('an evaluation after a capped one starts with the whole cap again', () => {
    expectMemoryLimit('local s = "x" for i = 1, 28 do s = s .. s end');
    // string.rep holds its buffer and the result at once: 2 × 24 MiB, under the cap each time.
    const nearCap =
      'local s = string.rep("x", 24 * 2^20) return { status = "Healthy", message = tostring(#s) }';
    for (let round = 0; round < 3; round += 1) {
      expect(runtime.evaluate(nearCap, 'return {}', true)).toEqual({
        kind: 'ok',
        status: 'Healthy',
        message: String(24 * MIB),
      });
    }
  });
});

describe('the instruction budget runs inside coroutines', () => {
  it.each([
    ['coroutine.wrap', 'coroutine.wrap(function() while true do end end)()'],
    [
      'coroutine.resume',
      'local co = coroutine.create(function() while true do end end) coroutine.resume(co) return { status = "Healthy" }',
    ],
    [
      'a loop of resumes that swallow errors',
      'while true do coroutine.resume(coroutine.create(function() while true do end end)) end',
    ],
    [
      'coroutine.close of a failed coroutine',
      'while true do local co = coroutine.create(function() while true do end end) coroutine.resume(co) coroutine.close(co) end',
    ],
    [
      'a nested coroutine',
      'coroutine.wrap(function() coroutine.wrap(function() while true do end end)() end)()',
    ],
  ])('%s ends at the budget', async (_name, script) => {
    const short = await LuaRuntime.create({ budgetMs: 200, hardStopGraceMs: 10_000 });
    try {
      expect(short.evaluate(script, 'return {}', true)).toMatchObject({
        kind: 'error',
        message: expect.stringMatching(/^(<string>:\d+: )*context deadline exceeded$/),
      });
      // The hook stopped it, not the hard stop (which would have replaced the worker).
      expect(short.workersStarted).toBe(1);
    } finally {
      await short.close();
    }
  });
});
