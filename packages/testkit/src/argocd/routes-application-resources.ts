import { discoverResourceActions, runResourceAction } from '@gitops-kit/argocd-health';
import { loadApplication } from './application-access.js';
import { GrpcCode, RpcStatusError, rpcError } from './grpc-status.js';
import { applyJsonPatch, applyMergePatch } from './json-patch.js';
import type { Application, JsonObject, KubeObject } from './model.js';
import { formatKubeTime, splitApiVersion } from './model.js';
import { actionScript, discoveryScripts } from './resource-actions.js';
import type { Route, RouteContext } from './routing.js';

/** The resource a request names (query fields of ApplicationResourceRequest, or the v2 action body). */
interface ResourceRequest {
  namespace: string;
  resourceName: string;
  version: string;
  group: string;
  kind: string;
}

function resourceRequestFrom(context: RouteContext): ResourceRequest {
  const body = (typeof context.body === 'object' && context.body !== null ? context.body : {}) as JsonObject;
  const field = (name: string) =>
    context.query.get(name) ?? (typeof body[name] === 'string' ? body[name] : '');
  return {
    namespace: field('namespace'),
    resourceName: field('resourceName'),
    version: field('version'),
    group: field('group'),
    kind: field('kind'),
  };
}

interface LiveResource {
  app: Application;
  node: JsonObject;
  object: KubeObject;
}

/**
 * getAppLiveResource: the resource must be a node of the app's resource tree (ApplicationTree.FindNode by group,
 * kind, namespace and name) with a uid, else InvalidArgument "<kind> <group> <name> not found as part of
 * application <app>".
 */
function liveResource(context: RouteContext, request: ResourceRequest): LiveResource {
  const app = loadApplication(context, context.params.name ?? '');
  const name = app.metadata.name;
  const nodes = context.state.store.getTree(name)?.nodes ?? [];
  const objects = context.state.controller.treeObjects(name);
  const index = nodes.findIndex(
    (node) =>
      node.group === request.group &&
      node.kind === request.kind &&
      (node.namespace ?? '') === request.namespace &&
      node.name === request.resourceName,
  );
  const node = nodes[index];
  const object = objects[index];
  if (!node || !object || !node.uid) {
    throw rpcError(
      GrpcCode.InvalidArgument,
      `${request.kind} ${request.group} ${request.resourceName} not found as part of application ${name}`,
    );
  }
  return { app, node, object: structuredClone(object) };
}

/** replaceSecretValues: a core Secret's values are masked (diff.HideSecretData). */
function manifestOf(object: KubeObject): string {
  if (object.kind === 'Secret' && splitApiVersion(object.apiVersion).group === '') {
    const masked = structuredClone(object) as KubeObject & { data?: JsonObject; stringData?: JsonObject };
    for (const field of ['data', 'stringData'] as const) {
      const values = masked[field];
      if (values) for (const key of Object.keys(values)) values[key] = '++++++++';
    }
    return JSON.stringify(masked);
  }
  return JSON.stringify(object);
}

/** The body kept as the new live state: what a client may change (status and server fields are the cluster's). */
function storedBody(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = structuredClone(object);
  const { uid: _uid, generation: _generation, ...metadata } = rest.metadata;
  return { ...rest, metadata: { ...metadata, name: object.metadata.name } } as KubeObject;
}

function userOf(context: RouteContext): string {
  return context.principal?.username || 'Unknown user';
}

function recordResourceEvent(
  context: RouteContext,
  app: Application,
  node: JsonObject,
  message: string,
  reason: string,
): void {
  const group = String(node.group ?? '');
  context.state.store.recordEvent(app.metadata.name, {
    reason,
    message: `${userOf(context)} ${message}`,
    type: 'Normal',
    involvedObject: {
      apiVersion: group ? `${group}/${String(node.version ?? '')}` : String(node.version ?? ''),
      kind: String(node.kind),
      name: String(node.name),
      namespace: String(node.namespace ?? ''),
      uid: String(node.uid ?? ''),
    },
  });
}

