import { LUA_KEYWORDS } from './lua-tokenizer.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f]/;
const MAX_SAFE_LUA_INTEGER = 2 ** 53;

function escapeCharacter(character: string): string {
  switch (character) {
    case '"':
      return '\\"';
    case '\\':
      return '\\\\';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default:
      // Three digits, so a following digit is never read as part of the escape.
      return `\\${character.charCodeAt(0).toString().padStart(3, '0')}`;
  }
}

function quote(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  return `"${text.replace(/[\u0000-\u001f"\\\u007f]/g, escapeCharacter)}"`;
}

const floatBits = new DataView(new ArrayBuffer(8));

/**
 * A float as `(m*2^e)` with integer m and e. The Lua compiler folds it into the exact double, and, unlike a
 * decimal literal, it never reaches `strtod`, which is remarkably slow in the WebAssembly build (hundreds of µs).
 */
function exactFloat(value: number): string {
  floatBits.setFloat64(0, value);
  const high = floatBits.getUint32(0);
  const low = floatBits.getUint32(4);
  const exponentBits = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (exponentBits === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = exponentBits - 1075;
  }
  while (mantissa > 0n && (mantissa & 1n) === 0n) {
    mantissa >>= 1n;
    exponent += 1;
  }
  // 2^e alone stays a float even for e >= 0, so the product is always a float, as in gopher-lua.
  return `(${high >>> 31 === 1 ? '-' : ''}${mantissa}*2^${exponent})`;
}

function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return '(0/0)';
  if (value === Number.POSITIVE_INFINITY) return '(1/0)';
  if (value === Number.NEGATIVE_INFINITY) return '(-1/0)';
  // Whole numbers become Lua integers so they print as gopher-lua prints whole float64 values ("3", not "3.0").
  if (Number.isInteger(value) && Math.abs(value) < MAX_SAFE_LUA_INTEGER)
    return Object.is(value, -0) ? '0' : String(value);
  return exactFloat(value);
}

// Keys repeat across objects (name, type, status…): their rendering is cached.
const renderedKeys = new Map<string, string>();

function renderKey(key: string): string {
  let rendered = renderedKeys.get(key);
  if (rendered === undefined) {
    rendered = IDENTIFIER.test(key) && !LUA_KEYWORDS.has(key) ? `${key}=` : `[${quote(key)}]=`;
    if (renderedKeys.size < 10_000) renderedKeys.set(key, rendered);
  }
  return rendered;
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return numberLiteral(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return numberLiteral(Number(value));
    case 'object': {
      if (value === null) return 'nil';
      if (depth > 150) throw new RangeError('object nests deeper than 150 levels');
      let out = '{';
      if (Array.isArray(value)) {
        // gopher-json appends array items one by one, and appending nil is a no-op: null items vanish.
        for (const item of value) {
          if (item === null || item === undefined) continue;
          out += `${write(item, depth + 1)},`;
        }
      } else {
        for (const key in value as Record<string, unknown>) {
          if (!Object.hasOwn(value, key)) continue;
          const item = (value as Record<string, unknown>)[key];
          // A nil map value is never stored in a Lua table.
          if (item === null || item === undefined || typeof item === 'function' || typeof item === 'symbol')
            continue;
          out += `${renderKey(key)}${write(item, depth + 1)},`;
        }
      }
      return `${out}}`;
    }
    default:
      return 'nil';
  }
}

/**
 * Renders a JSON-like value as a Lua chunk that returns the table Argo CD would build for `obj`: whole numbers as
 * integers (they print like gopher-lua's float64), other numbers as floats, null map values dropped, null array
 * items skipped, `{}` and `[]` both empty tables.
 * @internal
 */
export function toLuaChunk(value: unknown): string {
  return `return ${write(value, 0)}`;
}
