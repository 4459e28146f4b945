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
 * - Budget: a count hook checks the wall-clock deadline and the Lua heap size every 1,000 instructions (the clock every 10,000); `pcall`
 *   cannot swallow a budget error.
 * @internal
 */
export const SANDBOX_PRELUDE = String.raw`
local type, next, pairs, ipairs, select, rawget, rawset, rawequal, rawlen =
  type, next, pairs, ipairs, select, rawget, rawset, rawequal, rawlen
local raw_tostring, tonumber, setmetatable, getmetatable, error, assert =
  tostring, tonumber, setmetatable, getmetatable, error, assert
local raw_pcall, raw_xpcall, raw_load, collectgarbage = pcall, xpcall, load, collectgarbage
local string_lib, table_lib, math_lib, os_lib, coroutine_lib = string, table, math, os, coroutine
local sformat, sfind, ssub, srep, sbyte, schar, sgsub, sgmatch, smatch, slen, slower, supper, sreverse =
  string.format, string.find, string.sub, string.rep, string.byte, string.char, string.gsub, string.gmatch,
  string.match, string.len, string.lower, string.upper, string.reverse
local tconcat, tinsert, tremove, tsort, tunpack, tpack = table.concat, table.insert, table.remove, table.sort,
  table.unpack, table.pack
local mtype, mfloor, mtointeger, mhuge, mabs, mfmod, mlog, mexp = math.type, math.floor, math.tointeger,
  math.huge, math.abs, math.fmod, math.log, math.exp
local clock, os_time, os_date = os.clock, os.time, os.date
local sethook, getinfo = debug.sethook, debug.getinfo
local utf8_char = utf8.char

local TWO_63 = 9223372036854775808.0

-- Go's strconv.FormatFloat(x, 'g', -1, 64): shortest digits that round-trip, %e form when exp < -4 or >= 21
-- for 'v'-less callers is not Go; fmt uses eprec 6 for shortest %v/%g.
local function go_shortest(x, upper)
  local s
  for p = 0, 16 do
    s = sformat("%." .. p .. "e", x)
    if tonumber(s) == x then break end
  end
  local sign, lead, frac, esign, edigits = smatch(s, "^(-?)(%d)%.?(%d*)e([-+])(%d+)$")
  local digits = sgsub(lead .. frac, "0+$", "")
  if digits == "" then digits = "0" end
  local exp = tonumber(edigits)
  if esign == "-" then exp = -exp end
  if exp < -4 or exp >= 6 then
    local mant = ssub(digits, 1, 1)
    if slen(digits) > 1 then mant = mant .. "." .. ssub(digits, 2) end
    local e = exp < 0 and -exp or exp
    local es = (e < 10) and ("0" .. e) or raw_tostring(e)
    return sign .. mant .. (upper and "E" or "e") .. (exp < 0 and "-" or "+") .. es
  end
  if exp < 0 then
    return sign .. "0." .. srep("0", -exp - 1) .. digits
  end
  local intlen = exp + 1
  if slen(digits) <= intlen then
    return sign .. digits .. srep("0", intlen - slen(digits))
  end
  return sign .. ssub(digits, 1, intlen) .. "." .. ssub(digits, intlen + 1)
end

-- gopher-lua LNumber.String(): int64 print when the value survives an int64 round trip, else Go %v.
local function go_number(x)
  if mtype(x) == "integer" then return sformat("%d", x) end
  if x ~= x then return "NaN" end
  if x == mhuge then return "+Inf" end
  if x == -mhuge then return "-Inf" end
  if x == mfloor(x) and x >= -TWO_63 and x < TWO_63 then return sformat("%d", mtointeger(x)) end
  return go_shortest(x, false)
end

local function go_tostring(v)
  if type(v) == "number" then return go_number(v) end
  return raw_tostring(v)
end

local function concat_operand(v)
  if type(v) == "number" then return go_number(v) end
  return v
end

-- The rewritten '..' operator: numbers format the Go way, everything else keeps Lua's semantics
-- (strings concatenate, other types raise the usual error or use __concat).
local function go_concat(a, b)
  if type(a) == "number" then a = go_number(a) end
  if type(b) == "number" then b = go_number(b) end
  return a .. b
end

local function to_int64(x)
  if mtype(x) == "integer" then return x end
  if x ~= x or x == mhuge or x == -mhuge then return 0 end
  local t = x >= 0 and mfloor(x) or -mfloor(-x)
  if t >= TWO_63 or t < -TWO_63 then return math.mininteger end
  return mtointeger(t)
end

local function go_quote(s)
  local out = sgsub(s, '[%c"\\\128-\255]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    if c == "\n" then return "\\n" end
    if c == "\t" then return "\\t" end
    if c == "\r" then return "\\r" end
    if c == "\a" then return "\\a" end
    if c == "\b" then return "\\b" end
    if c == "\f" then return "\\f" end
    if c == "\v" then return "\\v" end
    local b = sbyte(c)
    if b >= 128 then return c end
    return sformat("\\x%02x", b)
  end)
  return '"' .. out .. '"'
end

local function go_type_name(v)
  local t = type(v)
  if t == "number" then return "lua.LNumber" end
  if t == "string" then return "lua.LString" end
  if t == "boolean" then return "lua.LBool" end
  if t == "nil" then return "*lua.LNilType" end
  if t == "table" then return "*lua.LTable" end
  if t == "function" then return "*lua.LFunction" end
  return "*lua.LUserData"
end

local function bad_verb(verb, v)
  return "%!" .. verb .. "(" .. go_type_name(v) .. "=" .. go_tostring(v) .. ")"
end

-- gopher-lua's string.format hands the arguments to Go's fmt.Sprintf.
local function go_format(fmt, ...)
  if type(fmt) == "number" then fmt = go_number(fmt) end
  if type(fmt) ~= "string" then
    error("bad argument #1 to format (string expected, got " .. type(fmt) .. ")", 2)
  end
  local nargs = select("#", ...)
  local args = { ... }
  local _, percents = sgsub(fmt, "%%", "")
  local _, doubled = sgsub(fmt, "%%%%", "")
  local npat = percents - doubled
  if nargs > npat then nargs = npat end
  local out, argi, i, n = {}, 1, 1, slen(fmt)
  while i <= n do
    local p = sfind(fmt, "%", i, true)
    if not p then out[#out + 1] = ssub(fmt, i); break end
    if p > i then out[#out + 1] = ssub(fmt, i, p - 1) end
    local flags, width, prec, verb, stop = smatch(fmt, "^([-+# 0]*)(%d*)(%.?%d*)(.?)()", p + 1)
    i = stop
    if verb == "" then out[#out + 1] = "%!(NOVERB)"; break end
    if verb == "%" then
      out[#out + 1] = "%"
    elseif argi > nargs then
      out[#out + 1] = "%!" .. verb .. "(MISSING)"
    else
      local v = args[argi]
      argi = argi + 1
      local spec = "%" .. flags .. width .. prec
      local t = type(v)
      if verb == "d" or verb == "i" or verb == "x" or verb == "X" or verb == "o" or verb == "c" or verb == "b" then
        local nv = v
        if t == "string" and (verb == "d" or verb == "i") then
          if tonumber(v) ~= nil then out[#out + 1] = sformat(spec .. "s", v) else out[#out + 1] = sformat(spec .. "d", 0) end
          nv = nil
        elseif t == "string" and (verb == "x" or verb == "X") then
          out[#out + 1] = sformat(spec .. "s", (sgsub(v, ".", function(c) return sformat(verb == "x" and "%02x" or "%02X", sbyte(c)) end)))
          nv = nil
        elseif t ~= "number" then
          out[#out + 1] = bad_verb(verb, v)
          nv = nil
        end
        if nv ~= nil then
          local iv = to_int64(nv)
          if verb == "c" then out[#out + 1] = utf8_char(iv)
          elseif verb == "b" then
            local bits, u = {}, iv < 0 and -iv or iv
            repeat bits[#bits + 1] = raw_tostring(u % 2); u = u // 2 until u == 0
            out[#out + 1] = (iv < 0 and "-" or "") .. sreverse(tconcat(bits))
          elseif verb == "i" then out[#out + 1] = sformat(spec .. "d", iv)
          else out[#out + 1] = sformat(spec .. verb, iv) end
        end
      elseif verb == "e" or verb == "E" or verb == "f" or verb == "F" or verb == "g" or verb == "G" then
        if t ~= "number" then
          out[#out + 1] = bad_verb(verb, v)
        elseif (verb == "g" or verb == "G") and prec == "" then
          local s = go_shortest(v + 0.0, verb == "G")
          if v ~= v then s = "NaN" elseif v == mhuge then s = "+Inf" elseif v == -mhuge then s = "-Inf" end
          out[#out + 1] = sformat("%" .. flags .. width .. "s", s)
        else
          out[#out + 1] = sformat(spec .. (verb == "F" and "f" or verb), v + 0.0)
        end
      elseif verb == "s" or verb == "v" or verb == "q" then
        local s
        if t == "string" then s = v
        elseif t == "number" then s = go_number(v)
        elseif t == "boolean" then s = v and "true" or "false"
        else s = raw_tostring(v) end
        if verb == "q" then s = go_quote(s) end
        out[#out + 1] = sformat("%" .. flags .. width .. ((verb == "q") and "" or prec) .. "s", s)
      elseif verb == "t" then
        if t == "boolean" then out[#out + 1] = sformat("%" .. flags .. width .. "s", v and "true" or "false")
        else out[#out + 1] = bad_verb(verb, v) end
      else
        out[#out + 1] = bad_verb(verb, v)
      end
    end
  end
  return tconcat(out)
end

local function go_table_concat(t, sep, i, j)
  i = i or 1
  j = j or #t
  local needs_copy = false
  for k = i, j do
    if mtype(rawget(t, k)) == "float" then needs_copy = true; break end
  end
  if not needs_copy then return tconcat(t, sep, i, j) end
  local copy = {}
  for k = i, j do copy[k - i + 1] = concat_operand(rawget(t, k)) end
  return tconcat(copy, sep)
end

-- Restricted os (Argo CD util/lua/oslib_safe.go): time and date only, gopher-style.
local function int_field(t, key, default)
  local v = rawget(t, key)
  if type(v) == "number" then return to_int64(v) end
  return default
end

local function safe_time(t)
  if t == nil then return os_time() end
  if type(t) ~= "table" then error("bad argument #1 to time (table expected, got " .. type(t) .. ")", 2) end
  return os_time({
    year = int_field(t, "year", -1), month = int_field(t, "month", -1), day = int_field(t, "day", -1),
    hour = int_field(t, "hour", 12), min = int_field(t, "min", 0), sec = int_field(t, "sec", 0),
  })
end

local MONTHS = { "January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December" }
local DAYS = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" }
local function two(n) return sformat("%02d", n) end

local function safe_date(fmt, when)
  local utc = false
  if fmt == nil then fmt = "%c" end
  if type(fmt) == "number" then fmt = go_number(fmt) end
  if type(fmt) ~= "string" then error("bad argument #1 to date (string expected, got " .. type(fmt) .. ")", 2) end
  if ssub(fmt, 1, 1) == "!" then
    utc = true
    fmt = sgsub(fmt, "^!+", "")
  end
  local t
  if when ~= nil then
    if type(when) ~= "number" then error("bad argument #2 to date (number expected, got " .. type(when) .. ")", 2) end
    -- gopher-lua: an explicit time is always rendered in local time, even after '!'
    t = to_int64(when)
    utc = false
  else
    t = os_time()
  end
  local d = os_date(utc and "!*t" or "*t", t)
  if ssub(fmt, 1, 2) == "*t" then
    return { year = d.year, month = d.month, day = d.day, hour = d.hour, min = d.min, sec = d.sec,
      wday = d.wday, yday = 0, isdst = false }
  end
  local zone = utc and "UTC" or os_date("%Z", t)
  local offset = utc and "+0000" or os_date("%z", t)
  local hour12 = d.hour % 12
  if hour12 == 0 then hour12 = 12 end
  local conv = {
    a = "mon", A = DAYS[d.wday], b = ssub(MONTHS[d.month], 1, 3), B = MONTHS[d.month],
    c = two(d.day) .. " " .. ssub(MONTHS[d.month], 1, 3) .. " " .. two(d.year % 100) .. " " .. two(d.hour)
      .. ":" .. two(d.min) .. " " .. zone,
    d = two(d.day), F = sformat("%04d-%02d-%02d", d.year, d.month, d.day), H = two(d.hour), I = two(hour12),
    m = two(d.month), M = two(d.min), p = d.hour < 12 and "AM" or "PM", P = d.hour < 12 and "am" or "pm",
    S = two(d.sec), x = two(d.hour) .. "/" .. two(d.min) .. "/" .. two(d.sec),
    X = two(d.hour) .. ":" .. two(d.min) .. ":" .. two(d.sec), y = two(d.year % 100), Y = sformat("%04d", d.year),
    z = offset, Z = zone, w = raw_tostring(d.wday - 1),
  }
  local out, i, n = {}, 1, slen(fmt)
  while i <= n do
    local c = ssub(fmt, i, i)
    if c == "%" and i < n then
      local f = ssub(fmt, i + 1, i + 1)
      if f == "%" then out[#out + 1] = "%"
      elseif conv[f] then out[#out + 1] = conv[f]
      else out[#out + 1] = "%" .. f end
      i = i + 2
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return tconcat(out)
end

local function copy_table(t)
  local c = {}
  for k, v in next, t do c[k] = v end
  return c
end

local SAFE_OS = { time = safe_time, date = safe_date }

-- Budget state for the running evaluation.
local deadline, heap_limit_kb, budget_error = 0, 0, nil
local TIMEOUT_MESSAGE = "context deadline exceeded"
local MEMORY_MESSAGE = "memory limit exceeded"

local hook_calls = 0
local function budget_hook()
  if budget_error then error(budget_error, 0) end
  -- The heap check is a plain C call; the clock goes through JavaScript, so it is read every 10th time.
  if collectgarbage("count") > heap_limit_kb then
    budget_error = MEMORY_MESSAGE
    error(budget_error, 0)
  end
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
  if budget_error then error(budget_error, 0) end
  return ...
end

local function safe_pcall(f, ...)
  return reraise_budget(raw_pcall(f, ...))
end

local function safe_xpcall(f, handler, ...)
  return reraise_budget(raw_xpcall(f, function(e)
    if budget_error then return e end
    return handler(e)
  end, ...))
end

local function safe_rep(s, n, sep)
  local count = to_int64(n)
  local piece = slen(type(s) == "number" and go_number(s) or s) + (sep and slen(sep) or 0)
  if count > 0 and piece * count > heap_limit_kb * 1024 then
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

local string_meta = getmetatable("")
string_meta.__metatable = false

local function refused(name)
  return function() error(name .. " is not available in the health script sandbox", 2) end
end

-- Library tables are built once; each evaluation gets shallow copies, so a script can change its own copy only.
local STRING_TEMPLATE = make_string_lib()
local TABLE_TEMPLATE = make_table_lib()
local MATH_TEMPLATE = make_math_lib()
local COROUTINE_TEMPLATE = copy_table(coroutine_lib)
local BASE_TEMPLATE = {
  _VERSION = "Lua 5.1", assert = assert, error = error, ipairs = ipairs, pairs = pairs, next = next,
  select = select, rawequal = rawequal, rawget = rawget, rawset = rawset, rawlen = rawlen,
  setmetatable = setmetatable, getmetatable = getmetatable, tonumber = tonumber, tostring = go_tostring,
  type = type, unpack = tunpack, pcall = safe_pcall, xpcall = safe_xpcall, print = function() end,
  collectgarbage = function() return 0 end, setfenv = refused("setfenv"), dofile = refused("dofile"),
  loadfile = refused("loadfile"), module = refused("module"), __gitopsKitConcat = go_concat,
}

local function new_environment(use_open_libs, obj)
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
    return raw_load(chunk, name, "t", chunk_env or env)
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
  return env
end

local compiled = {}
local EMPTY = {}

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

function __gitopsKitRun(id, source, use_open_libs, obj_source, budget_ms, heap_kb)
  local fn = compiled[id]
  if fn == nil then
    if source == nil then return "missing" end
    local chunk, err = raw_load("return function(_ENV) " .. source .. "\nend", "=<string>", "t", EMPTY)
    if chunk == nil then return "error", error_text(err) end
    fn = chunk()
    compiled[id] = fn
  end
  local obj_chunk, obj_err = raw_load(obj_source, "=obj", "t", EMPTY)
  if obj_chunk == nil then return "error", "cannot build obj: " .. error_text(obj_err) end
  local env = new_environment(use_open_libs, obj_chunk())
  budget_error = nil
  heap_limit_kb = collectgarbage("count") + heap_kb
  deadline = clock() + budget_ms / 1000
  sethook(budget_hook, "", 1000)
  local results = tpack(raw_pcall(fn, env))
  sethook()
  string_meta.__index = nil
  if budget_error then
    local message = budget_error
    budget_error = nil
    return "error", message
  end
  if not results[1] then return "error", error_text(results[2]) end
  if results.n < 2 then return "empty" end
  return result_of(results[results.n])
end

function __gitopsKitForget(id)
  compiled[id] = nil
end

-- Nothing but the two entry points stays reachable from the global table.
string_lib.dump = nil
`;