/** Writes a changed live object; only the app's own resources can change (derived Pods/ReplicaSets cannot). */
async function writeLive(context: RouteContext, app: Application, object: KubeObject): Promise<void> {
  const changed = await context.state.controller.changeLiveObject(app.metadata.name, storedBody(object));
  if (!changed) {
    throw rpcError(
      GrpcCode.Unimplemented,
      `changing ${object.kind} ${object.metadata.name} is not emulated: only resources the application manages can change`,
    );
  }
}

const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

async function patchResource(context: RouteContext): Promise<unknown> {
  const request = resourceRequestFrom(context);
  const { app, object } = liveResource(context, request);
  const patchType = context.query.get('patchType') ?? '';
  const patchText = typeof context.body === 'string' ? context.body : '';
  let patched: KubeObject;
  try {
    const patch = JSON.parse(patchText) as unknown;
    if (patchType === PATCH_TYPES.json) patched = applyJsonPatch(object, patch) as KubeObject;
    // Strategic merge is applied as a JSON merge patch (lists are replaced, not merged by key).
    else if (patchType === PATCH_TYPES.merge || patchType === PATCH_TYPES.strategic)
      patched = applyMergePatch(object, patch) as KubeObject;
    else
      throw new Error(
        `the body of the request was in an unknown format - accepted media types include: ${Object.values(PATCH_TYPES).join(', ')}`,
      );
  } catch (error) {
    // PatchResource hides the Kubernetes error for Secrets (it might contain secret data).
    if (object.kind === 'Secret' && request.group === '')
      throw rpcError(GrpcCode.Unknown, `failed to patch Secret ${request.namespace}/${request.resourceName}`);
    throw rpcError(GrpcCode.Unknown, `error patching resource: ${(error as Error).message}`);
  }
  await writeLive(context, app, patched);
  context.state.store.recordEvent(app.metadata.name, {
    reason: 'ResourceUpdated',
    message: `${userOf(context)} patched resource ${request.group}/${request.kind} '${request.resourceName}'`,
    type: 'Normal',
  });
  const after = liveResource(context, request).object;
  return { manifest: manifestOf(after) };
}

/** getUnstructuredLiveResourceOrApp: the Application itself when kind/group/name name it, else a tree resource. */
function actionTarget(
  context: RouteContext,
  request: ResourceRequest,
): LiveResource | { app: Application; node: undefined; object: KubeObject } {
  const appName = context.params.name ?? '';
  if (request.kind === 'Application' && request.group === 'argoproj.io' && request.resourceName === appName) {
    const app = loadApplication(context, appName);
    return { app, node: undefined, object: app as unknown as KubeObject };
  }
  return liveResource(context, request);
}

async function listActions(context: RouteContext): Promise<unknown> {
  const request = resourceRequestFrom(context);
  const { object } = actionTarget(context, request);
  const { group } = splitApiVersion(object.apiVersion);
  const scripts = discoveryScripts(context.state.argocdCm, group, object.kind);
  if (scripts.length === 0) return { actions: [] };
  try {
    return { actions: await discoverResourceActions(scripts, object) };
  } catch (error) {
    throw rpcError(
      GrpcCode.Unknown,
      `error getting available actions: error executing Lua discovery script: ${(error as Error).message}`,
    );
  }
}

async function runAction(
  context: RouteContext,
  action: string,
  parameters: Array<{ name: string; value: string }>,
): Promise<unknown> {
  const request = resourceRequestFrom(context);
  const target = actionTarget(context, request);
  const { group } = splitApiVersion(target.object.apiVersion);
  const script = actionScript(context.state.argocdCm, group, target.object.kind, action);
  let changes: Awaited<ReturnType<typeof runResourceAction>>;
  try {
    changes = await runResourceAction(script, target.object, { parameters });
  } catch (error) {
    if (error instanceof RpcStatusError) throw error;
    throw rpcError(GrpcCode.Unknown, `error executing Lua resource action: ${(error as Error).message}`);
  }
  for (const change of changes) {
    if (change.operation === 'create')
      throw rpcError(GrpcCode.Unimplemented, 'actions that create resources are not emulated');
    if (target.node === undefined)
      throw rpcError(GrpcCode.Unimplemented, 'actions that change the Application itself are not emulated');
    await writeLive(context, target.app, change.resource as KubeObject);
  }
  if (target.node === undefined) {
    context.state.store.recordEvent(target.app.metadata.name, {
      reason: 'ResourceActionRan',
      message: `${userOf(context)} ran action ${action}`,
      type: 'Normal',
    });
  } else {
    const node = target.node;
    context.state.store.recordEvent(target.app.metadata.name, {
      reason: 'ResourceActionRan',
      message: `${userOf(context)} ran action ${action} on resource ${String(node.group)}/${String(node.kind)}/${String(node.name)}`,
      type: 'Normal',
    });
    recordResourceEvent(context, target.app, node, `ran action ${action}`, 'ResourceActionRan');
  }
  return {};
}

