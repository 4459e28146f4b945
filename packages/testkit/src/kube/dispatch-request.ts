import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiRoute } from './api-route.js';
import { dispatchConvertedRequest } from './converted-resource-request.js';
import type { KubeFaults, RecordedRequest } from './fault-injection.js';
import { sendJson } from './http-util.js';
import { statusError } from './kube-status.js';
import { handlePodLog } from './log-handler.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import type { PodLogStore } from './pod-logs.js';
import {
  deleteOptionsOf,
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handleList,
  handlePatch,
  handleUpdate,
  writeOptionsOf,
} from './resource-handlers.js';
import { tableRequestOf, toTable } from './table.js';
import type { WatchRegistry } from './watch-handler.js';

/** What the resource handlers need from the emulator. */
export interface DispatchContext {
  store: ObjectStore;
  logs: PodLogStore;
  faults: KubeFaults;
  watches: WatchRegistry;
  /** Simulated epoch ms. */
  now: () => number;
}

/** The request-log entry of a request: method, path, query, verb, target, impersonation headers (no credentials). */
export function describeRequest(request: IncomingMessage, url: URL, route: ApiRoute): RecordedRequest {
  const impersonation: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('impersonate-')) impersonation[name] = String(value);
  }
  const verbs = {
    resource: undefined,
    discovery: 'discovery',
    openapi: 'discovery',
    eventlistener: 'eventlistener',
    health: 'unknown',
    unknown: 'unknown',
  } as const;
  const record: RecordedRequest = {
    method: request.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    verb: route.kind === 'resource' ? route.verb : verbs[route.kind],
    authentication: 'anonymous',
    impersonation,
  };
  if (route.kind === 'resource') {
    record.resource = route.type.plural;
    if (route.namespace !== undefined) record.namespace = route.namespace;
    if (route.name !== undefined) record.name = route.name;
  }
  return record;
}

/**
 * Serves an authenticated request for a resource by its verb.
 *
 * @throws KubeEmulatorStatusError for every API error (404 for unknown subresources, 405, and the handlers' own).
 */
export async function dispatchResourceRequest(
  context: DispatchContext,
  route: Extract<ApiRoute, { kind: 'resource' }>,
  query: URLSearchParams,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { type, namespace, name, subresource } = route;
  if (
    subresource !== undefined &&
    !(subresource === 'status' && type.statusSubresource) &&
    !(subresource === 'log' && type.kind === 'Pod')
  ) {
    throw statusError(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (type.storage !== undefined) return dispatchConvertedRequest(context, route, query, request, response);
  // kubectl get asks for a meta.k8s.io Table (server-side printing) on get, list and watch.
  const table = subresource === undefined ? tableRequestOf(request.headers.accept, query) : undefined;
  const asTable =
    table === undefined
      ? undefined
      : (items: KubeObject[], metadata: Record<string, unknown>) =>
          toTable(type, items, metadata, table, context.now());
  switch (route.verb) {
    case 'list':
      return handleList(context.store, type, namespace, query, response, asTable);
    case 'watch':
      return context.watches.handle(
        type,
        namespace,
        query,
        response,
        asTable && {
          present: (object) => asTable([object], { resourceVersion: object.metadata.resourceVersion }),
        },
      );
    case 'get': {
      const object = context.store.require(type, namespace, name ?? '');
      return sendJson(
        response,
        200,
        asTable ? asTable([object], { resourceVersion: object.metadata.resourceVersion }) : object,
      );
    }
    case 'log':
      return handlePodLog(
        { store: context.store, logs: context.logs, faults: context.faults, podType: type, now: context.now },
        namespace ?? 'default',
        name ?? '',
        query,
        response,
      );
    case 'create':
      if (name !== undefined)
        throw statusError(405, 'MethodNotAllowed', 'POST is not allowed on a named resource');
      return handleCreate(context.store, type, namespace, request, response, writeOptionsOf(query));
    case 'update':
      return handleUpdate(
        context.store,
        type,
        namespace,
        name ?? '',
        subresource,
        request,
        response,
        writeOptionsOf(query),
      );
    case 'patch':
      return handlePatch(context.store, type, namespace, name ?? '', subresource, request, response, query);
    case 'delete':
      return handleDelete(
        context.store,
        type,
        namespace,
        name ?? '',
        response,
        await deleteOptionsOf(request, query),
      );
    case 'deletecollection': {
      const options = await deleteOptionsOf(request, query);
      return handleDeleteCollection(context.store, type, namespace, query, response, options);
    }
    default:
      throw statusError(405, 'MethodNotAllowed', `${request.method ?? ''} is not supported`);
  }
}
