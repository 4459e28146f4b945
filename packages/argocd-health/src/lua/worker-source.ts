/**
 * Source of the worker thread that owns one wasmoon Lua VM, evaluated with `new Worker(source, { eval: true })`,
 * so the same file works from TypeScript sources (tests, tsx) and from the ESM/CJS builds without a second entry
 * point. The worker inherits the parent's `execArgv`, so under `node --input-type=module -e` the source is read as
 * an ES module: it therefore uses neither `require` nor `import` statements, only `process.getBuiltinModule`
 * (Node 20.16+) and a `createRequire` for wasmoon, which work in both module systems.
 *
 * Heap cap: the Lua state's allocator is replaced (`lua_setallocf`) by one that counts the bytes Lua holds and
 * refuses growth past the evaluation's limit. Lua answers a refused allocation with a full (emergency) collection
 * and one retry (`luaM_realloc_` in lmem.c); a refusal of that retry marks the evaluation as over its cap. A
 * refusal Lua could not retry (during a collection) also counts until the next allocation succeeds. The Lua side
 * reads the mark through `__gitopsKitMemoryFailed` (a C function) so that `pcall`, `coroutine.resume` and `load`
 * cannot swallow it.
 *
 * Protocol (one request at a time, the main thread blocks on `Atomics.wait`):
 * - workerData: `{ port, signal, wasmoonPath, prelude, maxWasmMemoryBytes }`.
 * - request `{ id, source?, useOpenLibs, objSource, budgetMs, heapBytes, mode?, paramsSource? }` → response `{ kind,
 *   status?, message?, recycle, wasmMemoryBytes }` posted on `port`, then `signal[0]` is set to 1 and notified.
 *   `mode: 'json'` (resource actions) answers `{ kind: 'ok', status: <JSON text> }` or `{ kind: 'type', status:
 *   <Lua type> }`.
 * - after initialisation `signal[1]` is set to 1 (ready) or 2 (failed, `{ kind: 'init-error', message }` posted).
 * @internal
 */
export const LUA_WORKER_SOURCE = `
'use strict';
(async () => {
const { workerData } = process.getBuiltinModule('node:worker_threads');
const { port, signal, wasmoonPath, prelude, maxWasmMemoryBytes } = workerData;
const flags = new Int32Array(signal);
const MEMORY_MESSAGE = 'memory limit exceeded';

function notify(index, value) {
  Atomics.store(flags, index, value);
  Atomics.notify(flags, index);
}

const heap = { usedBytes: 0, limitBytes: Infinity, refused: null, failed: false };

function installAllocator(lua, L) {
  const module = lua.module;
  const allocate = module.addFunction((_userData, pointer, signedOldSize, signedNewSize) => {
    // size_t arrives as a signed i32: a request of 2 GiB or more must not look like a shrink.
    const oldSize = signedOldSize >>> 0;
    const newSize = signedNewSize >>> 0;
    if (newSize === 0) {
      if (pointer !== 0) {
        heap.usedBytes -= oldSize;
        module._free(pointer);
      }
      return 0;
    }
    // For a new block Lua passes the object's type in oldSize, not a size.
    const growth = pointer === 0 ? newSize : newSize - oldSize;
    if (growth > 0) {
      const refused = heap.refused;
      const isRetry = refused !== null && refused.pointer === pointer && refused.newSize === newSize;
      // Only Lua's retry after its emergency collection may follow a refusal; anything else means the refusal
      // stood (a buffer resize in lauxlib raises at once), so the evaluation is over its cap.
      if (refused !== null && !isRetry) heap.failed = true;
      if (heap.usedBytes + growth > heap.limitBytes) {
        if (isRetry) heap.failed = true;
        heap.refused = { pointer, newSize };
        return 0;
      }
      heap.refused = null;
    }
    const block = module._realloc(pointer, newSize);
    if (block !== 0) heap.usedBytes += growth;
    return block;
  }, 'iiiii');
  lua.lua_setallocf(L, allocate, null);
  const memoryFailed = module.addFunction((state) => {
    lua.lua_pushboolean(state, heap.failed || heap.refused !== null ? 1 : 0);
    return 1;
  }, 'ii');
  lua.lua_pushcclosure(L, memoryFailed, 0);
  lua.lua_setglobal(L, '__gitopsKitMemoryFailed');
}

let lua;
let L;
let memory;
try {
  const load = process.getBuiltinModule('node:module').createRequire(wasmoonPath);
  const { LuaFactory } = load(wasmoonPath);
  const factory = new LuaFactory();
  const engine = await factory.createEngine({ openStandardLibs: true, injectObjects: false, enableProxy: false });
  lua = engine.global.lua;
  L = engine.global.address;
  memory = lua.module;
  // The blocks allocated so far came from the same malloc, so the new allocator can free and resize them; it
  // counts from zero, which is all a per-evaluation limit needs.
  installAllocator(lua, L);
  engine.doStringSync(prelude);
} catch (error) {
  port.postMessage({ kind: 'init-error', message: String(error && error.message ? error.message : error) });
  notify(1, 2);
  return;
}

function run(request) {
  lua.lua_settop(L, 0);
  lua.lua_getglobal(L, '__gitopsKitRun');
  lua.lua_pushinteger(L, BigInt(request.id));
  if (typeof request.source === 'string') lua.lua_pushstring(L, request.source);
  else lua.lua_pushnil(L);
  lua.lua_pushboolean(L, request.useOpenLibs ? 1 : 0);
  lua.lua_pushstring(L, request.objSource);
  lua.lua_pushnumber(L, request.budgetMs);
  lua.lua_pushnumber(L, request.heapBytes);
  lua.lua_pushstring(L, request.mode === 'json' ? 'json' : 'health');
  if (typeof request.paramsSource === 'string') lua.lua_pushstring(L, request.paramsSource);
  else lua.lua_pushnil(L);
  heap.refused = null;
  heap.failed = false;
  heap.limitBytes = heap.usedBytes + request.heapBytes;
  let rc;
  try {
    rc = lua.lua_pcallk(L, 8, 3, 0, 0, null);
  } finally {
    heap.limitBytes = Infinity;
  }
  let response;
  if (heap.failed || heap.refused !== null) {
    response = { kind: 'error', message: MEMORY_MESSAGE };
  } else if (rc !== 0) {
    response = { kind: 'error', message: String(lua.lua_tolstring(L, -1, null)) };
  } else {
    const kind = lua.lua_tolstring(L, 1, null);
    response = { kind };
    if (lua.lua_type(L, 2) === 4) response.status = lua.lua_tolstring(L, 2, null);
    if (lua.lua_type(L, 3) === 4) response.message = lua.lua_tolstring(L, 3, null);
    if (kind === 'error') response.message = response.status;
  }
  lua.lua_settop(L, 0);
  heap.refused = null;
  heap.failed = false;
  return response;
}

port.on('message', (request) => {
  let response;
  try {
    response = run(request);
  } catch (error) {
    response = { kind: 'error', message: String(error && error.message ? error.message : error), fatal: true };
  }
  response.wasmMemoryBytes = memory.HEAPU8.buffer.byteLength;
  response.recycle = response.fatal === true || response.wasmMemoryBytes > maxWasmMemoryBytes;
  port.postMessage(response);
  notify(0, 1);
});
notify(1, 1);
})();
`;
