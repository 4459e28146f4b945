/**
 * Extracts the request side of Argo CD's swagger (operations, parameters and every definition reachable from a
 * request body) into `src/argocd/swagger/argocd-request-schemas.json`, with the known swagger-vs-wire mismatches
 * patched (reference/argocd-api.md §1.6). Re-run after updating the spec:
 *
 *   npx tsx scripts/extract-argocd-swagger.ts [path/to/swagger.json]
 *
 * Descriptions and titles are dropped to keep the bundled file small; the spec's provenance is recorded in the
 * output's `source` field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

type JsonObject = Record<string, unknown>;

const DEFAULT_SPEC_PATH = '/work/shared/specs/argocd/swagger.json';
const OUTPUT_PATH = resolve(import.meta.dirname, '../src/argocd/swagger/argocd-request-schemas.json');
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const specPath = process.argv[2] ?? DEFAULT_SPEC_PATH;
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as {
  info?: { version?: string };
  paths: Record<string, Record<string, JsonObject>>;
  definitions: Record<string, JsonObject>;
};

function stripDocumentation(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDocumentation);
  if (value === null || typeof value !== 'object') return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value as JsonObject)) {
    // Documentation strings only: a *property* named `description` (AppProjectSpec has one) has an object value.
    if ((key === 'description' || key === 'title') && typeof child === 'string') continue;
    result[key] = stripDocumentation(child);
  }
  return result;
}

function collectReferences(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as JsonObject)) {
    if (key === '$ref' && typeof child === 'string') {
      const name = child.replace('#/definitions/', '');
      if (!found.has(name)) {
        found.add(name);
        collectReferences(spec.definitions[name], found);
      }
    } else {
      collectReferences(child, found);
    }
  }
}

interface ExtractedParameter {
  name: string;
  type: string;
  repeated: boolean;
}

interface ExtractedOperation {
  method: string;
  path: string;
  operationId: string;
  pathParameters: string[];
  queryParameters: ExtractedParameter[];
  body?: JsonObject;
}

const operations: ExtractedOperation[] = [];
const requestDefinitions = new Set<string>();
for (const [path, methods] of Object.entries(spec.paths)) {
  for (const method of HTTP_METHODS) {
    const operation = methods[method];
    if (!operation) continue;
    const parameters = (operation.parameters ?? []) as JsonObject[];
    const extracted: ExtractedOperation = {
      method: method.toUpperCase(),
      path,
      operationId: String(operation.operationId),
      pathParameters: parameters.filter((p) => p.in === 'path').map((p) => String(p.name)),
      queryParameters: parameters
        .filter((p) => p.in === 'query')
        .map((p) => ({
          name: String(p.name),
          type: String(p.type === 'array' ? ((p.items as JsonObject).type ?? 'string') : p.type),
          repeated: p.type === 'array',
        })),
    };
    const body = parameters.find((p) => p.in === 'body');
    if (body) {
      extracted.body = stripDocumentation(body.schema) as JsonObject;
      collectReferences(body.schema, requestDefinitions);
    }
    operations.push(extracted);
  }
}

const definitions: Record<string, unknown> = {};
for (const name of [...requestDefinitions].sort()) {
  definitions[name] = stripDocumentation(spec.definitions[name]);
}

function patchDefinition(name: string, patch: (definition: JsonObject) => JsonObject): void {
  const definition = definitions[name] as JsonObject | undefined;
  if (definition) definitions[name] = patch(definition);
}
function withProperties(definition: JsonObject, extra: JsonObject): JsonObject {
  return { ...definition, properties: { ...(definition.properties as JsonObject), ...extra } };
}

// §1.6 (1): the Go SyncStrategyHook embeds SyncStrategyApply inline, so the wire form is {"hook":{"force":true}}.
patchDefinition('v1alpha1SyncStrategyHook', (d) => withProperties(d, { force: { type: 'boolean' } }));
// §1.6 (3): sourcePositions is decoded into []int64 by encoding/json, so the wire form is JSON numbers.
patchDefinition('applicationApplicationSyncRequest', (d) =>
  withProperties(d, { sourcePositions: { type: 'array', items: { type: 'integer' } } }),
);
// §1.6 (7): TypeMeta is inline in the Go types but absent from the swagger.
for (const name of ['v1alpha1Application', 'v1alpha1AppProject']) {
  patchDefinition(name, (d) =>
    withProperties(d, { apiVersion: { type: 'string' }, kind: { type: 'string' } }),
  );
}
// Kubernetes types whose JSON form is not what protobuf-derived swagger says.
patchDefinition('intstrIntOrString', () => ({ type: ['integer', 'string'] }));
patchDefinition('v1MicroTime', () => ({ type: 'string', format: 'date-time' }));
patchDefinition('runtimeRawExtension', () => ({}));
patchDefinition('v1FieldsV1', () => ({ type: 'object' }));

const output = {
  source: {
    spec: 'github.com/argoproj/argo-cd assets/swagger.json',
    version: spec.info?.version ?? 'unknown',
    patches: [
      'v1alpha1SyncStrategyHook.force (inline SyncStrategyApply)',
      'applicationApplicationSyncRequest.sourcePositions as integers',
      'apiVersion/kind on v1alpha1Application and v1alpha1AppProject',
      'intstrIntOrString, v1MicroTime, runtimeRawExtension, v1FieldsV1 in their JSON forms',
    ],
  },
  // Honoured by the server but missing from the swagger (reference §1.1).
  undocumentedQueryParameters: ['fields', 'download'],
  operations,
  definitions,
};
writeFileSync(OUTPUT_PATH, `${JSON.stringify(output, null, 2)}\n`);
console.log(`wrote ${operations.length} operations and ${Object.keys(definitions).length} definitions`);
