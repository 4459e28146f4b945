import type { JsonObject } from './model.js';

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(
  document: unknown,
  tokens: string[],
  operation: string,
): { parent: JsonObject | unknown[]; key: string } {
  let current = document;
  for (const token of tokens.slice(0, -1)) {
    current = Array.isArray(current)
      ? current[Number(token)]
      : isObject(current)
        ? current[token]
        : undefined;
    if (current === undefined)
      throw new Error(`${operation} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  }
  if (!Array.isArray(current) && !isObject(current))
    throw new Error(`${operation} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  return { parent: current, key: tokens.at(-1) ?? '' };
}

function read(document: unknown, pointer: string): unknown {
  return parsePointer(pointer).reduce<unknown>(
    (current, token) =>
      Array.isArray(current) ? current[Number(token)] : isObject(current) ? current[token] : undefined,
    document,
  );
}

function write(document: unknown, pointer: string, value: unknown, mode: 'add' | 'replace'): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(document, tokens, mode);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length)
      throw new Error(`${mode} operation does not apply: index out of range`);
    if (mode === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
  } else {
    if (mode === 'replace' && !(key in parent))
      throw new Error(`replace operation does not apply: doc is missing key: ${pointer}`);
    parent[key] = value;
  }
  return document;
}

function remove(document: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const { parent, key } = parentOf(document, tokens, 'remove');
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else {
    if (!(key in parent)) throw new Error(`remove operation does not apply: doc is missing path: ${pointer}`);
    delete parent[key];
  }
  return document;
}

/**
 * Applies an RFC 6902 JSON patch (what `PATCH /api/v1/applications/{name}` with `patchType: "json"` does).
 * @throws Error with an evanphx/json-patch-like message when an operation does not apply.
 */
export function applyJsonPatch(document: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations))
    throw new Error('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let result = structuredClone(document);
  for (const raw of operations as JsonObject[]) {
    const path = String(raw.path ?? '');
    switch (raw.op) {
      case 'add':
        result = write(result, path, structuredClone(raw.value), 'add');
        break;
      case 'replace':
        result = write(result, path, structuredClone(raw.value), 'replace');
        break;
      case 'remove':
        result = remove(result, path);
        break;
      case 'move': {
        const value = read(result, String(raw.from));
        result = write(remove(result, String(raw.from)), path, value, 'add');
        break;
      }
      case 'copy':
        result = write(result, path, structuredClone(read(result, String(raw.from))), 'add');
        break;
      case 'test':
        if (JSON.stringify(read(result, path)) !== JSON.stringify(raw.value))
          throw new Error(`testing value ${path} failed`);
        break;
      default:
        throw new Error(`Unexpected kind: ${String(raw.op)}`);
    }
  }
  return result;
}

/** Applies an RFC 7386 JSON merge patch (`patchType: "merge"`). */
export function applyMergePatch(document: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: JsonObject = isObject(document) ? structuredClone(document) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
