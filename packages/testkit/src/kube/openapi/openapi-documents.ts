import { createHash } from 'node:crypto';
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from '../resource-types.js';
import { CORE_DEFINITIONS, placeholderDefinition } from './core-schemas.js';
import { encodeOpenApiV2Protobuf } from './openapi-v2-protobuf.js';
import tektonSchemas from './tekton-v1-schemas.json' with { type: 'json' };

type Schema = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Canonical definition name of a served kind (the API server reverses a CRD's group: `dev.tekton.v1.Task`). */
export function definitionNameOf(type: ResourceType): string {
  if (type.group === '') return `io.k8s.api.core.v1.${type.kind}`;
  return `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
}

function allDefinitions(): Record<string, Schema> {
  const definitions: Record<string, Schema> = {
    ...(tektonSchemas.definitions as Record<string, Schema>),
    ...CORE_DEFINITIONS,
    [`${META}.Status`]: {
      description: 'Status is a return value for calls that do not return other objects.',
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Status' }],
    },
    [`${META}.Patch`]: {
      description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
      type: 'object',
    },
    [`${META}.DeleteOptions`]: {
      description: 'DeleteOptions may be provided when deleting an API object.',
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    },
  };
  for (const name of tektonSchemas.externalDefinitions) definitions[name] ??= placeholderDefinition(name);
  for (const type of RESOURCE_TYPES) {
    const name = definitionNameOf(type);
    const gvk = { group: type.group, version: type.version, kind: type.kind };
    // Kinds without a schema in the project (Triggers) accept any fields; they still carry their GVK.
    definitions[name] ??= {
      ...placeholderDefinition(type.kind),
      properties: { metadata: { $ref: `#/definitions/${META}.ObjectMeta` } },
      'x-kubernetes-group-version-kind': [gvk],
    };
    definitions[`${name}List`] ??= {
      description: `${type.kind}List is a list of ${type.kind}.`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        items: { type: 'array', items: { $ref: `#/definitions/${name}` } },
        metadata: { $ref: `#/definitions/${META}.ListMeta` },
      },
      'x-kubernetes-group-version-kind': [{ ...gvk, kind: `${type.kind}List` }],
    };
  }
  return definitions;
}

function collectReferences(value: unknown, definitions: Record<string, Schema>, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, definitions, found);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value as Schema)) {
    if (key === '$ref' && typeof child === 'string') {
      const name = child.replace('#/definitions/', '');
      if (!found.has(name)) {
        found.add(name);
        collectReferences(definitions[name], definitions, found);
      }
    } else collectReferences(child, definitions, found);
  }
}

const QUERY_PARAMETERS: Record<string, string> = {
  dryRun: 'When present, indicates that modifications should not be persisted. Valid value: All.',
  fieldManager: 'fieldManager is a name associated with the actor or entity that is making these changes.',
  fieldValidation:
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.',
  force:
    'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.',
  labelSelector: 'A selector to restrict the list of returned objects by their labels.',
  fieldSelector: 'A selector to restrict the list of returned objects by their fields.',
  limit: 'limit is a maximum number of responses to return for a list call.',
  continue: 'The continue option should be set when retrieving more results from the server.',
  resourceVersion:
    'resourceVersion sets a constraint on what resource versions a request may be served from.',
  watch:
    'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.',
  allowWatchBookmarks: 'allowWatchBookmarks requests watch events with type "BOOKMARK".',
  timeoutSeconds: 'Timeout for the list/watch call.',
};

interface Operation {
  action: string;
  parameters: string[];
  body?: string;
  response: string;
}

