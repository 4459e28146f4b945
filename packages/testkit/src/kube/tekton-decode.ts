import { parseGoDurationMs } from './simulated-clock.js';
import fieldTable from './tekton-v1-fields.json' with { type: 'json' };

type FieldTypes = Record<string, Record<string, string | null>>;
const TYPES = fieldTable.types as FieldTypes;
const ROOTS = fieldTable.roots as Record<string, string>;

/** Lower-cased field name → field name, per type (Go's encoding/json also accepts a case-insensitive match). */
const FOLDED = new Map(
  Object.entries(TYPES).map(([name, fields]) => [
    name,
    new Map(Object.keys(fields).map((field) => [field.toLowerCase(), field])),
  ]),
);

function fieldOf(typeName: string, key: string): string | null | undefined {
  const fields = TYPES[typeName];
  if (fields === undefined) return null;
  if (key in fields) return fields[key] ?? null;
  const folded = FOLDED.get(typeName)?.get(key.toLowerCase());
  return folded === undefined ? undefined : (fields[folded] ?? null);
}

/**
 * What Go's `json.Decoder` with `DisallowUnknownFields` reports when Tekton's webhook decodes an object of `kind`
 * (tektoncd/pipeline `cmd/webhook/main.go` turns the option on; knative's defaulting webhook then answers
 * `mutation failed: cannot decode incoming new object: <error>`): an `UnmarshalJSON` error (an invalid
 * `metav1.Duration`) aborts decoding at once, while an unknown field is remembered and reported at the end, so the
 * first bad duration in document order wins over the first unknown field. `status` is not checked (the emulator's
 * controller writes it). Kubernetes core types inside Tekton types (env, volumes, pod templates, metadata) are not
 * described by Tekton's swagger and are not checked either.
 *
 * Returns the error text, or undefined when the object decodes.
 */
export function tektonDecodeError(kind: string, object: Record<string, unknown>): string | undefined {
  const root = ROOTS[kind];
  if (root === undefined) return undefined;
  let unknownField: string | undefined;
  let durationError: string | undefined;
  const walk = (value: unknown, typeName: string): void => {
    if (durationError !== undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, typeName);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (typeName === root && key === 'status') continue;
      const childType = fieldOf(typeName, key);
      if (childType === undefined) {
        unknownField ??= `json: unknown field ${JSON.stringify(key)}`;
      } else if (childType === 'duration') {
        if (typeof child === 'string') {
          try {
            parseGoDurationMs(child);
          } catch (error) {
            durationError = (error as Error).message;
            return;
          }
        }
      } else if (childType?.startsWith('map:')) {
        if (child !== null && typeof child === 'object' && !Array.isArray(child)) {
          for (const item of Object.values(child)) walk(item, childType.slice(4));
        }
      } else if (childType !== null) {
        walk(child, childType);
      }
      if (durationError !== undefined) return;
    }
  };
  walk(object, root);
  return durationError ?? unknownField;
}
