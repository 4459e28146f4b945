import type { JsonObject } from './model.js';

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pick(value: unknown, path: readonly string[], target: JsonObject | unknown[] | undefined): unknown {
  if (path.length === 0) return structuredClone(value);
  if (Array.isArray(value)) {
    const existing = Array.isArray(target) ? target : [];
    return value.map((item, index) => pick(item, path, existing[index] as JsonObject | undefined));
  }
  if (!isObject(value)) return target;
  const [head = '', ...rest] = path;
  if (!(head in value)) return target ?? {};
  const result: JsonObject = isObject(target) ? target : {};
  result[head] = pick(value[head], rest, result[head] as JsonObject | undefined);
  return result;
}

function omit(value: unknown, path: readonly string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) omit(item, path);
    return;
  }
  if (!isObject(value)) return;
  const [head = '', ...rest] = path;
  if (rest.length === 0) delete value[head];
  else omit(value[head], rest);
}

/**
 * Applies Argo CD's undocumented `fields` query parameter (pkg/apiclient/application/forwarder_overwrite.go):
 * a comma-separated list of dotted paths to keep, walking arrays element-wise; a leading `-` on the first entry
 * switches to excluding the listed paths instead.
 */
export function projectFields(value: unknown, fieldsParameter: string | undefined): unknown {
  if (!fieldsParameter) return value;
  const fields = fieldsParameter
    .split(',')
    .map((field) => field.trim())
    .filter(Boolean);
  if (fields.length === 0) return value;
  if (fields[0]?.startsWith('-')) {
    const copy = structuredClone(value);
    for (const field of fields) omit(copy, field.replace(/^-/, '').split('.'));
    return copy;
  }
  let result: unknown;
  for (const field of fields) result = pick(value, field.split('.'), result as JsonObject | undefined);
  return result ?? {};
}