/** The swagger 2 `paths` of one served type (collection, item, status), each operation with its GVK. */
function pathsOf(type: ResourceType): Record<string, Record<string, Schema>> {
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const collection = type.namespaced
    ? `${prefix}/namespaces/{namespace}/${type.plural}`
    : `${prefix}/${type.plural}`;
  const name = definitionNameOf(type);
  const gvk = { group: type.group, version: type.version, kind: type.kind };
  const list = [
    'labelSelector',
    'fieldSelector',
    'limit',
    'continue',
    'resourceVersion',
    'watch',
    'allowWatchBookmarks',
    'timeoutSeconds',
  ];
  const write = ['dryRun', 'fieldManager', 'fieldValidation'];
  const pathParameters = (item: boolean): Schema[] => [
    ...(item
      ? [
          {
            name: 'name',
            in: 'path',
            required: true,
            type: 'string',
            uniqueItems: true,
            description: `name of the ${type.kind}`,
          },
        ]
      : []),
    ...(type.namespaced
      ? [
          {
            name: 'namespace',
            in: 'path',
            required: true,
            type: 'string',
            uniqueItems: true,
            description: 'object name and auth scope',
          },
        ]
      : []),
  ];
  const operation = (method: string, item: boolean, spec: Operation): [string, Schema] => {
    const parameters: Schema[] = [
      ...pathParameters(item),
      ...spec.parameters.map((parameter) => ({
        name: parameter,
        in: 'query',
        type:
          parameter === 'force' || parameter === 'watch' || parameter === 'allowWatchBookmarks'
            ? 'boolean'
            : parameter === 'limit' || parameter === 'timeoutSeconds'
              ? 'integer'
              : 'string',
        uniqueItems: true,
        description: QUERY_PARAMETERS[parameter] ?? parameter,
      })),
    ];
    if (spec.body !== undefined)
      parameters.push({
        name: 'body',
        in: 'body',
        required: true,
        schema: { $ref: `#/definitions/${spec.body}` },
      });
    return [
      method,
      {
        operationId: `${spec.action}${type.kind}`,
        consumes:
          method === 'patch'
            ? [
                'application/json-patch+json',
                'application/merge-patch+json',
                ...(type.custom ? [] : ['application/strategic-merge-patch+json']),
                'application/apply-patch+yaml',
              ]
            : ['*/*'],
        produces: ['application/json', 'application/yaml'],
        parameters,
        responses: {
          '200': { description: 'OK', schema: { $ref: `#/definitions/${spec.response}` } },
          '401': { description: 'Unauthorized' },
        },
        'x-kubernetes-action': spec.action,
        'x-kubernetes-group-version-kind': gvk,
      },
    ];
  };
  const paths: Record<string, Record<string, Schema>> = {
    [collection]: Object.fromEntries([
      operation('get', false, { action: 'list', parameters: list, response: `${name}List` }),
      operation('post', false, { action: 'post', parameters: write, body: name, response: name }),
      operation('delete', false, {
        action: 'deletecollection',
        parameters: ['labelSelector', 'fieldSelector', 'dryRun'],
        response: `${META}.Status`,
      }),
    ]),
    [`${collection}/{name}`]: Object.fromEntries([
      operation('get', true, { action: 'get', parameters: [], response: name }),
      operation('put', true, { action: 'put', parameters: write, body: name, response: name }),
      operation('patch', true, {
        action: 'patch',
        parameters: [...write, 'force'],
        body: `${META}.Patch`,
        response: name,
      }),
      operation('delete', true, {
        action: 'delete',
        parameters: ['dryRun'],
        body: `${META}.DeleteOptions`,
        response: name,
      }),
    ]),
  };
  if (type.statusSubresource) {
    paths[`${collection}/{name}/status`] = Object.fromEntries([
      operation('get', true, { action: 'get', parameters: [], response: name }),
      operation('put', true, { action: 'put', parameters: write, body: name, response: name }),
      operation('patch', true, {
        action: 'patch',
        parameters: [...write, 'force'],
        body: `${META}.Patch`,
        response: name,
      }),
    ]);
  }
  return paths;
}

