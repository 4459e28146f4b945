import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import githubExtract from './specs/github-rest-extract.json' with { type: 'json' };
import gitlabExtract from './specs/gitlab-rest-extract.json' with { type: 'json' };

/** One operation of a forge spec extract (see `scripts/extract-forge-specs.ts`). */
export interface ForgeSpecOperation {
  method: string;
  /** OpenAPI path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  path: string;
  operationId: string;
  /**
   * Where the operation comes from: GitHub's extract leaves it out (its file-level `source` says); GitLab's names
   * `openapi_v2.yaml@<commit>` (GitLab's OpenAPI file) or, for an operation that file lacks, the documentation page.
   */
  source?: string;
  /** GitLab: `rest-docs` for an operation written from the REST documentation alone. */
  coverage?: 'rest-docs';
  /** GitLab: the REST documentation page the operation's bodies and statuses were checked against. */
  restDoc?: string;
  /** GitLab: where the REST docs (and the server) differ from GitLab's OpenAPI file, and why. */
  notes?: string[];
  pathParameters: string[];
  queryParameters: Array<{ name: string; schema: unknown }>;
  requestBody?: unknown;
  /** Response schema per HTTP status (`null`: no JSON body documented). */
  responses: Record<string, unknown>;
}

/** Why a request or response does not match the forge's spec. */
export interface ForgeSpecIssue {
  location: 'path' | 'query' | 'body' | 'response';
  /** The parameter name, or a JSON pointer into the body. */
  field: string;
  /**
   * `missing` (a required field), `invalid` (wrong type, value not in the enum) — both refused by the real forge —
   * or `unknown` (a name the spec does not define: the forge ignores it, but a client sending it has a bug).
   */
  kind: 'missing' | 'invalid' | 'unknown';
  message: string;
  /** For an invalid value: the JSON type(s) the spec wants, or the values it allows. */
  expected?: { type: string | string[] } | { oneOf: unknown[] };
}

/** Which forge's extract a validator reads. */
export type ForgeSpecName = 'github' | 'gitlab';

interface Extract {
  operations: ForgeSpecOperation[];
  schemas: Record<string, unknown>;
}

const EXTRACTS: Record<ForgeSpecName, Extract> = {
  github: githubExtract as unknown as Extract,
  gitlab: gitlabExtract as unknown as Extract,
};

/** The error body a forge sends for a status its operation does not document (GitHub `basic-error`). */
const DEFAULT_ERROR_SCHEMA: Record<ForgeSpecName, unknown> = {
  github: { $ref: '#/schemas/basic-error' },
  gitlab: { anyOf: [{ $ref: '#/schemas/message' }, { $ref: '#/schemas/error' }] },
};

/** Adds `additionalProperties: false` where a schema lists its properties, so that an invented field shows. */
function closeObjects(value: unknown, insideAllOf = false): unknown {
  if (Array.isArray(value)) return value.map((item) => closeObjects(item, insideAllOf));
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'properties') {
      const properties: Record<string, unknown> = {};
      for (const [name, schema] of Object.entries(child as Record<string, unknown>))
        properties[name] = closeObjects(schema);
      result[key] = properties;
    } else {
      result[key] = closeObjects(child, key === 'allOf');
    }
  }
  // The members of an allOf each see the whole object: closing one would refuse the others' fields.
  if ('properties' in result && !('additionalProperties' in result) && !insideAllOf)
    result['additionalProperties'] = false;
  return result;
}

function segmentsOf(path: string): string[] {
  return (path.split('?')[0] ?? '').split('/').filter((segment) => segment.length > 0);
}

function issueFrom(error: ErrorObject, location: ForgeSpecIssue['location']): ForgeSpecIssue {
  const pointer = error.instancePath;
  if (error.keyword === 'additionalProperties') {
    const name = String((error.params as { additionalProperty: string }).additionalProperty);
    return {
      location,
      field: `${pointer}/${name}`,
      kind: 'unknown',
      message: `${pointer}/${name} is not in the spec`,
    };
  }
  if (error.keyword === 'required') {
    const name = String((error.params as { missingProperty: string }).missingProperty);
    return {
      location,
      field: `${pointer}/${name}`,
      kind: 'missing',
      message: `${pointer}/${name} is missing`,
    };
  }
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  const type = (error.params as { type?: string | string[] }).type;
  return {
    location,
    field: pointer || '/',
    kind: 'invalid',
    message: `${pointer || '/'} ${error.message ?? error.keyword}${allowed ? ` ${JSON.stringify(allowed)}` : ''}`,
    ...(allowed !== undefined
      ? { expected: { oneOf: allowed } }
      : type !== undefined
        ? { expected: { type } }
        : {}),
  };
}

/**
 * The texts Grape reads as a Boolean (GitLab's parameters are `Grape::API::Boolean`, coerced by dry-types'
 * `Params::Bool`: `TRUE_VALUES` and `FALSE_VALUES` in dry-types `lib/dry/types/coercions/params.rb`).
 */
