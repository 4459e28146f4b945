import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiRoute } from './api-route.js';
import type { DispatchContext } from './dispatch-request.js';
import { readBodyText, readJsonBody, sendJson } from './http-util.js';
import { statusError } from './kube-status.js';
import type { KubeObject } from './object-store.js';
import { applyJsonPatch, applyMergePatch, isJsonObject, type JsonObject, type JsonValue } from './patches.js';
import { checkBodyIdentity, filterFromQuery } from './resource-handlers.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import { convertTektonObject } from './tekton-conversion.js';

/** What a client of the served version sees of a stored object. */
const present = (object: KubeObject): KubeObject => convertTektonObject(object, 'toV1beta1');

/** The shared identity check, then the served version's apiVersion and kind filled in (conversion needs them). */
function checkIdentity(type: ResourceType, body: unknown, name?: string): JsonObject {
  return { ...checkBodyIdentity(type, body, name), apiVersion: apiVersionOf(type), kind: type.kind };
}

const toStorage = (object: JsonObject): JsonObject => convertTektonObject(object, 'toV1');

async function readPatched(
  request: IncomingMessage,
  current: KubeObject,
  custom: boolean,
): Promise<JsonObject> {
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const isMerge = contentType === 'application/merge-patch+json';
  if (!isMerge && contentType !== 'application/json-patch+json') {
    throw statusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${custom ? '' : ', application/strategic-merge-patch+json'}`,
    );
  }
  let patch: JsonValue;
  try {
    patch = JSON.parse(await readBodyText(request)) as JsonValue;
  } catch {
    throw statusError(400, 'BadRequest', 'the patch is not valid JSON');
  }
  const served = present(current) as unknown as JsonObject;
  const patched = isMerge ? applyMergePatch(served, patch) : applyJsonPatch(served, patch);
  if (!isJsonObject(patched)) throw statusError(422, 'Invalid', 'the patched object is not a JSON object');
  return patched;
}

/**
 * Serves a request for a version the emulator serves by conversion (Tekton's `tekton.dev/v1beta1`): the body is
 * converted to the stored version before it is stored (and goes through admission there), and every answer,
 * watch events included, is converted back, as the API server does with a CRD conversion webhook. List
 * pagination (`limit`/`continue`) is not offered on these versions: every matching object comes in one page.
 *
 * @throws KubeEmulatorStatusError for every API error, as for stored versions.
 */
export async function dispatchConvertedRequest(
  context: DispatchContext,
  route: Extract<ApiRoute, { kind: 'resource' }>,
  query: URLSearchParams,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { type, namespace, subresource } = route;
  const storage = type.storage ?? type;
  const name = route.name ?? '';
  const { store } = context;
  const statusWrite = subresource === 'status' ? ('status' as const) : undefined;
  switch (route.verb) {
    case 'list': {
      const filter = filterFromQuery(storage, query);
      const items = store
        .list(storage, namespace)
        .filter((object) => filter.matches(object))
        .map(present);
      return sendJson(response, 200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(store.currentResourceVersion()) },
        items,
      });
    }
    case 'watch':
      return context.watches.handle(storage, namespace, query, response, {
        apiVersion: apiVersionOf(type),
        present,
      });
    case 'get':
      return sendJson(response, 200, present(store.require(storage, namespace, name)));
    case 'create': {
      if (route.name !== undefined)
        throw statusError(405, 'MethodNotAllowed', 'POST is not allowed on a named resource');
      const body = toStorage(checkIdentity(type, await readJsonBody(request)));
      return sendJson(response, 201, present(store.create(storage, namespace, body)));
    }
    case 'update': {
      const body = toStorage(checkIdentity(type, await readJsonBody(request), name));
      return sendJson(response, 200, present(store.update(storage, namespace, name, body, statusWrite)));
    }
    case 'patch': {
      const patched = await readPatched(request, store.require(storage, namespace, name), type.custom);
      const body = toStorage(checkIdentity(type, patched, name));
      return sendJson(response, 200, present(store.update(storage, namespace, name, body, statusWrite)));
    }
    case 'delete':
      return sendJson(response, 200, present(store.delete(storage, namespace, name)));
    case 'deletecollection': {
      const filter = filterFromQuery(storage, query);
      const deleted = store
        .list(storage, namespace)
        .filter((object) => filter.matches(object))
        .map((object) => present(store.delete(storage, object.metadata.namespace, object.metadata.name)));
      return sendJson(response, 200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(store.currentResourceVersion()) },
        items: deleted,
      });
    }
    default:
      throw statusError(405, 'MethodNotAllowed', `${request.method ?? ''} is not supported`);
  }
}
