/**
 * Generates `src/generated/argocd-api.generated.ts` from the Argo CD swagger (`/work/shared/specs/argocd/swagger.json`
 * by default, or the path given as the first argument). Re-runnable: `npm run generate`.
 *
 * The swagger is produced by grpc-gateway from the protobuf definitions, but Argo CD marshals with Go's
 * `encoding/json`, so the wire format differs from the spec in known places. Every patch applied here is listed in
 * {@link PATCHES} and printed into the generated file's header:
 *
 * 1. `v1alpha1SyncStrategyHook` embeds `SyncStrategyApply` inline in Go, so the wire form is `{ force }`, not
 *    `{ syncStrategyApply: { force } }`.
 * 2. `v1alpha1ResourceNode` is `allOf: [ResourceRef]` plus its own properties; both halves are kept (an
 *    intersection type), where naive generators drop one.
 * 3. `sourcePositions` (and any `string`/`int64` field) is decoded by encoding/json into `[]int64`, so it must be
 *    JSON numbers.
 * 4. `v1alpha1ResourceOverride` is emitted by a custom `MarshalJSON` with raw keys (`health.lua`,
 *    `health.lua.useOpenLibs`, YAML-string `ignoreDifferences`/`ignoreResourceUpdates`).
 * 5. `applicationSyncOptions` is asserted to be `{ items: string[] }` (clients that send an array get a 400).
 * 6. `fields` (projection) is accepted by List and the watch streams but absent from the spec; it is added to their
 *    query types.
 * 7. `intstrIntOrString` is an int or a string on the wire, not `{ intVal, strVal, type }`.
 * 8. `apiVersion`/`kind` (Kubernetes TypeMeta) are added to Application and AppProject: the server may send them
 *    and we send them when creating objects.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface SchemaObject {
  type?: string;
  format?: string;
  description?: string;
  title?: string;
  properties?: Record<string, SchemaObject>;
  additionalProperties?: SchemaObject | boolean;
  items?: SchemaObject;
  allOf?: SchemaObject[];
  $ref?: string;
  enum?: unknown[];
}

interface ParameterObject {
  name: string;
  in: 'query' | 'path' | 'body' | 'header';
  type?: string;
  format?: string;
  items?: SchemaObject;
  schema?: SchemaObject;
  required?: boolean;
}

interface Swagger {
  paths: Record<string, Record<string, { operationId?: string; parameters?: ParameterObject[] }>>;
  definitions: Record<string, SchemaObject>;
}

/** The wire-format patches applied on top of the swagger, printed into the generated file. */
export const PATCHES: readonly string[] = [
  'v1alpha1SyncStrategyHook: inline SyncStrategyApply ({ force }), as Go embeds it',
  'v1alpha1ResourceNode: ResourceRef & own properties (allOf kept)',
  'string/int64 fields (sourcePositions): JSON numbers',
  'v1alpha1ResourceOverride: raw MarshalJSON keys (health.lua, health.lua.useOpenLibs, YAML strings)',
  'applicationSyncOptions: asserted { items: string[] }',
  'fields: added to List/Watch query types (undocumented projection)',
  'intstrIntOrString: number | string',
  'v1alpha1Application/v1alpha1AppProject: apiVersion and kind added',
];

const FIELDS_OPERATIONS = new Set([
  'ApplicationService_List',
  'ApplicationService_Watch',
  'ApplicationService_WatchResourceTree',
]);

const scriptDirectory = dirname(fileURLToPath(import.meta.url));
const swaggerPath = resolve(process.argv[2] ?? '/work/shared/specs/argocd/swagger.json');
const outputPath = resolve(scriptDirectory, '../src/generated/argocd-api.generated.ts');

const swagger = JSON.parse(readFileSync(swaggerPath, 'utf8')) as Swagger;
const definitions = swagger.definitions;

function typeName(definitionName: string): string {
  return definitionName.charAt(0).toUpperCase() + definitionName.slice(1);
}

