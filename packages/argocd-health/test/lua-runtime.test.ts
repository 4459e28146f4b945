import { describe, expect, it } from 'vitest';
import { LuaRuntime } from '../src/lua/lua-runtime.js';

describe('LuaRuntime', () => {
  it('caches compiled scripts, and replaces the worker once more than maxCachedScripts were seen', async () => {
    const runtime = await LuaRuntime.create({ maxCachedScripts: 16 });
    try {
      for (let index = 0; index < 16; index += 1) {
        expect(
          runtime.evaluate(`return { status = "Healthy", message = "${index}" }`, 'return {}', false),
        ).toMatchObject({
          message: String(index),
        });
      }
      expect(runtime.workersStarted).toBe(1);
      expect(
        runtime.evaluate('return { status = "Healthy", message = "one more" }', 'return {}', false),
      ).toMatchObject({
        kind: 'ok',
        message: 'one more',
      });
      expect(runtime.workersStarted).toBe(2);
      expect(
        runtime.evaluate('return { status = "Healthy", message = "0" }', 'return {}', false),
      ).toMatchObject({
        message: '0',
      });
    } finally {
      await runtime.close();
    }
  });

  it('throws after close', async () => {
    const runtime = await LuaRuntime.create();
    await runtime.close();
    expect(() => runtime.evaluate('return nil', 'return {}', false)).toThrow(/closed/);
  });
});