function listEvents(context: RouteContext): unknown {
  const app = loadApplication(context, context.params.name ?? '');
  const name = app.metadata.name;
  const resourceName = context.query.get('resourceName') ?? '';
  const resourceUID = context.query.get('resourceUID') ?? '';
  const resourceNamespace = context.query.get('resourceNamespace') ?? '';
  const namespace = context.state.store.namespace;
  // ListResourceEvents: without resourceName and resourceUID, the Application's own events; otherwise the
  // resource must be in the app's tree (uid, name and namespace all equal) and its events are listed.
  const forResource = resourceName !== '' || resourceUID !== '';
  if (forResource) {
    const nodes = context.state.store.getTree(name)?.nodes ?? [];
    const found = nodes.some(
      (node) =>
        node.uid === resourceUID &&
        node.name === resourceName &&
        (node.namespace ?? '') === resourceNamespace,
    );
    if (!found)
      throw rpcError(GrpcCode.InvalidArgument, `${resourceName} not found as part of application ${name}`);
  }
  const items = context.state.store
    .listEvents(name)
    .map((event, index) => ({ event, index }))
    .filter(({ event }) =>
      forResource
        ? event.involvedObject?.uid === resourceUID &&
          event.involvedObject.name === resourceName &&
          event.involvedObject.namespace === resourceNamespace
        : event.involvedObject === undefined,
    )
    .map(({ event, index }) => {
      const involvedObject = event.involvedObject ?? {
        kind: 'Application',
        name,
        namespace,
        apiVersion: 'argoproj.io/v1alpha1',
        uid: app.metadata.uid ?? '',
      };
      return {
        metadata: {
          name: `${involvedObject.name}.${(event.at * 1000 + index).toString(16)}`,
          namespace: involvedObject.namespace || namespace,
        },
        involvedObject,
        reason: event.reason,
        message: event.message,
        type: event.type,
        count: 1,
        firstTimestamp: formatKubeTime(event.at),
        lastTimestamp: formatKubeTime(event.at),
        source: { component: event.involvedObject ? 'argocd-server' : 'argocd-application-controller' },
      };
    });
  return { metadata: {}, items };
}

/** Events, live resources (get, patch) and resource actions (list, run, v2 with parameters). */
export const applicationResourceRoutes: Route[] = [
  { method: 'GET', pattern: '/api/v1/applications/:name/events', auth: 'required', handler: listEvents },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/resource',
    auth: 'required',
    handler: (context) => ({
      manifest: manifestOf(liveResource(context, resourceRequestFrom(context)).object),
    }),
  },
  {
    method: 'POST',
    pattern: '/api/v1/applications/:name/resource',
    auth: 'required',
    handler: patchResource,
  },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/resource/actions',
    auth: 'required',
    handler: listActions,
  },
  {
    method: 'POST',
    pattern: '/api/v1/applications/:name/resource/actions',
    auth: 'required',
    // The v1 body is the action name as a JSON string (google.api.http body: "action").
    handler: (context) => runAction(context, typeof context.body === 'string' ? context.body : '', []),
  },
  {
    method: 'POST',
    pattern: '/api/v1/applications/:name/resource/actions/v2',
    auth: 'required',
    handler: (context) => {
      const body = (context.body ?? {}) as JsonObject;
      const parameters = Array.isArray(body.resourceActionParameters)
        ? (body.resourceActionParameters as Array<{ name?: string; value?: string }>).map((parameter) => ({
            name: parameter.name ?? '',
            value: parameter.value ?? '',
          }))
        : [];
      return runAction(context, typeof body.action === 'string' ? body.action : '', parameters);
    },
  },
];
