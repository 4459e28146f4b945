import { loadApplication } from './application-access.js';
import { GrpcCode, rpcError } from './grpc-status.js';
import type {
  Application,
  ApplicationSource,
  JsonObject,
  KubeObject,
  Operation,
  SyncOperation,
} from './model.js';
import { splitApiVersion } from './model.js';
import type { Route, RouteContext } from './routing.js';

function isAutoSyncEnabled(app: Application): boolean {
  const automated = app.spec.syncPolicy?.automated;
  return automated !== undefined && automated.enabled !== false;
}

/** util/argo/argo.go SetAppOperation: refuses while another operation is set. */
function setOperation(context: RouteContext, name: string, operation: Operation): Application {
  let refused = false;
  const stored = context.state.store.updateApplication(name, (app) => {
    if (app.operation) {
      refused = true;
      return;
    }
    app.operation = operation;
  });
  if (refused || !stored)
    throw rpcError(GrpcCode.FailedPrecondition, 'another operation is already in progress');
  void context.state.controller.reconcile(name);
  return stored;
}

function initiator(context: RouteContext): NonNullable<Operation['initiatedBy']> {
  return { username: context.principal?.username ?? 'Unknown user' };
}

function managedResourceItem(target: KubeObject | undefined, live: KubeObject | undefined): JsonObject {
  const object = (target ?? live) as KubeObject;
  const { group } = splitApiVersion(object.apiVersion);
  const targetState = target ? JSON.stringify(target) : 'null';
  const liveState = live ? JSON.stringify(live) : 'null';
  const { status: _status, ...liveWithoutStatus } = live ?? ({} as KubeObject);
  const normalizedLive = live
    ? JSON.stringify({
        ...liveWithoutStatus,
        metadata: { ...live.metadata, uid: undefined, generation: undefined },
      })
    : 'null';
  return {
    group,
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    targetState,
    liveState,
    normalizedLiveState: normalizedLive,
    predictedLiveState: targetState,
    modified:
      JSON.stringify(target ?? null) !==
      JSON.stringify(
        live
          ? { ...liveWithoutStatus, metadata: { ...live.metadata, uid: undefined, generation: undefined } }
          : null,
      ),
    hook: false,
  };
}

/**
 * The revision per source of a multi-source sync request: `revisions[i]` for `sourcePositions[i]` (1-based), the
 * source's target revision elsewhere.
 *
 * @throws RpcStatusError InvalidArgument for a position out of range or mismatched lists; FailedPrecondition for
 *   a different revision while auto-sync is on.
 */
function sourceRevisions(sources: ApplicationSource[], body: JsonObject, autoSync: boolean): string[] {
  const requested = Array.isArray(body.revisions) ? (body.revisions as unknown[]).map(String) : [];
  const positions = Array.isArray(body.sourcePositions)
    ? (body.sourcePositions as unknown[]).map(Number)
    : [];
  if (requested.length !== positions.length)
    throw rpcError(GrpcCode.InvalidArgument, 'revisions and sourcePositions must have the same length');
  const revisions = sources.map((source) => source.targetRevision ?? '');
  positions.forEach((position, index) => {
    if (!Number.isInteger(position) || position <= 0 || position > sources.length)
      throw rpcError(GrpcCode.InvalidArgument, 'source position is out of range');
    const wanted = requested[index] as string;
    const source = sources[position - 1] as ApplicationSource;
    if (wanted !== '' && wanted !== (source.targetRevision || 'HEAD') && autoSync) {
      throw rpcError(
        GrpcCode.FailedPrecondition,
        `Cannot sync source ${source.repoURL} to ${wanted}: auto-sync currently set to ${source.targetRevision}`,
      );
    }
    if (wanted !== '') revisions[position - 1] = wanted;
  });
  return revisions;
}

