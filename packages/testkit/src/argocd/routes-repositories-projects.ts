import { randomUUID } from 'node:crypto';
import { registerSecret } from '@gitops-kit/core';
import { GrpcCode, rpcError } from './grpc-status.js';
import type { AppProject, JsonObject, Repository } from './model.js';
import { formatKubeTime } from './model.js';
import type { Route, RouteContext } from './routing.js';

const SECRET_REPOSITORY_FIELDS = [
  'password',
  'sshPrivateKey',
  'tlsClientCertKey',
  'githubAppPrivateKey',
  'bearerToken',
  'gcpServiceAccountKey',
];

function requireNonProjectPrincipal(context: RouteContext): void {
  if (context.principal?.capability === 'project')
    throw rpcError(GrpcCode.PermissionDenied, 'permission denied');
}

/** What List/Get return: secrets stripped, connection state filled in. */
function sanitizeRepository(repository: Repository): Repository {
  const copy: Repository = { ...repository };
  for (const field of SECRET_REPOSITORY_FIELDS) delete copy[field];
  return copy;
}

function sameRepository(a: Repository, b: Repository): boolean {
  const strip = ({ connectionState: _ignored, ...rest }: Repository) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function projectNotFound(name: string): Error {
  return rpcError(GrpcCode.NotFound, `appprojects.argoproj.io "${name}" not found`);
}

/** Repository routes (`/api/v1/repositories`); repo URLs arrive percent-encoded as one path segment. */
export const repositoryRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/v1/repositories',
    auth: 'required',
    handler: ({ state, query }) => {
      const filter = query.get('repo');
      const items = state.store
        .listRepositories()
        .filter((repository) => !filter || repository.repo === filter);
      return { metadata: {}, items: items.map(sanitizeRepository) };
    },
  },
  {
    method: 'POST',
    pattern: '/api/v1/repositories',
    auth: 'required',
    handler: async (context) => {
      requireNonProjectPrincipal(context);
      const { state, query } = context;
      const body = { ...((context.body ?? {}) as Repository) };
      if (!body.repo) throw rpcError(GrpcCode.InvalidArgument, 'repository URL is required');
      body.type ||= 'git';
      registerSecret(
        body.password,
        body.sshPrivateKey as string | undefined,
        body.bearerToken as string | undefined,
      );
      delete body.connectionState;
      if (!body.project) {
        // server/repository/repository.go: the connection is tested before saving unless the repo is project-scoped.
        await state.git.testAccess(body.repo, body);
      }
      const existing = state.store.getRepository(body.repo);
      if (existing && !sameRepository(existing, body) && query.get('upsert') !== 'true') {
        throw rpcError(
          GrpcCode.InvalidArgument,
          'existing repository spec is different; use upsert flag to force update',
        );
      }
      const stored = state.store.putRepository({
        ...body,
        connectionState: { status: 'Successful', message: '', attemptedAt: formatKubeTime(state.clock()) },
      });
      // CreateRepository answers with Repository{Repo, Type, Name} only (no project, no credentials).
      return {
        repo: stored.repo,
        type: stored.type,
        ...(stored.name ? { name: stored.name } : {}),
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/repositories/:repo',
    auth: 'required',
    handler: ({ state, params }) => {
      const repository = state.store.getRepository(params.repo ?? '');
      if (!repository) throw rpcError(GrpcCode.NotFound, `repo '${params.repo}' not found`);
      return sanitizeRepository(repository);
    },
  },
  {
    method: 'PUT',
    pattern: '/api/v1/repositories/:repo',
    auth: 'required',
    handler: (context) => {
      requireNonProjectPrincipal(context);
      const { state, params } = context;
      const existing = state.store.getRepository(params.repo ?? '');
      if (!existing) throw rpcError(GrpcCode.NotFound, `repo '${params.repo}' not found`);
      const body = { ...((context.body ?? {}) as Repository), repo: existing.repo };
      return sanitizeRepository(
        state.store.putRepository({
          ...body,
          connectionState: existing.connectionState ?? { status: 'Successful', message: '' },
        }),
      );
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v1/repositories/:repo',
    auth: 'required',
    handler: (context) => {
      requireNonProjectPrincipal(context);
      context.state.store.deleteRepository(context.params.repo ?? '');
      return {};
    },
  },
  {
    method: 'POST',
    pattern: '/api/v1/repositories/:repo/validate',
    auth: 'required',
    handler: async ({ state, params, query }) => {
      const access: { username?: string; password?: string; insecure?: boolean } = {
        insecure: query.get('insecure') === 'true',
      };
      const username = query.get('username');
      const password = query.get('password');
      if (username !== null) access.username = username;
      if (password !== null) access.password = password;
      await state.git.testAccess(params.repo ?? '', access);
      return {};
    },
  },
];

function jwtTokensValid(
  project: AppProject | undefined,
  role: string,
  issuedAtSeconds: number,
  id: string,
): boolean {
  const items = project?.status?.jwtTokensByRole?.[role]?.items ?? [];
  return items.some((token) => token.iat === issuedAtSeconds && (token.id === undefined || token.id === id));
}

/** Whether a project role token is still recorded on its project (used by the session manager). */
export function isProjectTokenRecorded(
  context: { getProject(name: string): AppProject | undefined },
  project: string,
  role: string,
  issuedAtSeconds: number,
  id: string,
): boolean {
  return jwtTokensValid(context.getProject(project), role, issuedAtSeconds, id);
}

/** The metadata a client may set on a Kubernetes object; the API server assigns the rest. */
function clientMetadata(metadata: AppProject['metadata']): Omit<AppProject['metadata'], 'name'> {
  const {
    name: _name,
    uid: _uid,
    resourceVersion: _resourceVersion,
    generation: _generation,
    creationTimestamp: _creationTimestamp,
    deletionTimestamp: _deletionTimestamp,
    managedFields: _managedFields,
    ...settable
  } = metadata;
  return settable;
}

/** AppProject routes, including role tokens. */
export const projectRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/v1/projects',
    auth: 'required',
    handler: ({ state }) => ({
      metadata: { resourceVersion: state.store.currentResourceVersion() },
      items: state.store.listProjects(),
    }),
  },
  {
    method: 'POST',
    pattern: '/api/v1/projects',
    auth: 'required',
    handler: (context) => {
      requireNonProjectPrincipal(context);
      const body = (context.body ?? {}) as { project?: AppProject; upsert?: boolean };
      const project = body.project;
      if (!project?.metadata?.name)
        throw rpcError(GrpcCode.InvalidArgument, "missing payload 'project' in request");
      const existing = context.state.store.getProject(project.metadata.name);
      if (existing) {
        if (JSON.stringify(existing.spec) === JSON.stringify(project.spec ?? {})) return existing;
        if (body.upsert !== true) {
          throw rpcError(
            GrpcCode.InvalidArgument,
            'existing project spec is different; use upsert flag to force update',
          );
        }
        return context.state.store.putProject({ ...existing, spec: project.spec ?? {} });
      }
      // ProjectService.Create hands the posted object to the Kubernetes API as it is: every metadata field a
      // client may set (labels, annotations, finalizers, …) is kept; server-owned fields are assigned anew.
      return context.state.store.putProject({
        ...project,
        metadata: { ...clientMetadata(project.metadata), name: project.metadata.name },
        spec: project.spec ?? {},
      });
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/projects/:name',
    auth: 'required',
    handler: ({ state, params }) => {
      const project = state.store.getProject(params.name ?? '');
      if (!project) throw projectNotFound(params.name ?? '');
      return project;
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/projects/:name/detailed',
    auth: 'required',
    handler: ({ state, params }) => {
      const project = state.store.getProject(params.name ?? '');
      if (!project) throw projectNotFound(params.name ?? '');
      return {
        project,
        globalProjects: [],
        repositories: state.store.listRepositories().map(sanitizeRepository),
        clusters: [],
      };
    },
  },
  {
    method: 'PUT',
    pattern: '/api/v1/projects/:name',
    auth: 'required',
    handler: (context) => {
      requireNonProjectPrincipal(context);
      const { state, params } = context;
      const project = ((context.body ?? {}) as { project?: AppProject }).project;
      if (!project) throw rpcError(GrpcCode.InvalidArgument, "missing payload 'project' in request");
      const existing = state.store.getProject(params.name ?? '');
      if (!existing) throw projectNotFound(params.name ?? '');
      const resourceVersion = project.metadata?.resourceVersion;
      if (!resourceVersion) {
        throw rpcError(
          GrpcCode.InvalidArgument,
          `AppProject.argoproj.io "${existing.metadata.name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`,
        );
      }
      // A straight Kubernetes Update: a stale resourceVersion is a conflict (409 Aborted).
      if (resourceVersion !== existing.metadata.resourceVersion) {
        throw rpcError(
          GrpcCode.Aborted,
          `Operation cannot be fulfilled on appprojects.argoproj.io "${existing.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }
      // ProjectService.Update is a Kubernetes Update of the posted object: its labels, annotations and finalizers
      // replace the stored ones (absent means removed); the role token status stays the server's.
      return state.store.putProject({
        ...existing,
        metadata: { ...clientMetadata(project.metadata), name: existing.metadata.name },
        spec: project.spec ?? {},
      });
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v1/projects/:name',
    auth: 'required',
    handler: (context) => {
      requireNonProjectPrincipal(context);
      const name = context.params.name ?? '';
      if (name === 'default')
        throw rpcError(GrpcCode.InvalidArgument, "name 'default' is reserved and cannot be deleted");
      const users = context.state.store
        .listApplications()
        .filter((app) => (app.spec.project || 'default') === name).length;
      if (users > 0)
        throw rpcError(GrpcCode.InvalidArgument, `project is referenced by ${users} applications`);
      if (!context.state.store.deleteProject(name)) throw projectNotFound(name);
      return {};
    },
  },
  {
    method: 'POST',
    pattern: '/api/v1/projects/:project/roles/:role/token',
    auth: 'required',
    handler: (context) => {
      requireNonProjectPrincipal(context);
      const { state, params } = context;
      const project = state.store.getProject(params.project ?? '');
      if (!project) throw projectNotFound(params.project ?? '');
      const role = project.spec.roles?.find((candidate) => candidate.name === params.role);
      if (!role)
        throw rpcError(
          GrpcCode.NotFound,
          `project '${project.metadata.name}' does not have role '${params.role}'`,
        );
      const body = (context.body ?? {}) as JsonObject;
      const id = typeof body.id === 'string' && body.id ? body.id : randomUUID();
      const expiresInSeconds = Number(body.expiresIn ?? 0);
      const now = state.clock();
      const token = state.sessions.issue(
        `proj:${project.metadata.name}:${role.name}`,
        now,
        expiresInSeconds * 1000,
        id,
      );
      const issuedAt = Math.floor(now / 1000);
      const record = {
        iat: issuedAt,
        id,
        ...(expiresInSeconds > 0 ? { exp: issuedAt + expiresInSeconds } : {}),
      };
      role.jwtTokens = [...(role.jwtTokens ?? []), record];
      const byRole = project.status?.jwtTokensByRole ?? {};
      byRole[role.name] = { items: [...(byRole[role.name]?.items ?? []), record] };
      project.status = { jwtTokensByRole: byRole };
      state.store.putProject(project);
      return { token };
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v1/projects/:project/roles/:role/token/:iat',
    auth: 'required',
    handler: (context) => {
      requireNonProjectPrincipal(context);
      const { state, params, query } = context;
      const project = state.store.getProject(params.project ?? '');
      if (!project) throw projectNotFound(params.project ?? '');
      const iat = Number(params.iat);
      const id = query.get('id');
      const keep = (token: { iat: number; id?: string }) => !(token.iat === iat && (!id || token.id === id));
      for (const role of project.spec.roles ?? [])
        if (role.name === params.role) role.jwtTokens = (role.jwtTokens ?? []).filter(keep);
      const items = project.status?.jwtTokensByRole?.[params.role ?? '']?.items;
      if (items && project.status?.jwtTokensByRole)
        project.status.jwtTokensByRole[params.role ?? ''] = { items: items.filter(keep) };
      state.store.putProject(project);
      return {};
    },
  },
];
