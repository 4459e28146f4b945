import { GO_COMPAT_LUA } from './go-compat-lua.js';

// Second part of the prelude: budget hook, library tables, per-evaluation environment and the entry point.
const SANDBOX_LUA = String.raw`-- Budget state for the running evaluation.
local deadline, heap_limit_bytes, budget_error = 0, 0, nil
local TIMEOUT_MESSAGE = "context deadline exceeded"
local MEMORY_MESSAGE = "memory limit exceeded"

-- The worker's allocator enforces the heap cap; this C function tells whether it refused an allocation in the
-- running evaluation (see worker-source.ts). Scripts never see the global.
local memory_failed = __gitopsKitMemoryFailed
__gitopsKitMemoryFailed = nil
local co_create, co_wrap, co_resume, co_close = coroutine_lib.create, coroutine_lib.wrap, coroutine_lib.resume,
  coroutine_lib.close

local function check_budget()
  if not budget_error and memory_failed() then budget_error = MEMORY_MESSAGE end
  if budget_error then error(budget_error, 0) end
end

local hook_calls = 0
local function budget_hook()
  check_budget()
  -- The clock goes through JavaScript, so it is read every 10th time.
  hook_calls = hook_calls + 1
  if hook_calls % 10 == 0 and clock() > deadline then
    -- Name the script line that was running, not a line of this prelude.
    local where, level = "", 2
    while true do
      local info = getinfo(level, "Sl")
      if info == nil then break end
      if info.short_src == "<string>" and info.currentline and info.currentline > 0 then
        where = "<string>:" .. info.currentline .. ": "
        break
      end
      level = level + 1
    end
    budget_error = where .. TIMEOUT_MESSAGE
    error(budget_error, 0)
  end
end

local function reraise_budget(...)
  check_budget()
  return ...
end

local function safe_pcall(f, ...)
  return reraise_budget(raw_pcall(f, ...))
end

local function safe_xpcall(f, handler, ...)
  return reraise_budget(raw_xpcall(f, function(e)
    if budget_error or memory_failed() then return e end
    return handler(e)
  end, ...))
end

local function safe_rep(s, n, sep)
  local count = to_int64(n)
  local piece = slen(type(s) == "number" and go_number(s) or s) + (sep and slen(sep) or 0)
  if count > 0 and piece * count > heap_limit_bytes then
    budget_error = MEMORY_MESSAGE
    error(budget_error, 0)
  end
  return srep(s, count, sep)
end

local function int_arg(v)
  if type(v) == "number" then return to_int64(v) end
  return v
end

local function make_string_lib()
  local s = {
    byte = function(str, i, j) return sbyte(str, int_arg(i), int_arg(j)) end,
    char = function(...)
      local codes = { ... }
      for k = 1, select("#", ...) do codes[k] = int_arg(codes[k]) end
      return schar(tunpack(codes, 1, select("#", ...)))
    end,
    find = function(str, pattern, init, plain) return sfind(str, pattern, int_arg(init), plain) end,
    format = go_format,
    gmatch = sgmatch,
    gsub = function(str, pattern, repl, n) return sgsub(str, pattern, repl, int_arg(n)) end,
    len = slen, lower = slower,
    match = function(str, pattern, init) return smatch(str, pattern, int_arg(init)) end,
    rep = safe_rep, reverse = sreverse,
    sub = function(str, i, j) return ssub(str, int_arg(i) or 1, int_arg(j)) end,
    upper = supper,
  }
  s.gfind = sgmatch
  return s
end

local function make_table_lib()
  return {
    concat = go_table_concat,
    insert = tinsert,
    remove = tremove,
    sort = tsort,
    getn = function(t) return #t end,
    setn = function() error("setn is obsolete", 2) end,
    maxn = function(t)
      local m = 0
      for k in next, t do if type(k) == "number" and k > m then m = k end end
      return m
    end,
  }
end

local function make_math_lib()
  local m = copy_table(math_lib)
  m.pow = function(x, y) return x ^ y end
  m.mod = mfmod
  m.fmod = function(x, y)
    if mtype(x) == "integer" and mtype(y) == "integer" and y == 0 then return 0 / 0 end
    return mfmod(x, y)
  end
  m.log10 = function(x) return mlog(x, 10) end
  m.ldexp = function(x, e) return x * 2.0 ^ e end
  m.frexp = function(x)
    if x == 0 or x ~= x or x == mhuge or x == -mhuge then return x, 0 end
    local e = mfloor(mlog(mabs(x), 2)) + 1
    local f = x / 2.0 ^ e
    if mabs(f) >= 1 then f = f / 2; e = e + 1 elseif mabs(f) < 0.5 then f = f * 2; e = e - 1 end
    return f, e
  end
  m.cosh = function(x) return (mexp(x) + mexp(-x)) / 2 end
  m.sinh = function(x) return (mexp(x) - mexp(-x)) / 2 end
  m.tanh = function(x) local a, b = mexp(x), mexp(-x); return (a - b) / (a + b) end
  m.atan2 = function(y, x) return math_lib.atan(y, x) end
  m.type, m.tointeger, m.ult, m.maxinteger, m.mininteger = nil, nil, nil, nil, nil
  return m
end

-- Hooks set by debug.sethook are per thread (a new coroutine inherits the C hook, but ldblib's hook table has no
-- entry for it, so nothing runs): every coroutine a script creates gets the budget hook as its first act. Its
-- errors surface through resume/close, which must not swallow a budget error either.
local function hooked(f, name)
  if type(f) ~= "function" then
    error("bad argument #1 to '" .. name .. "' (function expected)", 3)
  end
  return function(...)
    sethook(budget_hook, "", 1000)
    return f(...)
  end
end

local function make_coroutine_lib()
  local c = copy_table(coroutine_lib)
  c.create = function(f) return co_create(hooked(f, "create")) end
  c.wrap = function(f) return co_wrap(hooked(f, "wrap")) end
  c.resume = function(co, ...) return reraise_budget(co_resume(co, ...)) end
  c.close = function(co) return reraise_budget(co_close(co)) end
  return c
end

-- gopher-lua has no finalizers (Argo CD's scripts never see __gc run), and Lua 5.4 runs finalizers with hooks
-- off at any later collection, possibly inside another evaluation: an object is never marked for finalization
-- here. Lua marks an object only when its metatable has __gc at setmetatable time (lgc.c luaC_checkfinalizer),
-- so the field is hidden for that moment and put back: the script still sees its own metatable unchanged.
local function sandbox_setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then
    local gc = rawget(mt, "__gc")
    rawset(mt, "__gc", nil)
    local ok, result = raw_pcall(setmetatable, t, mt)
    rawset(mt, "__gc", gc)
    if not ok then error(result, 2) end
    return result
  end
  return setmetatable(t, mt)
end

local string_meta = getmetatable("")
string_meta.__metatable = false

local function refused(name)
  return function() error(name .. " is not available in the health script sandbox", 2) end
end

-- Library tables are built once; each evaluation gets shallow copies, so a script can change its own copy only.
local STRING_TEMPLATE = make_string_lib()
local TABLE_TEMPLATE = make_table_lib()
local MATH_TEMPLATE = make_math_lib()
local COROUTINE_TEMPLATE = make_coroutine_lib()
local BASE_TEMPLATE = {
  _VERSION = "Lua 5.1", assert = assert, error = error, ipairs = ipairs, pairs = pairs, next = next,
  select = select, rawequal = rawequal, rawget = rawget, rawset = rawset, rawlen = rawlen,
  setmetatable = sandbox_setmetatable, getmetatable = getmetatable, tonumber = tonumber, tostring = go_tostring,
  type = type, unpack = tunpack, pcall = safe_pcall, xpcall = safe_xpcall, print = function() end,
  collectgarbage = function() return 0 end, setfenv = refused("setfenv"), dofile = refused("dofile"),
  loadfile = refused("loadfile"), module = refused("module"), __gitopsKitConcat = go_concat,
}

local function new_environment(use_open_libs, obj, action_params)
  local env = copy_table(BASE_TEMPLATE)
  local loaded = {}
  local preload = { os = function() return copy_table(SAFE_OS) end }
  local package_lib = { loaded = loaded, preload = preload, path = "", cpath = "" }
  env._G = env
  env.getfenv = function() return env end
  local function sandbox_load(chunk, name, _, chunk_env)
    if type(chunk) == "string" and sbyte(chunk, 1) == 27 then
      return nil, "attempt to load a binary chunk"
    end
    -- load catches errors (a refused allocation while parsing, a budget error in a reader function).
    return reraise_budget(raw_load(chunk, name, "t", chunk_env or env))
  end
  env.load = sandbox_load
  env.loadstring = function(s, name) return sandbox_load(s, name) end
  env.require = function(name)
    if type(name) ~= "string" then error("bad argument #1 to require (string expected)", 2) end
    local value = loaded[name]
    if value ~= nil then return value end
    local loader = preload[name]
    if loader == nil then error("module " .. name .. " not found", 2) end
    value = loader(name)
    if value == nil then value = true end
    loaded[name] = value
    return value
  end
  env.package = package_lib
  env.table = copy_table(TABLE_TEMPLATE)
  env.os = copy_table(SAFE_OS)
  loaded._G, loaded.table, loaded.os, loaded.package = env, env.table, env.os, package_lib
  if use_open_libs then
    env.string = copy_table(STRING_TEMPLATE)
    env.math = copy_table(MATH_TEMPLATE)
    env.coroutine = copy_table(COROUTINE_TEMPLATE)
    loaded.string, loaded.math, loaded.coroutine = env.string, env.math, env.coroutine
    string_meta.__index = env.string
  else
    string_meta.__index = nil
  end
  env.obj = obj
  -- util/lua/lua.go sets the actionParams global for every script (an empty table when there are none).
  env.actionParams = action_params or {}
  return env
end

local compiled = {}

local function error_text(e)
  if type(e) == "string" then return e end
  return go_tostring(e)
end

local function result_of(value)
  if value == nil then return "empty" end
  if type(value) ~= "table" then
    return "error", "expect table output from Lua script, not " .. type(value)
  end
  if next(value) == nil or rawget(value, 1) ~= nil then return "empty" end
  local status, message = rawget(value, "status"), rawget(value, "message")
  if status ~= nil and type(status) ~= "string" then
    return "error", "json: cannot unmarshal " .. (type(status) == "table" and "object" or type(status))
      .. " into Go struct field HealthStatus.status of type health.HealthStatusCode"
  end
  if message ~= nil and type(message) ~= "string" then
    return "error", "json: cannot unmarshal " .. (type(message) == "table" and "object" or type(message))
      .. " into Go struct field HealthStatus.message of type string"
  end
  return "ok", status or "", message or ""
end

-- Compiles a script once per worker. The source is checked on its own first: wrapped in a function it could
-- otherwise close that function early and run code at compile time, outside the budget hook. Every chunk gets a
-- fresh environment table, so nothing written while loading is shared.
local function compile(source)
  local alone, syntax_error = raw_load(source, "=<string>", "t", {})
  if alone == nil then return nil, error_text(syntax_error) end
  local chunk, err = raw_load("return function(_ENV) " .. source .. "\nend", "=<string>", "t", {})
  if chunk == nil then return nil, error_text(err) end
  return chunk()
end

-- Garbage an evaluation leaves behind would count against the next one's cap; past this much growth it is
-- collected at once (there are no finalizers to run, see sandbox_setmetatable).
local COLLECT_AFTER_GROWTH_KB = 1024

-- JSON text of a script's result as gopher-json (layeh.com/gopher-json, used by util/lua/lua.go for actions)
-- encodes it: an empty table is [], a table with a sequence part an array, any other table an object with
-- string keys; numbers print like Go's float64.
local function json_string(s)
  return '"' .. sgsub(s, '[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == '\\' then return '\\\\' end
    return sformat("\\u%04x", sbyte(c))
  end) .. '"'
end

local function json_encode(value, depth)
  if depth > 200 then error("json: nesting too deep", 0) end
  local kind = type(value)
  if value == nil then return "null" end
  if kind == "boolean" then return value and "true" or "false" end
  if kind == "string" then return json_string(value) end
  if kind == "number" then
    if value ~= value or value == mhuge or value == -mhuge then
      error("json: unsupported value: " .. go_number(value), 0)
    end
    return go_number(value)
  end
  if kind ~= "table" then error("cannot encode " .. kind .. " to JSON", 0) end
  local parts = {}
  if next(value) == nil then return "[]" end
  local length = rawlen(value)
  if length > 0 then
    for index = 1, length do parts[index] = json_encode(rawget(value, index), depth + 1) end
    return "[" .. tconcat(parts, ",") .. "]"
  end
  local keys = {}
  for key in next, value do
    if type(key) ~= "string" then error("cannot encode mixed or invalid key types", 0) end
    keys[#keys + 1] = key
  end
  tsort(keys)
  for index, key in ipairs(keys) do
    parts[index] = json_string(key) .. ":" .. json_encode(rawget(value, key), depth + 1)
  end
  return "{" .. tconcat(parts, ",") .. "}"
end

-- mode "health": the result is read as a health status; mode "json": the last value is returned as JSON text
-- (resource actions and their discovery, util/lua/lua.go ExecuteResourceAction / ExecuteResourceActionDiscovery).
function __gitopsKitRun(id, source, use_open_libs, obj_source, budget_ms, heap_bytes, mode, params_source)
  local heap_at_start_kb = collectgarbage("count")
  budget_error = nil
  heap_limit_bytes = heap_bytes
  local fn = compiled[id]
  if fn == nil then
    if source == nil then return "missing" end
    local err
    fn, err = compile(source)
    if fn == nil then return "error", err end
    compiled[id] = fn
  end
  local obj_chunk, obj_err = raw_load(obj_source, "=obj", "t", {})
  if obj_chunk == nil then return "error", "cannot build obj: " .. error_text(obj_err) end
  local params
  if params_source ~= nil then
    local params_chunk, params_err = raw_load(params_source, "=actionParams", "t", {})
    if params_chunk == nil then return "error", "cannot build actionParams: " .. error_text(params_err) end
    params = params_chunk()
  end
  local env = new_environment(use_open_libs, obj_chunk(), params)
  deadline = clock() + budget_ms / 1000
  sethook(budget_hook, "", 1000)
  local results = tpack(raw_pcall(fn, env))
  if not results[1] and not budget_error and type(results[2]) ~= "string" then
    -- An error object's __tostring (or __name) is script code: it runs under the budget like the rest.
    local ok, text = raw_pcall(error_text, results[2])
    results[2] = (ok and type(text) == "string") and text or "(error object is not a string)"
  end
  local encoded
  if mode == "json" and results[1] and results.n >= 2 and type(results[results.n]) == "table" then
    -- Encoding runs under the same budget and heap cap: a huge or cyclic result cannot stall the worker.
    encoded = tpack(raw_pcall(json_encode, results[results.n], 0))
  end
  sethook()
  string_meta.__index = nil
  if not budget_error and memory_failed() then budget_error = MEMORY_MESSAGE end
  if collectgarbage("count") > heap_at_start_kb + COLLECT_AFTER_GROWTH_KB then
    env = nil
    if budget_error then results = nil end
    collectgarbage("collect")
  end
  if budget_error then
    local message = budget_error
    budget_error = nil
    return "error", message
  end
  if not results[1] then return "error", error_text(results[2]) end
  if mode == "json" then
    if results.n < 2 then return "ok", "null" end
    local last = results[results.n]
    if type(last) ~= "table" then return "type", type(last) end
    if not encoded[1] then return "error", error_text(encoded[2]) end
    return "ok", encoded[2]
  end
  if results.n < 2 then return "empty" end
  return result_of(results[results.n])
end

-- string.dump would hand out bytecode; the sandbox string table never had it, the real one loses it too.
string_lib.dump = nil
`;

