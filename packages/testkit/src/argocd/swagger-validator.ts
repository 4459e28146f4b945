import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { decodeGoNulls } from './go-json-nulls.js';
import requestSchemas from './swagger/argocd-request-schemas.json' with { type: 'json' };

/** One extracted swagger operation (see scripts/extract-argocd-swagger.ts). */
export interface ArgoCDSwaggerOperation {
  method: string;
  path: string;
  operationId: string;
  pathParameters: string[];
  queryParameters: Array<{ name: string; type: string; repeated: boolean }>;
  body?: Record<string, unknown>;
}

/** A request to check against the Argo CD swagger. */
export interface ArgoCDRequestToValidate {
  method: string;
  /** The URL path (percent-encoded, as sent); a query string, if present, is ignored. */
  path: string;
  query?:
    | URLSearchParams
    | Record<string, string | number | boolean | ReadonlyArray<string | number> | undefined>;
  /** The parsed JSON body, or `undefined` when there is none. */
  body?: unknown;
}

/** Why a request does not match the swagger. */
export interface ArgoCDRequestIssue {
  location: 'path' | 'method' | 'query' | 'body';
  /** JSON-pointer-like path inside the body, or the parameter name. */
  field: string;
  /** Go encoding/json-style message, as the real server would phrase a decode failure. */
  message: string;
}

/** The outcome of {@link ArgoCDSwaggerValidator.validateRequest}. */
export interface ArgoCDRequestValidation {
  valid: boolean;
  operation?: ArgoCDSwaggerOperation;
  issues: ArgoCDRequestIssue[];
}

/** Options for {@link createArgoCDSwaggerValidator}. */
export interface ArgoCDSwaggerValidatorOptions {
  /**
   * Reject body fields the swagger does not define. The real server silently ignores them (encoding/json), but a
   * misspelt field is nearly always a client bug, so tests want it loud. Default `true`.
   */
  rejectUnknownFields?: boolean;
}

/** Checks requests against the Argo CD REST spec (paths, methods, query parameter names, body field names/shapes). */
export interface ArgoCDSwaggerValidator {
  readonly operations: readonly ArgoCDSwaggerOperation[];
  /** Finds the swagger operation for a method and path; literal segments win over `{param}` segments. */
  matchOperation(method: string, path: string): ArgoCDSwaggerOperation | undefined;
  /**
   * The body as Argo CD's Go gateway decodes it: `null` fields are absent, `null` map values and slice elements
   * are zero values (encoding/json). Bodies of unknown operations only lose their `null` fields.
   */
  decodeBody(method: string, path: string, body: unknown): unknown;
  validateRequest(request: ArgoCDRequestToValidate): ArgoCDRequestValidation;
}

const SCHEMA_ID = 'argocd-swagger';

function addStrictness(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(addStrictness);
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    result[key] = key === 'properties' ? mapValues(child, addStrictness) : addStrictness(child);
  }
  if ('properties' in result && !('additionalProperties' in result)) result.additionalProperties = false;
  return result;
}

function mapValues(value: unknown, transform: (child: unknown) => unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries((value ?? {}) as Record<string, unknown>))
    result[key] = transform(child);
  return result;
}

function splitPath(path: string): string[] {
  const withoutQuery = path.split('?')[0] ?? '';
  return withoutQuery.split('/').filter((segment) => segment.length > 0);
}

function jsonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'object';
  return typeof value === 'boolean' ? 'bool' : typeof value;
}

function valueAtPointer(root: unknown, pointer: string): unknown {
  let current = root;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    current =
      current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

function describeError(error: ErrorObject, body: unknown, rootName: string): ArgoCDRequestIssue {
  const field = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    const unknown = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      location: 'body',
      field: `${error.instancePath}/${unknown}`,
      message: `json: unknown field "${unknown}"`,
    };
  }
  if (error.keyword === 'type') {
    const actual = jsonTypeName(valueAtPointer(body, error.instancePath));
    const expected = String((error.params as { type: string | string[] }).type);
    const goField = error.instancePath ? `${rootName}${error.instancePath.replace(/\//g, '.')}` : rootName;
    return {
      location: 'body',
      field,
      message: `json: cannot unmarshal ${actual} into Go struct field ${goField} of type ${expected}`,
    };
  }
  return {
    location: 'body',
    field,
    message: `json: invalid value at ${field}: ${error.message ?? error.keyword}`,
  };
}

function normaliseQuery(query: ArgoCDRequestToValidate['query']): Map<string, string[]> {
  const result = new Map<string, string[]>();
  if (!query) return result;
  if (query instanceof URLSearchParams) {
    for (const [name, value] of query) result.set(name, [...(result.get(name) ?? []), value]);
    return result;
  }
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    result.set(name, Array.isArray(value) ? value.map(String) : [String(value)]);
  }
  return result;
}

/**
 * Builds a validator over the request side of Argo CD's swagger (with the wire-format patches listed in
 * `scripts/extract-argocd-swagger.ts`). The emulator uses it to reject bad bodies with the real 400; client
 * tests use it as a contract check.
 *
 * @throws Error only if the bundled schema file is corrupt (never at request time).
 * @example
 * const validator = createArgoCDSwaggerValidator();
 * const result = validator.validateRequest({
 *   method: 'POST', path: '/api/v1/applications/guestbook/sync', body: { syncOptions: { items: ['Prune=true'] } },
 * });
 * if (!result.valid) console.log(result.issues);
 */
