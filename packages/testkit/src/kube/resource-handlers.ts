import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyText, readJsonBody, sendJson } from './http-util.js';
import { statusError } from './kube-status.js';
import type { KubeObject, ObjectStore, WriteOptions } from './object-store.js';
import { applyJsonPatch, applyMergePatch, isJsonObject, type JsonObject, type JsonValue } from './patches.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { parseFieldSelector, parseLabelSelector, type Selector } from './selectors.js';
import { APPLY_PATCH_MEDIA_TYPE, serverSideApply } from './server-side-apply.js';

/** Field selectors each kind supports (CRDs get only metadata.name and metadata.namespace). */
export function supportedFields(type: ResourceType): string[] {
  const fields = ['metadata.name', 'metadata.namespace'];
  if (type.kind === 'Pod') fields.push('spec.nodeName', 'status.phase');
  if (type.kind === 'Event')
    fields.push('involvedObject.name', 'involvedObject.kind', 'involvedObject.uid', 'reason');
  if (type.kind === 'Secret') fields.push('type');
  return fields;
}

/** The values a field selector sees for an object. */
export function fieldsOf(type: ResourceType, object: KubeObject): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of supportedFields(type)) {
    let value: unknown = object;
    for (const part of field.split('.')) value = isJsonObject(value) ? value[part] : undefined;
    if (typeof value === 'string') values[field] = value;
  }
  return values;
}

/** A compiled label + field selector pair. */
export interface ObjectFilter {
  matches(object: KubeObject): boolean;
}

/** Builds the filter of a list or watch request from its query. */
export function filterFromQuery(type: ResourceType, query: URLSearchParams): ObjectFilter {
  const labels: Selector = parseLabelSelector(query.get('labelSelector') ?? undefined);
  const fields: Selector = parseFieldSelector(query.get('fieldSelector') ?? undefined, supportedFields(type));
  return { matches: (object) => labels(object.metadata.labels ?? {}) && fields(fieldsOf(type, object)) };
}

interface ContinueToken {
  resourceVersion: number;
  after: string;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof token.resourceVersion === 'number' && typeof token.after === 'string') return token;
  } catch {
    // fall through to the error below
  }
  throw statusError(400, 'BadRequest', 'continue key is not valid: invalid continue token');
}