function refName(ref: string): string {
  return typeName(ref.replace('#/definitions/', ''));
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function docComment(schema: SchemaObject, indent: string): string {
  const text = (schema.description ?? schema.title ?? '').split('\n')[0]?.trim();
  if (!text || text.startsWith('+')) return '';
  return `${indent}/** ${text.replaceAll('*/', '*\\/')} */\n`;
}

function render(schema: SchemaObject | undefined, indent: string): string {
  if (!schema) return 'unknown';
  if (schema.$ref) return refName(schema.$ref);
  if (schema.allOf) {
    const parts = schema.allOf.map((part) => render(part, indent));
    if (schema.properties) parts.push(render({ type: 'object', properties: schema.properties }, indent));
    return parts.join(' & ');
  }
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  switch (schema.type) {
    case 'string':
      // Patch 3: encoding/json decodes int64 into numbers, whatever the spec says.
      return schema.format === 'int64' ? 'number' : 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return `Array<${render(schema.items, indent)}>`;
    default: {
      const lines: string[] = [];
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        lines.push(
          `${docComment(property, `${indent}  `)}${indent}  ${propertyKey(name)}?: ${render(property, `${indent}  `)};`,
        );
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        const value = render(schema.additionalProperties, `${indent}  `);
        if (lines.length === 0) return `Record<string, ${value}>`;
        lines.push(`${indent}  [key: string]: ${value} | unknown;`);
      }
      if (lines.length === 0) return 'Record<string, unknown>';
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
  }
}

function applyPatches(): void {
  const hook = definitions.v1alpha1SyncStrategyHook;
  if (!hook?.properties?.syncStrategyApply)
    throw new Error('patch 1: v1alpha1SyncStrategyHook changed shape');
  hook.properties = {
    force: { type: 'boolean', description: 'Force uses `kubectl apply --force` (inline SyncStrategyApply).' },
  };

  const node = definitions.v1alpha1ResourceNode;
  if (!node?.allOf) throw new Error('patch 2: v1alpha1ResourceNode lost its allOf');

  const syncOptions = definitions.applicationSyncOptions;
  if (syncOptions?.properties?.items?.type !== 'array')
    throw new Error('patch 5: applicationSyncOptions changed shape');

  const override = definitions.v1alpha1ResourceOverride;
  if (!override?.properties?.healthLua) throw new Error('patch 4: v1alpha1ResourceOverride changed shape');
  override.properties = {
    'health.lua': { type: 'string', description: 'Lua health script for the resource kind.' },
    'health.lua.useOpenLibs': {
      type: 'boolean',
      description: 'Whether the health script may use the full Lua standard library.',
    },
    actions: { type: 'string', description: 'Resource actions as YAML.' },
    ignoreDifferences: { type: 'string', description: 'ignoreDifferences rules as a YAML string.' },
    ignoreResourceUpdates: { type: 'string', description: 'ignoreResourceUpdates rules as a YAML string.' },
    knownTypeFields: override.properties.knownTypeFields ?? { type: 'array' },
  };

  for (const name of ['v1alpha1Application', 'v1alpha1AppProject']) {
    const definition = definitions[name];
    if (!definition?.properties) throw new Error(`patch 8: ${name} missing`);
    definition.properties = {
      apiVersion: { type: 'string', description: 'Kubernetes TypeMeta; optional on the wire.' },
      kind: { type: 'string', description: 'Kubernetes TypeMeta; optional on the wire.' },
      ...definition.properties,
    };
  }
}

function operationTypes(): string[] {
  const out: string[] = [];
  const pathEntries: string[] = [];
  for (const [path, methods] of Object.entries(swagger.paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation.operationId) continue;
      const parameters = operation.parameters ?? [];
      const query = parameters.filter((parameter) => parameter.in === 'query');
      const queryLines = query.map((parameter) => {
        const type =
          parameter.type === 'array'
            ? `Array<${render(parameter.items, '  ')}>`
            : render(
                {
                  type: parameter.type ?? 'string',
                  ...(parameter.format ? { format: parameter.format } : {}),
                },
                '  ',
              );
        return `  ${propertyKey(parameter.name)}?: ${type};`;
      });
      if (FIELDS_OPERATIONS.has(operation.operationId)) {
        queryLines.push(
          '  /** Undocumented projection (patch 6), e.g. `items.metadata.name,items.status.sync.status`. */',
        );
        queryLines.push('  fields?: string;');
      }
      const base = typeName(operation.operationId.replace('_', ''));
      out.push(`/** Query parameters of \`${method.toUpperCase()} ${path}\`. */`);
      out.push(
        queryLines.length > 0
          ? `export interface ${base}Query {\n${queryLines.join('\n')}\n}`
          : `export type ${base}Query = Record<string, never>;`,
      );
      pathEntries.push(
        `  { method: '${method.toUpperCase()}', path: '${path}', operationId: '${operation.operationId}' },`,
      );
    }
  }
  out.push('/** Every operation in the spec, for contract tests and tooling. */');
  out.push(
    `export const ARGOCD_API_OPERATIONS: ReadonlyArray<{ method: string; path: string; operationId: string }> = [\n${pathEntries.join('\n')}\n];`,
  );
  return out;
}

applyPatches();

const chunks: string[] = [
  '// Code generated by scripts/generate-types.ts from the Argo CD swagger. DO NOT EDIT.',
  '// Regenerate with `npm run generate` in packages/argocd-client.',
  '//',
  '// Wire-format patches applied on top of the swagger:',
  ...PATCHES.map((patch, index) => `//   ${index + 1}. ${patch}`),
  '',
];

for (const name of Object.keys(definitions).sort()) {
  const schema = definitions[name] as SchemaObject;
  const rendered = name === 'intstrIntOrString' ? 'number | string' : render(schema, '');
  chunks.push(
    docComment(schema, '') +
      (rendered.startsWith('{')
        ? `export interface ${typeName(name)} ${rendered}`
        : `export type ${typeName(name)} = ${rendered};`),
  );
}
chunks.push('', ...operationTypes(), '');

writeFileSync(outputPath, chunks.join('\n'));
console.log(
  `wrote ${outputPath} (${Object.keys(definitions).length} definitions, ${PATCHES.length} patches)`,
);