/**
 * Lua 5.4 source run once in every Lua worker. It captures the real standard library in locals, builds the
 * gopher-lua (Lua 5.1) compatible, sandboxed environment a health script sees, and defines `__gitopsKitRun`, the
 * only entry point the worker calls.
 *
 * Why each piece exists (behaviour matched: Argo CD `util/lua/lua.go` running gopher-lua 1.1):
 * - gopher-lua numbers are float64 and print like Go (`fmt.Sprint`): whole values without `.0`, others in Go's
 *   shortest `%v` form, `NaN`, `+Inf`. Lua 5.4 prints `2.0` for a whole float, so `tostring`, `table.concat`,
 *   `string.format`, `print` and the `..` operator (rewritten to `__gitopsKitConcat` by the source rewriter)
 *   format numbers the Go way.
 * - `string.format` is Go's `fmt.Sprintf` in gopher-lua (`%d` truncates floats, `%v`, `%q` quotes Go-style,
 *   missing arguments print `%!d(MISSING)`).
 * - Functions removed after 5.1 are restored: `unpack`, `table.getn`, `table.maxn`, `loadstring`, `math.pow`,
 *   `math.mod`, `math.log10`, `math.ldexp`, `math.frexp`, `math.cosh`/`sinh`/`tanh`, `math.atan2`, `string.gfind`.
 * - Library modes: base/table/package and a restricted `os` (time/date only, gopher-style `os.date`) always;
 *   string/math/coroutine only with `useOpenLibs`. `io`, `debug`, `string.dump`, `dofile`, `loadfile`, binary
 *   chunks and `require` of anything but preloaded modules are never reachable.
 * - Budget: a count hook, installed on the main thread and on every coroutine a script creates, checks the
 *   wall-clock deadline every 10,000 instructions and the allocator's heap-cap mark every 1,000; `pcall`,
 *   `xpcall`, `coroutine.resume`/`close` and `load` cannot swallow a budget error.
 * - Isolation: a fresh environment and fresh library tables per evaluation, no finalizers (`__gc` is never
 *   armed), a locked string metatable, and scripts compiled so that no code runs outside the evaluation.
 * @internal
 */
export const SANDBOX_PRELUDE = `${GO_COMPAT_LUA}\n${SANDBOX_LUA}`;