const objectKey = (object: KubeObject): string =>
  `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

/** Renders a list answer in another form than `<Kind>List` (a Table). */
export type ListPresenter = (items: KubeObject[], metadata: Record<string, unknown>) => unknown;

/**
 * Handles `list`: selectors, `limit` and `continue` (a token older than the history → 410 Expired); `present`
 * renders the page in another form (a Table) instead of the `<Kind>List`.
 */
export function handleList(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
  response: ServerResponse,
  present?: ListPresenter,
): void {
  const filter = filterFromQuery(type, query);
  const limit = Number(query.get('limit') ?? '0');
  const continueText = query.get('continue');
  let listVersion = store.currentResourceVersion();
  let items = store.list(type, namespace).filter((object) => filter.matches(object));
  if (continueText !== null && continueText !== '') {
    const token = decodeContinue(continueText);
    if (token.resourceVersion < store.oldestWatchableResourceVersion(type)) {
      throw statusError(
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    listVersion = token.resourceVersion;
    items = items.filter((object) => objectKey(object) > token.after);
  }
  const metadata: Record<string, unknown> = { resourceVersion: String(listVersion) };
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    const remaining = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1];
    if (last !== undefined)
      metadata['continue'] = encodeContinue({ resourceVersion: listVersion, after: objectKey(last) });
    metadata['remainingItemCount'] = remaining;
  }
  const list = { kind: `${type.kind}List`, apiVersion: apiVersionOf(type), metadata, items };
  sendJson(response, 200, present === undefined ? list : present(items, metadata));
}

/** Checks a write's body against the URL: a JSON object of this apiVersion/kind and name (400 otherwise). */
export function checkBodyIdentity(type: ResourceType, body: unknown, name?: string): JsonObject {
  if (!isJsonObject(body)) throw statusError(400, 'BadRequest', 'the request body must be a JSON object');
  const apiVersion = body['apiVersion'];
  const kind = body['kind'];
  if (
    (apiVersion !== undefined && apiVersion !== apiVersionOf(type)) ||
    (kind !== undefined && kind !== type.kind)
  ) {
    throw statusError(
      400,
      'BadRequest',
      `the API version in the data (${String(apiVersion)}) does not match the expected API version (${apiVersionOf(type)}) or kind (${String(kind)} vs ${type.kind})`,
    );
  }
  const metadata = body['metadata'];
  const bodyName = isJsonObject(metadata) ? metadata['name'] : undefined;
  if (name !== undefined && bodyName !== undefined && bodyName !== name) {
    throw statusError(
      400,
      'BadRequest',
      `the name of the object (${String(bodyName)}) does not match the name on the URL (${name})`,
    );
  }
  return body;
}

/**
 * Reads `dryRun` from a write's query: `All` is the only value the API server accepts.
 *
 * @throws KubeEmulatorStatusError 400 for another value.
 */
export function writeOptionsOf(query: URLSearchParams): WriteOptions {
  const values = query.getAll('dryRun');
  const invalid = values.find((value) => value !== 'All');
  if (invalid !== undefined) {
    throw statusError(400, 'BadRequest', `Invalid dry run value: "${invalid}": supported values: "All"`);
  }
  return values.length > 0 ? { dryRun: true } : {};
}

/** Handles `create` (POST on the collection). */
export async function handleCreate(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  options: WriteOptions = {},
): Promise<void> {
  const body = checkBodyIdentity(type, await readJsonBody(request));
  sendJson(response, 201, store.create(type, namespace, body, options));
}

/** Handles `update` (PUT on an object or its status). */
export async function handleUpdate(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  options: WriteOptions = {},
): Promise<void> {
  const body = checkBodyIdentity(type, await readJsonBody(request), name);
  sendJson(
    response,
    200,
    store.update(type, namespace, name, body, subresource === 'status' ? 'status' : undefined, options),
  );
}

/**
 * Handles `patch`: merge patch, JSON patch, and strategic merge patch for core kinds only (custom resources
 * answer 415, as apiextensions-apiserver does). A `metadata.resourceVersion` in the patch is a precondition.
 */
export async function handlePatch(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  request: IncomingMessage,
  response: ServerResponse,
  query: URLSearchParams = new URLSearchParams(),
): Promise<void> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const options = writeOptionsOf(query);
  if (contentType === APPLY_PATCH_MEDIA_TYPE) {
    const text = await readBodyText(request);
    const fieldManager = query.get('fieldManager') ?? '';
    const result = serverSideApply(store, type, namespace, name, subresource, text, fieldManager, options);
    return sendJson(response, result.created ? 201 : 200, result.object);
  }
  const current = store.require(type, namespace, name) as unknown as JsonObject;
  const isMerge = contentType === 'application/merge-patch+json';
  const isStrategic = contentType === 'application/strategic-merge-patch+json';
  if (!isMerge && contentType !== 'application/json-patch+json' && !(isStrategic && !type.custom)) {
    throw statusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${type.custom ? '' : ', application/strategic-merge-patch+json'}`,
    );
  }
  const text = await readBodyText(request);
  let patch: JsonValue;
  try {
    patch = JSON.parse(text) as JsonValue;
  } catch {
    throw statusError(400, 'BadRequest', 'the patch is not valid JSON');
  }
  const patched = isMerge || isStrategic ? applyMergePatch(current, patch) : applyJsonPatch(current, patch);
  if (!isJsonObject(patched)) throw statusError(422, 'Invalid', 'the patched object is not a JSON object');
  sendJson(
    response,
    200,
    store.update(type, namespace, name, patched, subresource === 'status' ? 'status' : undefined, options),
  );
}

/**
 * The write options of a DELETE: `dryRun` in the query or, as kubectl sends it, in a DeleteOptions body.
 *
 * @throws KubeEmulatorStatusError 400 for a body that is not JSON or a dryRun value other than `All`.
 */
export async function deleteOptionsOf(
  request: IncomingMessage,
  query: URLSearchParams,
): Promise<WriteOptions> {
  const text = await readBodyText(request);
  const merged = new URLSearchParams(query);
  if (text.trim() !== '') {
    let body: unknown;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      throw statusError(400, 'BadRequest', 'the DeleteOptions body is not valid JSON');
    }
    const dryRun = isJsonObject(body) ? body['dryRun'] : undefined;
    if (Array.isArray(dryRun)) for (const value of dryRun) merged.append('dryRun', String(value));
  }
  return writeOptionsOf(merged);
}

/** Handles `delete` of one object (answers with the object as it was at deletion). */
export function handleDelete(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  response: ServerResponse,
  options: WriteOptions = {},
): void {
  sendJson(response, 200, store.delete(type, namespace, name, options));
}

/** Handles `deletecollection` with label/field selectors. */
export function handleDeleteCollection(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  query: URLSearchParams,
  response: ServerResponse,
  options: WriteOptions = {},
): void {
  const filter = filterFromQuery(type, query);
  const deleted = store
    .list(type, namespace)
    .filter((object) => filter.matches(object))
    .map((object) => store.delete(type, object.metadata.namespace, object.metadata.name, options));
  sendJson(response, 200, {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: String(store.currentResourceVersion()) },
    items: deleted,
  });
}