/** Sync, rollback, terminate and the read-only application sub-resources. */
export const applicationOperationRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/api/v1/applications/:name/sync',
    auth: 'required',
    handler: (context) => {
      const app = loadApplication(context, context.params.name ?? '');
      const body = (context.body ?? {}) as JsonObject;
      if (app.metadata.deletionTimestamp)
        throw rpcError(GrpcCode.FailedPrecondition, 'application is deleting');
      const autoSync = isAutoSyncEnabled(app);
      const manifests = Array.isArray(body.manifests) ? body.manifests : [];
      if (manifests.length > 0 && autoSync && body.dryRun !== true) {
        throw rpcError(
          GrpcCode.FailedPrecondition,
          'cannot use local sync when Automatic Sync Policy is enabled unless for dry run',
        );
      }
      const sources = app.spec.sources?.length ? app.spec.sources : undefined;
      const targetRevision = app.spec.source?.targetRevision ?? '';
      const revision =
        !sources && typeof body.revision === 'string' && body.revision ? body.revision : targetRevision;
      if (!sources && autoSync && body.dryRun !== true && revision !== targetRevision) {
        throw rpcError(
          GrpcCode.FailedPrecondition,
          `Cannot sync to ${revision}: auto-sync currently set to ${targetRevision}`,
        );
      }
      // Multi-source apps take `revisions` with 1-based `sourcePositions`; `revision` is ignored (as Argo CD does).
      const revisions = sources
        ? sourceRevisions(sources, body, autoSync && body.dryRun !== true)
        : undefined;
      const syncOptions =
        (body.syncOptions as { items?: string[] } | undefined)?.items ?? app.spec.syncPolicy?.syncOptions;
      const sync: SyncOperation = {
        ...(sources ? { revisions: revisions ?? [], sources } : revision ? { revision } : {}),
        ...(body.prune === true ? { prune: true } : {}),
        ...(body.dryRun === true ? { dryRun: true } : {}),
        ...(Array.isArray(body.resources) && body.resources.length > 0
          ? { resources: body.resources as SyncOperation['resources'] }
          : {}),
        ...(body.strategy ? { syncStrategy: body.strategy as JsonObject } : {}),
        ...(syncOptions?.length ? { syncOptions } : {}),
        ...(manifests.length > 0 ? { manifests: manifests as string[] } : {}),
      };
      const operation: Operation = {
        sync,
        initiatedBy: initiator(context),
        ...(Array.isArray(body.infos) && body.infos.length > 0
          ? { info: body.infos as NonNullable<Operation['info']> }
          : {}),
        ...(body.retryStrategy ? { retry: body.retryStrategy as JsonObject } : {}),
      };
      return setOperation(context, app.metadata.name, operation);
    },
  },
  {
    method: 'POST',
    pattern: '/api/v1/applications/:name/rollback',
    auth: 'required',
    handler: (context) => {
      const app = loadApplication(context, context.params.name ?? '');
      const body = (context.body ?? {}) as JsonObject;
      if (app.metadata.deletionTimestamp)
        throw rpcError(GrpcCode.FailedPrecondition, 'application is deleting');
      if (isAutoSyncEnabled(app))
        throw rpcError(GrpcCode.FailedPrecondition, 'rollback cannot be initiated when auto-sync is enabled');
      const id = Number(body.id ?? 0);
      const entry = app.status?.history?.find((candidate) => candidate.id === id);
      if (!entry)
        throw rpcError(
          GrpcCode.InvalidArgument,
          `application ${app.metadata.name} does not have deployment with id ${id}`,
        );
      // A rollback is a sync to the history entry's revision and source with the apply strategy.
      return setOperation(context, app.metadata.name, {
        sync: {
          ...(entry.revisions?.length
            ? { revisions: entry.revisions, sources: entry.sources ?? app.spec.sources ?? [] }
            : { revision: entry.revision }),
          ...(entry.source ? { source: entry.source } : {}),
          ...(body.dryRun === true ? { dryRun: true } : {}),
          ...(body.prune === true ? { prune: true } : {}),
          syncStrategy: { apply: { force: false } },
        },
        initiatedBy: initiator(context),
      });
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v1/applications/:name/operation',
    auth: 'required',
    handler: (context) => {
      const name = loadApplication(context, context.params.name ?? '').metadata.name;
      let terminated = false;
      context.state.store.updateApplication(name, (app) => {
        if (!app.operation || !app.status?.operationState) return;
        terminated = true;
        app.status.operationState.phase = 'Terminating';
      });
      if (!terminated)
        throw rpcError(
          GrpcCode.InvalidArgument,
          'Unable to terminate operation. No operation is in progress',
        );
      void context.state.controller.reconcile(name);
      return {};
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/resource-tree',
    auth: 'required',
    handler: async (context) => {
      const name = loadApplication(context, context.params.name ?? '').metadata.name;
      // A cache miss makes the real server trigger a refresh and wait for it.
      if (!context.state.store.getTree(name)) await context.state.controller.refresh(name);
      return context.state.store.getTree(name) ?? { nodes: [] };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/managed-resources',
    auth: 'required',
    handler: (context) => {
      const name = loadApplication(context, context.params.name ?? '').metadata.name;
      // ManagedResources keeps the items isMatchingResource accepts: each of name, namespace, kind and group
      // filters when non-empty (`version` is accepted but not compared, as upstream).
      const filter = (field: string) => context.query.get(field) ?? '';
      return {
        items: context.state.controller
          .managedResources(name)
          .map(({ target, live }) => managedResourceItem(target, live))
          .filter(
            (item) =>
              (!filter('name') || item.name === filter('name')) &&
              (!filter('namespace') || item.namespace === filter('namespace')) &&
              (!filter('kind') || item.kind === filter('kind')) &&
              (!filter('group') || item.group === filter('group')),
          ),
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/manifests',
    auth: 'required',
    handler: async (context) => {
      const app = loadApplication(context, context.params.name ?? '');
      const rendered = await context.state.controller
        .renderAt(app, context.query.get('revision') ?? undefined)
        .catch((error: Error) => {
          throw rpcError(GrpcCode.Unknown, `failed to get manifests: ${error.message}`);
        });
      return {
        manifests: rendered.objects.map((object) => JSON.stringify(object)),
        namespace: app.spec.destination?.namespace ?? '',
        server: app.spec.destination?.server ?? '',
        revision: rendered.revision,
        sourceType: app.spec.source?.helm || app.spec.source?.chart ? 'Helm' : 'Directory',
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/revisions/:revision/metadata',
    auth: 'required',
    handler: async (context) => {
      const app = loadApplication(context, context.params.name ?? '');
      // Multi-source apps name the source with `sourceIndex` (0-based).
      const sourceIndex = Number(context.query.get('sourceIndex') ?? 0);
      const repoURL = app.spec.sources?.length
        ? app.spec.sources[sourceIndex]?.repoURL
        : app.spec.source?.repoURL;
      if (!repoURL) throw rpcError(GrpcCode.InvalidArgument, 'application has no source');
      const sha = await context.state.git.resolve(
        repoURL,
        context.params.revision,
        context.state.repositoryAccess(repoURL),
      );
      return context.state.git.metadata(repoURL, sha);
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/syncwindows',
    auth: 'required',
    handler: (context) => {
      loadApplication(context, context.params.name ?? '');
      return { assignedWindows: [], activeWindows: [], canSync: true };
    },
  },
];
