import { statusError } from './kube-status.js';

/** A JSON value as stored by the emulator. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** Whether a value is a plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies an RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge recursively, `null`
 * deletes a key, anything else (arrays included) replaces.
 *
 * @example
 * ```ts
 * applyMergePatch({ spec: { a: 1, b: 2 } }, { spec: { b: null, status: 'Cancelled' } }); // { spec: { a: 1, status: 'Cancelled' } }
 * ```
 */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return structuredClone(patch);
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface JsonPatchOperation {
  op: string;
  path: string;
  value?: JsonValue;
}

function decodePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw statusError(422, 'Invalid', `invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function unprocessable(message: string): Error {
  return statusError(422, 'Invalid', message);
}

/**
 * Applies an RFC 6902 JSON patch (`application/json-patch+json`) with the operations `add`, `remove`, `replace`
 * and `test`. As in the API server, `replace` and `remove` of a missing path fail.
 *
 * @throws KubeEmulatorStatusError (422 Invalid) when an operation cannot be applied.
 * @example
 * ```ts
 * applyJsonPatch({ spec: {} }, [{ op: 'add', path: '/spec/status', value: 'Cancelled' }]);
 * ```
 */
export function applyJsonPatch(target: JsonValue, operations: unknown): JsonValue {
  if (!Array.isArray(operations)) throw statusError(400, 'BadRequest', 'a JSON patch must be an array');
  let document = structuredClone(target);
  for (const raw of operations as JsonPatchOperation[]) {
    const tokens = decodePointer(String(raw.path ?? ''));
    const last = tokens.pop();
    if (last === undefined) {
      if (raw.op === 'replace' || raw.op === 'add') document = structuredClone(raw.value ?? null);
      continue;
    }
    let parent: JsonValue | undefined = document;
    for (const token of tokens) {
      parent = Array.isArray(parent)
        ? parent[Number(token)]
        : isJsonObject(parent)
          ? parent[token]
          : undefined;
    }
    if (parent === undefined || parent === null || typeof parent !== 'object') {
      throw unprocessable(`doc is missing path: "${raw.path}"`);
    }
    const container = parent as JsonObject | JsonValue[];
    const exists = Array.isArray(container)
      ? Number(last) < container.length
      : Object.hasOwn(container, last);
    switch (raw.op) {
      case 'add':
        if (Array.isArray(container)) {
          container.splice(
            last === '-' ? container.length : Number(last),
            0,
            structuredClone(raw.value ?? null),
          );
        } else container[last] = structuredClone(raw.value ?? null);
        break;
      case 'replace':
      case 'remove':
        if (!exists) throw unprocessable(`doc is missing key: "${raw.path}"`);
        if (raw.op === 'remove') {
          if (Array.isArray(container)) container.splice(Number(last), 1);
          else delete container[last];
        } else if (Array.isArray(container)) container[Number(last)] = structuredClone(raw.value ?? null);
        else container[last] = structuredClone(raw.value ?? null);
        break;
      case 'test': {
        const current = Array.isArray(container) ? container[Number(last)] : container[last];
        if (JSON.stringify(current) !== JSON.stringify(raw.value)) {
          throw unprocessable(`testing value ${raw.path} failed`);
        }
        break;
      }
      default:
        throw unprocessable(`unsupported JSON patch operation "${String(raw.op)}"`);
    }
  }
  return document;
}
