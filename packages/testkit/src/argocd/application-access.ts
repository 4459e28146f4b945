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
  if (project !== undefined && !canAccessProject(context, project)) {
    throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
  }
  const app = context.state.store.getApplication(name);
  const appProject = app?.spec.project ?? 'default';
  if (!app || (project !== undefined && appProject !== project)) {
    if (project !== undefined)
      throw rpcError(GrpcCode.NotFound, `applications.argoproj.io "${name}" not found`);
    throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
  }
  if (!canAccessProject(context, appProject)) throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
  return app;
}

function globMatches(pattern: string, value: string): boolean {
  const expression = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return expression.test(value);
}

/**
 * What `validate=true` checks before an app is written: a source with a repoURL, a destination, and a project
 * that exists and permits the source repo and destination (the real server answers the vague 400 below for both).
 *
 * @throws RpcStatusError InvalidArgument.
 */
export function validateApplicationSpec(
  context: RouteContext,
  name: string,
  spec: ApplicationSpec | undefined,
  validate: boolean,
): void {
  if (!spec) throw rpcError(GrpcCode.InvalidArgument, 'application spec is required');
  const projectName = spec.project ?? 'default';
  const project = context.state.store.getProject(projectName);
  const vague = rpcError(
    GrpcCode.InvalidArgument,
    `app is not allowed in project "${projectName}", or the project does not exist`,
  );
  if (!project || !canAccessProject(context, projectName)) throw vague;
  if (!validate) return;
  const sources = spec.sources ?? (spec.source ? [spec.source] : []);
  if (sources.length === 0 || sources.some((source) => !source.repoURL)) {
    throw rpcError(
      GrpcCode.InvalidArgument,
      `application spec for ${name} is invalid: InvalidSpecError: spec.source.repoURL and either source.path, source.chart, or source.ref are required`,
    );
  }
  if (!spec.destination || (!spec.destination.server && !spec.destination.name)) {
    throw rpcError(
      GrpcCode.InvalidArgument,
      'application destination spec is invalid: InvalidSpecError: Destination server missing from app spec',
    );
  }
  const repos = project.spec.sourceRepos ?? [];
  for (const source of sources) {
    if (!repos.some((pattern) => globMatches(pattern, source.repoURL ?? ''))) {
      throw rpcError(
        GrpcCode.InvalidArgument,
        `application repo ${source.repoURL} is not permitted in project '${projectName}'`,
      );
    }
  }
  const destinations = project.spec.destinations ?? [];
  const destination = spec.destination;
  const allowed = destinations.some(
    (candidate) =>
      (candidate.server === undefined || globMatches(candidate.server, destination.server ?? '')) &&
      (candidate.name === undefined || globMatches(candidate.name, destination.name ?? '')) &&
      globMatches(candidate.namespace ?? '*', destination.namespace ?? ''),
  );
  if (!allowed) {
    throw rpcError(
      GrpcCode.InvalidArgument,
      `application destination server '${destination.server ?? destination.name}' and namespace '${destination.namespace ?? ''}' do not match any of the allowed destinations in project '${projectName}'`,
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
