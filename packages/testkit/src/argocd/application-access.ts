import {
  isDestinationPermitted,
  isSourcePermitted,
  resolveDestinationCluster,
} from './destination-matching.js';
import { GrpcCode, rpcError } from './grpc-status.js';
import type { Application, ApplicationSpec, JsonObject } from './model.js';
import type { RouteContext } from './routing.js';

/** The `project` a request names: `?project=`, `?projects=` or the body's `project` field. */
export function requestedProject(context: RouteContext): string | undefined {
  const fromQuery = context.query.get('project') ?? context.query.get('projects');
  if (fromQuery) return fromQuery;
  const body = context.body as JsonObject | undefined;
  return typeof body?.project === 'string' && body.project ? body.project : undefined;
}

/** Whether the principal may see apps of `project` (project role tokens are confined to their project). */
export function canAccessProject(context: RouteContext, project: string): boolean {
  const principal = context.principal;
  return principal?.capability !== 'project' || principal.project === project;
}

/**
 * Loads an application with Argo CD's RBAC-aware existence rule (server/application/application.go
 * getAppEnforceRBAC): without `project`, a missing or forbidden app is 403 "permission denied"; with `project` and
 * access to it, a missing app (or one in another project) is 404.
 *
 * @throws RpcStatusError PermissionDenied or NotFound.
 */
export function loadApplication(context: RouteContext, name: string): Application {
  const project = requestedProject(context);
  // getApplicationEnforceRBACInformer: apps live in the server's namespace only (no apps-in-any-namespace); any
  // other `appNamespace` fails the lookup with "namespace … is not permitted", which the caller sees as 403.
  const body = context.body as JsonObject | undefined;
  const appNamespace =
    context.query.get('appNamespace') || (typeof body?.appNamespace === 'string' ? body.appNamespace : '');
  if (appNamespace && appNamespace !== context.state.store.namespace) {
    throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
  }
  if (project !== undefined && !canAccessProject(context, project)) {
    throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
  }
  const app = context.state.store.getApplication(name);
  const appProject = app?.spec.project || 'default';
  if (!app || (project !== undefined && appProject !== project)) {
    if (project !== undefined)
      throw rpcError(GrpcCode.NotFound, `applications.argoproj.io "${name}" not found`);
    throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
  }
  if (!canAccessProject(context, appProject)) throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
  return app;
}

/**
 * What the server checks before an app is written (server/application/application.go validateAndNormalizeApp):
 * the project exists and is visible; the destination resolves to exactly one known cluster (always); with
 * `validate=true` the source names a repository and a path/chart/ref; and, whatever `validate` says, the project
 * permits the source repositories and the destination cluster (server **or** name) and namespace
 * (util/argo ValidatePermissions runs unconditionally; only the repository check depends on `validate`).
 *
 * @throws RpcStatusError InvalidArgument.
 */
export function validateApplicationSpec(
  context: RouteContext,
  name: string,
  spec: ApplicationSpec | undefined,
  _validate: boolean,
): void {
  // `validate=true` additionally makes Argo CD ask the repo-server whether the source renders (ValidateRepo); the
  // emulator renders on the next reconcile instead, so the flag changes nothing here.
  if (!spec) throw rpcError(GrpcCode.InvalidArgument, 'application spec is required');
  const projectName = spec.project || 'default';
  const project = context.state.store.getProject(projectName);
  if (!project || !canAccessProject(context, projectName)) {
    throw rpcError(
      GrpcCode.InvalidArgument,
      `app is not allowed in project "${projectName}", or the project does not exist`,
    );
  }
  const resolved = resolveDestinationCluster(spec.destination, context.state.clusters);
  if ('error' in resolved) {
    throw rpcError(
      GrpcCode.InvalidArgument,
      `application destination spec for ${name} is invalid: ${resolved.error}`,
    );
  }
  const invalid = (message: string) =>
    rpcError(
      GrpcCode.InvalidArgument,
      `application spec for ${name} is invalid: InvalidSpecError: ${message}`,
    );
  const sources = spec.sources?.length ? spec.sources : spec.source ? [spec.source] : [];
  if (sources.length === 0 || sources.some((source) => !source.repoURL)) {
    throw invalid('spec.source.repoURL and either source.path, source.chart, or source.ref are required');
  }
  for (const source of sources) {
    if (!isSourcePermitted(project, source.repoURL ?? ''))
      throw invalid(`application repo ${source.repoURL} is not permitted in project '${projectName}'`);
  }
  const destination = spec.destination ?? {};
  const namespace = destination.namespace ?? '';
  if (!isDestinationPermitted(project, resolved.cluster, namespace)) {
    // The message names the cluster the way the app did: by name when it used a name (util/argo ValidatePermissions).
    const server = destination.name ? (resolved.cluster.name ?? '') : resolved.cluster.server;
    throw invalid(
      `application destination server '${server}' and namespace '${namespace}' do not match any of the allowed destinations in project '${projectName}'`,
    );
  }
}

/** Kubernetes label selector matching (`a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`). */
export function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: string | null,
): boolean {
  if (!selector) return true;
  const values = labels ?? {};
  const requirements = selector.match(/[^,()]+(\([^)]*\))?/g) ?? [];
  return requirements.every((raw) => {
    const requirement = raw.trim();
    const setMatch = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement);
    if (setMatch) {
      const [, key = '', operator, list = ''] = setMatch;
      const options = list.split(',').map((option) => option.trim());
      const present = key in values && options.includes(values[key] ?? '');
      return operator === 'in' ? present : !present;
    }
    const inequality = /^([^!=]+)!=(.*)$/.exec(requirement);
    if (inequality) return values[inequality[1]?.trim() ?? ''] !== inequality[2]?.trim();
    const equality = /^([^=]+)==?(.*)$/.exec(requirement);
    if (equality) return values[equality[1]?.trim() ?? ''] === equality[2]?.trim();
    if (requirement.startsWith('!')) return !(requirement.slice(1) in values);
    return requirement in values;
  });
}
