import {
  canAccessProject,
  loadApplication,
  matchesLabelSelector,
  validateApplicationSpec,
} from './application-access.js';
import { projectFields } from './field-projection.js';
import { GrpcCode, rpcError } from './grpc-status.js';
import { applyJsonPatch, applyMergePatch } from './json-patch.js';
import type { Application, ApplicationSpec, JsonObject } from './model.js';
import { formatKubeTime } from './model.js';
import type { Route, RouteContext } from './routing.js';

const CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

function validateFlag(context: RouteContext): boolean {
  return context.query.get('validate') !== 'false';
}

/** Filters the app list like ApplicationService.List (name, projects, selector, repo) and RBAC. */
export function listVisibleApplications(context: RouteContext): Application[] {
  const { query } = context;
  const name = query.get('name');
  const projects = [...query.getAll('projects'), ...query.getAll('project')];
  const selector = query.get('selector');
  const repo = query.get('repo');
  return context.state.store.listApplications().filter((app) => {
    const project = app.spec.project || 'default';
    return (
      canAccessProject(context, project) &&
      (!name || app.metadata.name === name) &&
      (projects.length === 0 || projects.includes(project)) &&
      matchesLabelSelector(app.metadata.labels, selector) &&
      (!repo ||
        app.spec.source?.repoURL === repo ||
        (app.spec.sources ?? []).some((source) => source.repoURL === repo))
    );
  });
}

/** Writes a user change (spec, labels, annotations, finalizers) and nudges the controller. */
function writeUserChange(context: RouteContext, app: Application): Application {
  const stored = context.state.store.putApplication(app);
  void context.state.controller.reconcile(app.metadata.name);
  return stored;
}

function replaceUserFields(target: Application, source: Application): void {
  target.spec = source.spec;
  for (const field of ['labels', 'annotations', 'finalizers'] as const) {
    if (source.metadata[field] === undefined) delete target.metadata[field];
    else target.metadata[field] = source.metadata[field] as never;
  }
}

