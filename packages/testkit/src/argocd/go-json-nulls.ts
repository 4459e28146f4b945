/**
 * Go encoding/json semantics for JSON `null` in request bodies. Argo CD's API gateway decodes bodies into Go
 * structs with encoding/json, where "unmarshaling a JSON null into any other Go type has no effect on the value"
 * (and sets maps, slices and pointers to nil): a `null` field is the same as an absent one. Inside a map or a
 * slice, a `null` element still creates the element, with its zero value (`{"a": null}` into `map[string]string`
 * is `{"a": ""}`). This module rewrites a parsed body accordingly, driven by the swagger schema of the operation,
 * so every handler and the validator see what the Go server would.
 */

type Schema = Record<string, unknown>;

/** Resolves `#/definitions/x` references against the request-side swagger definitions. */
export type DefinitionLookup = (name: string) => Schema | undefined;

function resolve(schema: Schema | undefined, lookup: DefinitionLookup): Schema | undefined {
  let current = schema;
  for (let depth = 0; current && typeof current.$ref === 'string' && depth < 32; depth += 1) {
    current = lookup(current.$ref.replace(/^.*#\/definitions\//, ''));
  }
  return current;
}

/** The Go zero value of a swagger schema, as a JSON value (struct → {}, slice/map → omitted by the caller). */
function zeroValue(schema: Schema | undefined, lookup: DefinitionLookup): unknown {
  const resolved = resolve(schema, lookup);
  switch (resolved?.type) {
    case 'string':
      return '';
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return 0;
    case 'array':
      return [];
    default:
      return {};
  }
}

/**
 * Returns `value` as Go would have decoded it: `null` struct fields dropped, `null` map values and slice elements
 * replaced by their element's zero value, a `null` body → `undefined` (nothing decoded). Values the schema does
 * not describe keep their nulls dropped the struct way.
 */
export function decodeGoNulls(value: unknown, schema: Schema | undefined, lookup: DefinitionLookup): unknown {
  if (value === null) return undefined;
  const resolved = resolve(schema, lookup);
  if (Array.isArray(value)) {
    const items = resolved?.items as Schema | undefined;
    return value.map((item) =>
      item === null ? zeroValue(items, lookup) : decodeGoNulls(item, items, lookup),
    );
  }
  if (typeof value !== 'object') return value;
  const properties = resolved?.properties as Record<string, Schema> | undefined;
  const additional = resolved?.additionalProperties;
  const isMap = properties === undefined && additional !== undefined && typeof additional === 'object';
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (isMap) {
      const element = additional as Schema;
      result[key] = child === null ? zeroValue(element, lookup) : decodeGoNulls(child, element, lookup);
      continue;
    }
    if (child === null) continue;
    result[key] = decodeGoNulls(child, properties?.[key], lookup);
  }
  return result;
}
