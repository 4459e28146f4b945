import { parseWithSchema } from '@gitops-kit/core';
import type { ZodType, z } from 'zod';

type Check = (value: unknown) => boolean;

interface ZodInternals {
  _zod: {
    def: {
      type: string;
      checks?: unknown[];
      innerType?: ZodType;
      element?: ZodType;
      valueType?: ZodType;
      keyType?: ZodType;
      shape?: Record<string, ZodType>;
      catchall?: ZodType;
      entries?: Record<string, unknown>;
      values?: unknown[];
    };
    optin?: string;
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const cache = new WeakMap<object, Check>();

/**
 * Compiles a zod schema into a yes/no check that allocates nothing: same rules for the schema kinds our response
 * schemas use (objects — loose or strict —, optional, nullable, arrays, records, enums, literals, primitives), and
 * zod itself for anything else. Used as a fast path: when the check passes the parsed JSON is returned as is (our
 * schemas have no transforms or defaults, so zod's output would be an equal copy); when it fails zod runs and
 * reports the issues. The zod schema stays the single source of truth.
 */
export function compileCheck(schema: ZodType): Check {
  const cached = cache.get(schema);
  if (cached) return cached;
  const built = build(schema);
  cache.set(schema, built);
  return built;
}

function build(schema: ZodType): Check {
  const { def } = (schema as unknown as ZodInternals)._zod;
  const viaZod: Check = (value) => schema.safeParse(value).success;
  if (def.checks && def.checks.length > 0) return viaZod;
  switch (def.type) {
    case 'string':
      return (value) => typeof value === 'string';
    case 'number':
      return (value) => typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return (value) => typeof value === 'boolean';
    case 'unknown':
    case 'any':
      return () => true;
    case 'optional': {
      const inner = compileCheck(def.innerType as ZodType);
      return (value) => value === undefined || inner(value);
    }
    case 'nullable': {
      const inner = compileCheck(def.innerType as ZodType);
      return (value) => value === null || inner(value);
    }
    case 'array': {
      const element = compileCheck(def.element as ZodType);
      return (value) => {
        if (!Array.isArray(value)) return false;
        for (const item of value) if (!element(item)) return false;
        return true;
      };
    }
    case 'record': {
      const key = (def.keyType as unknown as ZodInternals | undefined)?._zod.def.type;
      if (key !== 'string') return viaZod;
      const valueCheck = compileCheck(def.valueType as ZodType);
      return (value) => {
        if (!isPlainObject(value)) return false;
        for (const item of Object.values(value)) if (!valueCheck(item)) return false;
        return true;
      };
    }
    case 'enum': {
      const allowed = new Set(Object.values(def.entries ?? {}));
      return (value) => allowed.has(value);
    }
    case 'literal': {
      const allowed = new Set(def.values ?? []);
      return (value) => allowed.has(value);
    }
    case 'object':
      return buildObject(def.shape ?? {}, def.catchall);
    default:
      return viaZod;
  }
}

function buildObject(shape: Record<string, ZodType>, catchall: ZodType | undefined): Check {
  const catchallType = (catchall as unknown as ZodInternals | undefined)?._zod.def.type;
  const fields = Object.entries(shape).map(([key, field]) => ({
    key,
    optional: (field as unknown as ZodInternals)._zod.optin === 'optional',
    check: compileCheck(field),
  }));
  const extra =
    catchall && catchallType !== 'unknown' && catchallType !== 'any' ? compileCheck(catchall) : undefined;
  return (value) => {
    if (!isPlainObject(value)) return false;
    for (const field of fields) {
      if (!(field.key in value)) {
        if (!field.optional) return false;
        continue;
      }
      if (!field.check(value[field.key])) return false;
    }
    if (extra) {
      for (const key of Object.keys(value)) if (!(key in shape) && !extra(value[key])) return false;
    }
    return true;
  };
}

/**
 * Validates a parsed response: the compiled check first; zod (with path-only issues) when it fails.
 *
 * @throws {ResponseValidationError} when the value does not match the schema.
 */
export function validateResponse<Schema extends ZodType>(
  schema: Schema,
  value: unknown,
  context: string,
): z.output<Schema> {
  if (compileCheck(schema)(value)) return value as z.output<Schema>;
  return parseWithSchema(schema, value, context);
}