function swaggerFor(types: readonly ResourceType[], definitions: Record<string, Schema>): Schema {
  const paths: Record<string, unknown> = {};
  const used = new Set<string>();
  for (const type of types) {
    Object.assign(paths, pathsOf(type));
    for (const name of [definitionNameOf(type), `${definitionNameOf(type)}List`]) used.add(name);
  }
  collectReferences(paths, definitions, used);
  for (const name of [...used]) collectReferences(definitions[name], definitions, used);
  const selected = Object.fromEntries(
    [...used].sort().map((name) => [name, definitions[name] ?? placeholderDefinition(name)]),
  );
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.33.0' }, paths, definitions: selected };
}

/** Swagger 2 → OpenAPI 3.0 for the subset used here: references, body parameters, parameter types, responses. */
function toOpenApi3(swagger: Schema): Schema {
  const rewrite = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/definitions/', '"#/components/schemas/')) as unknown;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(swagger['paths'] as Record<string, Record<string, Schema>>)) {
    paths[path] = {};
    for (const [method, operation] of Object.entries(methods)) {
      const { consumes, produces, parameters, responses, ...rest } = operation as Schema & {
        parameters: Schema[];
      };
      const body = parameters.find((parameter) => parameter['in'] === 'body');
      const converted: Schema = {
        ...rest,
        parameters: parameters
          .filter((parameter) => parameter['in'] !== 'body')
          .map(({ type, uniqueItems, ...parameter }) => ({ ...parameter, schema: { type, uniqueItems } })),
        responses: Object.fromEntries(
          Object.entries(responses as Record<string, Schema>).map(([code, response]) => [
            code,
            response['schema'] === undefined
              ? { description: response['description'] }
              : {
                  description: response['description'],
                  content: Object.fromEntries(
                    (produces as string[]).map((media) => [media, { schema: response['schema'] }]),
                  ),
                },
          ]),
        ),
      };
      if (body !== undefined)
        converted['requestBody'] = {
          content: Object.fromEntries(
            (consumes as string[]).map((media) => [media, { schema: body['schema'] }]),
          ),
          required: true,
        };
      paths[path][method] = converted;
    }
  }
  return rewrite({
    openapi: '3.0.0',
    info: swagger['info'],
    paths,
    components: { schemas: swagger['definitions'] },
  }) as Schema;
}

/** A served document: its JSON text and the hash clients cache it by. */
export interface OpenApiDocument {
  json: string;
  hash: string;
}

function documentOf(value: unknown): OpenApiDocument {
  const json = JSON.stringify(value);
  return { json, hash: createHash('sha512').update(json).digest('hex').toUpperCase() };
}

/** The emulator's /openapi/v2 document and its /openapi/v3 documents by group-version path (`apis/tekton.dev/v1`). */
export interface OpenApiDocuments {
  v2: OpenApiDocument;
  /** The v2 document as gnostic's protobuf `openapi.v2.Document`. */
  v2Protobuf: Buffer;
  v3: Map<string, OpenApiDocument>;
}

let built: OpenApiDocuments | undefined;

/**
 * Builds (once) the OpenAPI documents of every served type: one swagger 2 document for all, one OpenAPI 3.0
 * document per group-version, as the API server publishes them, from Tekton's schemas and the core schemas.
 */
export function openApiDocuments(): OpenApiDocuments {
  if (built !== undefined) return built;
  const definitions = allDefinitions();
  const v3 = new Map<string, OpenApiDocument>();
  const byGroupVersion = new Map<string, ResourceType[]>();
  for (const type of RESOURCE_TYPES) {
    const key = type.group === '' ? `api/${type.version}` : `apis/${apiVersionOf(type)}`;
    byGroupVersion.set(key, [...(byGroupVersion.get(key) ?? []), type]);
  }
  for (const [key, types] of byGroupVersion)
    v3.set(key, documentOf(toOpenApi3(swaggerFor(types, definitions))));
  const swagger = swaggerFor(RESOURCE_TYPES, definitions);
  built = { v2: documentOf(swagger), v2Protobuf: encodeOpenApiV2Protobuf(swagger), v3 };
  return built;
}
