/**
 * Source of the worker thread that owns one wasmoon Lua VM. It is plain CommonJS evaluated with
 * `new Worker(source, { eval: true })`, so the same file works from TypeScript sources (tests, tsx) and from the
 * ESM/CJS builds without a second entry point.
 *
 * Protocol (one request at a time, the main thread blocks on `Atomics.wait`):
 * - workerData: `{ port, signal, wasmoonPath, prelude, maxWasmMemoryBytes }`.
 * - request `{ id, source?, useOpenLibs, objSource, budgetMs, heapKb, mode?, paramsSource? }` → response `{ kind,
 *   status?, message?, recycle }` posted on `port`, then `signal[0]` is set to 1 and notified. `mode: 'json'`
 *   (resource actions) answers `{ kind: 'ok', status: <JSON text> }` or `{ kind: 'type', status: <Lua type> }`.
 * - after initialisation `signal[1]` is set to 1 (ready) or 2 (failed, `{ kind: 'init-error', message }` posted).
 * @internal
 */
export const LUA_WORKER_SOURCE = `
'use strict';
const { workerData } = require('node:worker_threads');
const { port, signal, wasmoonPath, prelude, maxWasmMemoryBytes } = workerData;
const flags = new Int32Array(signal);

function notify(index, value) {
  Atomics.store(flags, index, value);
  Atomics.notify(flags, index);
}

(async () => {
  let lua;
  let L;
  let memory;
  try {
    const { LuaFactory } = require(wasmoonPath);
    const factory = new LuaFactory();
    const engine = await factory.createEngine({ openStandardLibs: true, injectObjects: false, enableProxy: false });
    engine.doStringSync(prelude);
    lua = engine.global.lua;
    L = engine.global.address;
    memory = lua.module;
  } catch (error) {
    port.postMessage({ kind: 'init-error', message: String(error && error.message ? error.message : error) });
    notify(1, 2);
    return;
  }
  port.on('message', (request) => {
    let response;
    try {
      lua.lua_settop(L, 0);
      lua.lua_getglobal(L, '__gitopsKitRun');
      lua.lua_pushinteger(L, BigInt(request.id));
      if (typeof request.source === 'string') lua.lua_pushstring(L, request.source);
      else lua.lua_pushnil(L);
      lua.lua_pushboolean(L, request.useOpenLibs ? 1 : 0);
      lua.lua_pushstring(L, request.objSource);
      lua.lua_pushnumber(L, request.budgetMs);
      lua.lua_pushnumber(L, request.heapKb);
      lua.lua_pushstring(L, request.mode === 'json' ? 'json' : 'health');
      if (typeof request.paramsSource === 'string') lua.lua_pushstring(L, request.paramsSource);
      else lua.lua_pushnil(L);
      const rc = lua.lua_pcallk(L, 8, 3, 0, 0, null);
      if (rc !== 0) {
        response = { kind: 'error', message: String(lua.lua_tolstring(L, -1, null)) };
      } else {
        const kind = lua.lua_tolstring(L, 1, null);
        response = { kind };
        if (lua.lua_type(L, 2) === 4) response.status = lua.lua_tolstring(L, 2, null);
        if (lua.lua_type(L, 3) === 4) response.message = lua.lua_tolstring(L, 3, null);
        if (kind === 'error') response.message = response.status;
      }
      lua.lua_settop(L, 0);
    } catch (error) {
      response = { kind: 'error', message: String(error && error.message ? error.message : error), fatal: true };
    }
    response.recycle = response.fatal === true || memory.HEAPU8.buffer.byteLength > maxWasmMemoryBytes;
    port.postMessage(response);
    notify(0, 1);
  });
  notify(1, 1);
})();
`;
