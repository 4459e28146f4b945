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

/** The declared field a JSON key decodes into (exact match first, then case-insensitive), or undefined. */
function fieldNameOf(typeName: string, key: string): string | undefined {
  const fields = TYPES[typeName];
  if (fields === undefined || key in fields) return key;
  return FOLDED.get(typeName)?.get(key.toLowerCase());
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
 * Returns the error text, or undefined when the object decodes; then keys that matched a field only
 * case-insensitively are renamed to the field's name, as Go's re-encoding does.
 */
export function decodeTektonObject(kind: string, object: Record<string, unknown>): string | undefined {
  const root = ROOTS[kind];
  if (root === undefined) return undefined;
  let unknownField: string | undefined;
  let durationError: string | undefined;
  const renames: Array<[Record<string, unknown>, string, string]> = [];
  const walk = (value: unknown, typeName: string): void => {
    if (durationError !== undefined) return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, typeName);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(node)) {
      if (typeName === root && key === 'status') continue;
      const field = fieldNameOf(typeName, key);
      const childType = field === undefined ? undefined : (TYPES[typeName]?.[field] ?? null);
      if (field !== undefined && field !== key) renames.push([node, key, field]);
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
  const error = durationError ?? unknownField;
  // Admitted objects are stored as Go re-encodes them (knative's roundTripPatch): with the declared field names.
  if (error === undefined) {
    for (const [node, key, field] of renames) {
      node[field] = node[key];
      delete node[key];
    }
  }
  return error;
}
