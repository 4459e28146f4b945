/**
 * `JSON.parse` that drops `__proto__` keys and `constructor.prototype` members, so a parsed body later merged with
 * `Object.assign` or a deep merge cannot change `Object.prototype` (the secure-json-parse rule vercel/ai follows).
 * The slower reviver only runs when the text contains one of those names.
 *
 * @param text - JSON text.
 * @returns The parsed value.
 * @throws {SyntaxError} when the text is not JSON.
 * @example
 * ```ts
 * safeJsonParse('{"__proto__":{"polluted":true},"a":1}'); // { a: 1 }
 * ```
 */
export function safeJsonParse(text: string): unknown {
  if (!text.includes('__proto__') && !text.includes('constructor')) return JSON.parse(text);
  return JSON.parse(text, function reviver(this: unknown, key: string, value: unknown) {
    if (key === '__proto__') return undefined;
    if (
      key === 'constructor' &&
      typeof value === 'object' &&
      value !== null &&
      Object.hasOwn(value, 'prototype')
    ) {
      return undefined;
    }
    return value;
  });
}