export function createArgoCDSwaggerValidator(
  options: ArgoCDSwaggerValidatorOptions = {},
): ArgoCDSwaggerValidator {
  const rejectUnknownFields = options.rejectUnknownFields ?? true;
  const definitions = rejectUnknownFields
    ? mapValues(requestSchemas.definitions, addStrictness)
    : (requestSchemas.definitions as Record<string, unknown>);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, validateSchema: false });
  ajv.addSchema({ $id: SCHEMA_ID, definitions });
  const operations = requestSchemas.operations as ArgoCDSwaggerOperation[];
  const undocumentedQuery = new Set(requestSchemas.undocumentedQueryParameters);
  const compiled = new Map<string, ValidateFunction>();
  const templates = operations.map((operation) => ({ operation, segments: splitPath(operation.path) }));

  function bodyValidator(operation: ArgoCDSwaggerOperation): ValidateFunction {
    let validate = compiled.get(operation.operationId);
    if (!validate) {
      const schema = JSON.parse(
        JSON.stringify(operation.body).replaceAll('"#/definitions/', `"${SCHEMA_ID}#/definitions/`),
      );
      validate = ajv.compile(rejectUnknownFields ? (addStrictness(schema) as object) : schema);
      compiled.set(operation.operationId, validate);
    }
    return validate;
  }

  function matchPath(path: string): Array<{ operation: ArgoCDSwaggerOperation; literalCount: number }> {
    const segments = splitPath(path);
    const matches: Array<{ operation: ArgoCDSwaggerOperation; literalCount: number }> = [];
    for (const template of templates) {
      if (template.segments.length !== segments.length) continue;
      let literalCount = 0;
      const matched = template.segments.every((expected, index) => {
        if (expected.startsWith('{') && expected.endsWith('}')) return (segments[index] ?? '').length > 0;
        literalCount += 1;
        return expected === segments[index];
      });
      if (matched) matches.push({ operation: template.operation, literalCount });
    }
    return matches.sort((a, b) => b.literalCount - a.literalCount);
  }

  function matchOperation(method: string, path: string): ArgoCDSwaggerOperation | undefined {
    const upper = method.toUpperCase();
    return matchPath(path).find((match) => match.operation.method === upper)?.operation;
  }

  const definitionsByName = requestSchemas.definitions as Record<string, Record<string, unknown>>;
  const lookup = (name: string) => definitionsByName[name];

  function decodeBody(method: string, path: string, body: unknown): unknown {
    if (body === undefined) return undefined;
    return decodeGoNulls(body, matchOperation(method, path)?.body, lookup);
  }

  function validateRequest(request: ArgoCDRequestToValidate): ArgoCDRequestValidation {
    const candidates = matchPath(request.path);
    if (candidates.length === 0) {
      return {
        valid: false,
        issues: [{ location: 'path', field: request.path, message: 'no such path in swagger' }],
      };
    }
    const operation = matchOperation(request.method, request.path);
    if (!operation) {
      const message = `method ${request.method.toUpperCase()} not allowed on ${candidates[0]?.operation.path}`;
      return { valid: false, issues: [{ location: 'method', field: request.method, message }] };
    }
    const issues: ArgoCDRequestIssue[] = [];
    for (const [name, values] of normaliseQuery(request.query)) {
      const parameter = operation.queryParameters.find((candidate) => candidate.name === name);
      if (!parameter) {
        if (!undocumentedQuery.has(name)) {
          issues.push({ location: 'query', field: name, message: `unknown query parameter "${name}"` });
        }
        continue;
      }
      if (!parameter.repeated && values.length > 1) {
        issues.push({ location: 'query', field: name, message: `query parameter "${name}" is not repeated` });
      }
      for (const value of values) {
        if (parameter.type === 'boolean' && value !== 'true' && value !== 'false') {
          issues.push({
            location: 'query',
            field: name,
            message: `invalid boolean "${value}" for "${name}"`,
          });
        }
        if (parameter.type === 'integer' && !/^-?\d+$/.test(value)) {
          issues.push({
            location: 'query',
            field: name,
            message: `invalid integer "${value}" for "${name}"`,
          });
        }
      }
    }
    // A null is what Go's decoder ignores, so it is never a type error (encoding/json Unmarshal).
    const body = decodeGoNulls(request.body, operation.body, lookup);
    if (body !== undefined) {
      if (!operation.body) {
        issues.push({
          location: 'body',
          field: '/',
          message: `${operation.operationId} takes no request body`,
        });
      } else {
        const validate = bodyValidator(operation);
        if (!validate(body)) {
          const rootName = String(operation.body.$ref ?? 'body').replace(
            /^#\/definitions\/[a-z0-9]+?(?=[A-Z])/,
            '',
          );
          for (const error of validate.errors ?? []) issues.push(describeError(error, body, rootName));
        }
      }
    }
    return { valid: issues.length === 0, operation, issues };
  }

  return { operations, matchOperation, decodeBody, validateRequest };
}