const GRAPE_TRUE = new Set([
  '1',
  'on',
  'On',
  'ON',
  't',
  'true',
  'True',
  'TRUE',
  'T',
  'y',
  'yes',
  'Yes',
  'YES',
  'Y',
]);
const GRAPE_FALSE = new Set([
  '0',
  'off',
  'Off',
  'OFF',
  'f',
  'false',
  'False',
  'FALSE',
  'F',
  'n',
  'no',
  'No',
  'NO',
  'N',
]);

/** A Grape Boolean text as `true`/`false`, anything else unchanged. */
function grapeBoolean(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return GRAPE_TRUE.has(value) ? true : GRAPE_FALSE.has(value) ? false : value;
}

/** The JSON value a query string stands for, the way the forges coerce it (integers, booleans). */
function queryValue(text: string, schema: unknown): unknown {
  const type = (schema as { type?: unknown } | undefined)?.type;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (type === 'boolean')
    return text === 'true' || text === '1' ? true : text === 'false' || text === '0' ? false : text;
  return text;
}

/**
 * Checks requests and responses against the bundled extract of a forge's REST description: GitHub's official
 * OpenAPI description; GitLab's own OpenAPI file with the REST documentation's corrections, each noted (see
 * `src/forge/specs/*.json` and their `source`). The forge emulators use it to refuse what the forge refuses and to
 * catch a response of theirs that the forge would never send.
 */
export class ForgeSpecValidator {
  readonly forge: ForgeSpecName;
  readonly operations: readonly ForgeSpecOperation[];
  readonly #ajv: Ajv;
  /** Request bodies on GitLab: Grape coerces scalars to the declared type (`"true"` is a Boolean). */
  readonly #requestAjv: Ajv;
  readonly #templates: Array<{ operation: ForgeSpecOperation; segments: string[] }>;
  readonly #compiled = new Map<string, ValidateFunction>();