/** Application CRUD routes. */
export const applicationRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/v1/applications',
    auth: 'required',
    handler: (context) => {
      const list = {
        metadata: { resourceVersion: context.state.store.currentResourceVersion() },
        items: listVisibleApplications(context),
      };
      return projectFields(list, context.query.get('fields') ?? undefined);
    },
  },
  {
    method: 'POST',
    pattern: '/api/v1/applications',
    auth: 'required',
    handler: (context) => {
      const body = (context.body ?? {}) as Application;
      const name = body.metadata?.name;
      if (!name) throw rpcError(GrpcCode.InvalidArgument, 'application name is required');
      validateApplicationSpec(context, name, body.spec, validateFlag(context));
      // Create: apps may only live in the server's namespace (isNamespaceEnabled; a plain error, hence Unknown).
      const namespace = body.metadata.namespace;
      if (namespace && namespace !== context.state.store.namespace)
        throw rpcError(GrpcCode.Unknown, `namespace '${namespace}' is not permitted`);
      const incoming: Application = {
        metadata: {
          name,
          ...(body.metadata.labels ? { labels: body.metadata.labels } : {}),
          ...(body.metadata.annotations ? { annotations: body.metadata.annotations } : {}),
          ...(body.metadata.finalizers ? { finalizers: body.metadata.finalizers } : {}),
        },
        spec: body.spec,
      };
      const existing = context.state.store.getApplication(name);
      if (existing) {
        const comparable = (app: Application) =>
          JSON.stringify([
            app.spec,
            app.metadata.labels ?? {},
            app.metadata.annotations ?? {},
            app.metadata.finalizers ?? [],
          ]);
        if (comparable(existing) === comparable(incoming)) return existing;
        if (context.query.get('upsert') !== 'true') {
          throw rpcError(
            GrpcCode.InvalidArgument,
            'existing application spec is different, use upsert flag to force update',
          );
        }
        // Create with upsert is updateApp(merge=true): labels and annotations are merged into the existing ones,
        // spec and finalizers replaced (server/application/application.go).
        existing.spec = incoming.spec;
        for (const field of ['labels', 'annotations'] as const) {
          const merged = { ...(existing.metadata[field] ?? {}), ...(incoming.metadata[field] ?? {}) };
          if (Object.keys(merged).length > 0) existing.metadata[field] = merged;
        }
        if (incoming.metadata.finalizers === undefined) delete existing.metadata.finalizers;
        else existing.metadata.finalizers = incoming.metadata.finalizers;
        return writeUserChange(context, existing);
      }
      // The body's `operation` is discarded on create (server/application/application.go Create).
      context.state.store.recordEvent(name, {
        reason: 'ResourceCreated',
        message: `${context.principal?.username ?? 'Unknown user'} created application`,
        type: 'Normal',
      });
      return writeUserChange(context, incoming);
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name',
    auth: 'required',
    handler: async (context) => {
      const name = context.params.name ?? '';
      loadApplication(context, name);
      const refresh = context.query.get('refresh');
      // A refresh blocks until the controller has reconciled (the real server waits on the refresh annotation).
      if (refresh === 'normal' || refresh === 'hard') await context.state.controller.refresh(name);
      return loadApplication(context, name);
    },
  },
  {
    method: 'PUT',
    pattern: '/api/v1/applications/:name',
    auth: 'required',
    handler: (context) => {
      const existing = loadApplication(context, context.params.name ?? '');
      const body = (context.body ?? {}) as Application;
      validateApplicationSpec(context, existing.metadata.name, body.spec, validateFlag(context));
      // No optimistic locking on apps: the body's resourceVersion is ignored, last writer wins (argo-cd#3429).
      replaceUserFields(existing, { ...body, metadata: { ...body.metadata, name: existing.metadata.name } });
      return writeUserChange(context, existing);
    },
  },
  {
    method: 'PUT',
    pattern: '/api/v1/applications/:name/spec',
    auth: 'required',
    handler: (context) => {
      const existing = loadApplication(context, context.params.name ?? '');
      const spec = (context.body ?? {}) as ApplicationSpec;
      validateApplicationSpec(context, existing.metadata.name, spec, validateFlag(context));
      existing.spec = spec;
      return writeUserChange(context, existing).spec;
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/v1/applications/:name',
    auth: 'required',
    handler: (context) => {
      const existing = loadApplication(context, context.params.name ?? '');
      const body = (context.body ?? {}) as JsonObject;
      const patchType = String(body.patchType ?? '');
      let patchDocument: unknown;
      try {
        patchDocument = JSON.parse(String(body.patch ?? ''));
      } catch (error) {
        throw rpcError(GrpcCode.InvalidArgument, `error unmarshaling patch: ${(error as Error).message}`);
      }
      let patched: Application;
      try {
        if (patchType === 'json') patched = applyJsonPatch(existing, patchDocument) as Application;
        else if (patchType === 'merge') patched = applyMergePatch(existing, patchDocument) as Application;
        else throw rpcError(GrpcCode.InvalidArgument, `Patch type '${patchType}' is not supported`);
      } catch (error) {
        if (error instanceof Error && error.name === 'RpcStatusError') throw error;
        throw rpcError(GrpcCode.InvalidArgument, `error applying patch: ${(error as Error).message}`);
      }
      validateApplicationSpec(context, existing.metadata.name, patched.spec, true);
      replaceUserFields(existing, {
        ...patched,
        metadata: { ...patched.metadata, name: existing.metadata.name },
      });
      return writeUserChange(context, existing);
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v1/applications/:name',
    auth: 'required',
    handler: (context) => {
      const app = loadApplication(context, context.params.name ?? '');
      const cascade = context.query.get('cascade') !== 'false';
      const policy = context.query.get('propagationPolicy') ?? '';
      if (!cascade && policy)
        throw rpcError(GrpcCode.InvalidArgument, 'cannot set propagation policy when cascading is disabled');
      // getPropagationPolicyFinalizer compares case-insensitively (`Foreground` works like `foreground`).
      const normalizedPolicy = policy.toLowerCase();
      if (normalizedPolicy && normalizedPolicy !== 'foreground' && normalizedPolicy !== 'background') {
        throw rpcError(GrpcCode.InvalidArgument, `invalid propagation policy: ${policy}`);
      }
      if (!cascade) {
        context.state.store.deleteApplication(app.metadata.name);
        return {};
      }
      // Cascade: add the resources finalizer and mark for deletion; the controller removes live objects, then the app.
      const finalizer =
        normalizedPolicy === 'background'
          ? `${CASCADE_FINALIZER}/background`
          : normalizedPolicy === 'foreground'
            ? `${CASCADE_FINALIZER}/foreground`
            : CASCADE_FINALIZER;
      context.state.store.updateApplication(app.metadata.name, (stored) => {
        stored.metadata.finalizers = [...new Set([...(stored.metadata.finalizers ?? []), finalizer])];
        stored.metadata.deletionTimestamp ??= formatKubeTime(context.state.clock());
      });
      void context.state.controller.reconcile(app.metadata.name);
      return {};
    },
  },
];
