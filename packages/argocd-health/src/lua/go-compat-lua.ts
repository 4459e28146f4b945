/**
 * First part of the Lua prelude: captures the real standard library in locals and defines the gopher-lua
 * (Go-flavoured) pieces: number formatting like Go's `fmt.Sprint(float64)`, `string.format` as Go's
 * `fmt.Sprintf`, `table.concat` and the `..` operator with Go numbers, and Argo CD's restricted `os`
 * (`util/lua/oslib_safe.go`: `os.time` and a gopher-style `os.date`). `sandbox-prelude.ts` appends the sandbox
 * itself; both run as one chunk, so the locals here are visible there.
 * @internal
 */
export const GO_COMPAT_LUA = String.raw`
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

-- Go's fmt %v / %g for a float64: the shortest digits that round-trip, in %e form when the decimal exponent is
-- below -4 or at least 6 (strconv uses precision 6 for that decision when the precision is shortest).
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

`;