  /** @throws Error only if the bundled extract is corrupt. */
  constructor(forge: ForgeSpecName) {
    this.forge = forge;
    const extract = EXTRACTS[forge];
    this.operations = extract.operations;
    const ajv = (coerceTypes: boolean) => {
      const instance = new Ajv({
        strict: false,
        allErrors: true,
        validateFormats: false,
        validateSchema: false,
        coerceTypes,
      });
      instance.addSchema({ $id: 'spec', schemas: extract.schemas });
      instance.addSchema({ $id: 'closed', schemas: closeObjects(extract.schemas) });
      return instance;
    };
    // Responses are never coerced: a wrong type the emulator sends must show.
    this.#ajv = ajv(false);
    this.#requestAjv = forge === 'gitlab' ? ajv(true) : this.#ajv;
    this.#templates = extract.operations.map((operation) => ({
      operation,
      segments: segmentsOf(operation.path),
    }));
  }

  /** The operation for a method and a request path (`{param}` matches one segment; literal segments win). */
  match(method: string, path: string): ForgeSpecOperation | undefined {
    const segments = segmentsOf(path);
    let best: { operation: ForgeSpecOperation; literals: number } | undefined;
    for (const { operation, segments: template } of this.#templates) {
      if (operation.method !== method.toUpperCase() || template.length !== segments.length) continue;
      let literals = 0;
      const matches = template.every((expected, index) => {
        if (expected.startsWith('{')) return (segments[index] ?? '') !== '';
        literals += 1;
        return expected === segments[index];
      });
      if (matches && (best === undefined || literals > best.literals)) best = { operation, literals };
    }
    return best?.operation;
  }

  /** Whether some operation has this path template (with any method). */
  hasPath(path: string): boolean {
    return this.operations.some((operation) => operation.path === path);
  }

  /** Checks query names and values and the JSON body of a request to `operation`. */
  validateRequest(
    operation: ForgeSpecOperation,
    query: URLSearchParams,
    body: Record<string, unknown> | undefined,
  ): ForgeSpecIssue[] {
    const issues: ForgeSpecIssue[] = [];
    const parameters = new Map(operation.queryParameters.map((parameter) => [parameter.name, parameter]));
    if (this.forge === 'gitlab') this.#grapeBooleans(operation, query, body);
    for (const [name, text] of query) {
      const parameter = parameters.get(name);
      if (parameter === undefined) {
        issues.push({
          location: 'query',
          field: name,
          kind: 'unknown',
          message: `${name} is not in the spec`,
        });
        continue;
      }
      const validate = this.#compile(`query:${operation.operationId}:${name}`, parameter.schema, 'spec');
      if (!validate(queryValue(text, parameter.schema))) {
        const [first] = validate.errors ?? [];
        const detail = first === undefined ? undefined : issueFrom(first, 'query').expected;
        issues.push({
          location: 'query',
          field: name,
          kind: 'invalid',
          message: `${name} is invalid`,
          ...(detail === undefined ? {} : { expected: detail }),
        });
      }
    }
    if (operation.requestBody !== undefined && body !== undefined) {
      // On GitLab this coerces the body's scalars in place, as Grape hands the endpoint coerced parameters. Grape
      // leaves a null as nil, which passes its type and value checks and `requires` (that looks at the key only),
      // where ajv's coercion would make it "", 0 or false: nulls are set aside and handed on as they came.
      const nulls = this.forge === 'gitlab' ? Object.keys(body).filter((name) => body[name] === null) : [];
      const coerced =
        nulls.length === 0
          ? body
          : Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
      const lenient = this.#compile(`body:${operation.operationId}`, operation.requestBody, 'spec', true);
      if (!lenient(coerced)) {
        issues.push(
          ...(lenient.errors ?? [])
            .map((e) => issueFrom(e, 'body'))
            .filter((issue) => !(issue.kind === 'missing' && nulls.includes(issue.field.slice(1)))),
        );
      }
      if (coerced !== body) Object.assign(body, coerced);
      const strict = this.#compile(`closed-body:${operation.operationId}`, operation.requestBody, 'closed');
      if (!strict(body)) {
        for (const error of strict.errors ?? []) {
          if (error.keyword === 'additionalProperties') issues.push(issueFrom(error, 'body'));
        }
      }
    } else if (operation.requestBody === undefined && body !== undefined && Object.keys(body).length > 0) {
      issues.push({ location: 'body', field: '/', kind: 'unknown', message: 'the operation takes no body' });
    }
    return issues;
  }

  /**
   * Checks a response body against the schema of its status (an error status the operation does not document is
   * checked against the forge's error shape). Fields the schema of a success response does not list are reported
   * too.
   */
  validateResponse(operation: ForgeSpecOperation, status: number, body: unknown): ForgeSpecIssue[] {
    const documented = operation.responses[String(status)];
    if (documented === undefined && status < 400) {
      return [
        {
          location: 'response',
          field: '/',
          kind: 'invalid',
          message: `status ${status} is not documented for ${operation.operationId}`,
        },
      ];
    }
    const schema = documented ?? DEFAULT_ERROR_SCHEMA[this.forge];
    if (schema === null) return [];
    // Error bodies are checked open: GitHub's carry `status` where an operation's inline error schema omits it.
    const validate = this.#compile(
      `response:${operation.operationId}:${status}`,
      schema,
      status >= 400 ? 'spec' : 'closed',
    );
    if (validate(body)) return [];
    const issues = (validate.errors ?? []).map((e) => issueFrom(e, 'response'));
    // GitLab answers any error in one of its two shapes whatever an operation documents: Grape's parameter check
    // `{"error": "…"}`, and the model's validation `{"message": {"title": ["can't be blank"]}}` (REST API
    // troubleshooting, "Data validation and error reporting", doc/api/rest/troubleshooting.md).
    if (this.forge === 'gitlab' && status >= 400 && documented !== undefined) {
      const general = this.#compile('response:gitlab-error', DEFAULT_ERROR_SCHEMA.gitlab, 'spec');
      if (general(body)) return [];
    }
    return issues;
  }

  /**
   * GitLab: Grape's Boolean texts (`yes`, `t`, `on`, `1`, …) become `true`/`false` in the query and the body, as
   * the endpoint sees them — so the route handlers read them as GitLab's do, and the check does not refuse them.
   */
  #grapeBooleans(
    operation: ForgeSpecOperation,
    query: URLSearchParams,
    body: Record<string, unknown> | undefined,
  ): void {
    for (const parameter of operation.queryParameters) {
      const text = query.get(parameter.name);
      if ((parameter.schema as { type?: unknown }).type !== 'boolean' || text === null) continue;
      const value = grapeBoolean(text);
      if (typeof value === 'boolean' && String(value) !== text) query.set(parameter.name, String(value));
    }
    const properties = (
      operation.requestBody as { properties?: Record<string, { type?: unknown }> } | undefined
    )?.properties;
    if (body === undefined || properties === undefined) return;
    for (const [name, schema] of Object.entries(properties)) {
      if (schema.type === 'boolean' && name in body) body[name] = grapeBoolean(body[name]);
    }
  }

  #compile(key: string, schema: unknown, base: 'spec' | 'closed', request = false): ValidateFunction {
    let validate = this.#compiled.get(key);
    if (validate === undefined) {
      const local = base === 'closed' ? closeObjects(schema) : schema;
      const resolved = JSON.parse(JSON.stringify(local).replaceAll('"#/schemas/', `"${base}#/schemas/`));
      validate = (request ? this.#requestAjv : this.#ajv).compile(resolved as object);
      this.#compiled.set(key, validate);
    }
    return validate;
  }
}
