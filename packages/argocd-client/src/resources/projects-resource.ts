import { registerSecret, ValidationError } from '@gitops-kit/core';
import { z } from 'zod';
import { apiPath } from '../client/api-path.js';
import type { CallOptions } from '../client/client-options.js';
import type { V1alpha1AppProject, V1alpha1AppProjectSpec } from '../generated/argocd-api.generated.js';
import { objectMetaSchema } from '../schemas/status-schemas.js';
import { assertResourceName } from '../validation/names.js';
import { callOptions, type ResourceContext } from './resource-context.js';

/** An AppProject as returned: metadata validated, spec/status passed through. */
export const appProjectSchema = z.looseObject({
  metadata: objectMetaSchema,
  spec: z.looseObject({}).optional(),
  status: z.looseObject({}).nullish(),
});

/** An AppProject. */
export type AppProject = z.infer<typeof appProjectSchema> & V1alpha1AppProject;

/** A project to create: name plus spec. */
export interface AppProjectInput {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: V1alpha1AppProjectSpec;
}

/**
 * AppProjects (`/api/v1/projects`) and their role tokens.
 *
 * @example
 * ```ts
 * await client.projects.create({ metadata: { name: 'team-a' }, spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] } }, { upsert: true });
 * const { token } = await client.projects.createRoleToken('team-a', 'ci', { expiresInSeconds: 3600 });
 * ```
 */
export class ProjectsResource {
  readonly #context: ResourceContext;
  constructor(context: ResourceContext) {
    this.#context = context;
  }

  /**
   * Creates a project. Idempotent for an identical spec; `upsert` overwrites a different one (else 400).
   *
   * @throws {ValidationError} for an invalid name.
   * @throws {ArgoCDApiError} for server errors.
   */
  async create(project: AppProjectInput, options?: CallOptions & { upsert?: boolean }): Promise<AppProject> {
    assertResourceName(project.metadata?.name, 'project name');
    return this.#context.transport.call({
      method: 'POST',
      path: '/api/v1/projects',
      body: {
        project: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', ...project },
        ...(options?.upsert === undefined ? {} : { upsert: options.upsert }),
      },
      schema: appProjectSchema,
      ...callOptions(options),
    }) as Promise<AppProject>;
  }

  /**
   * Reads a project.
   *
   * @throws {ArgoCDApiError} `isNotFound()` when it does not exist.
   */
  async get(name: string, options?: CallOptions): Promise<AppProject> {
    assertResourceName(name, 'project name');
    return this.#context.transport.call({
      path: apiPath('/api/v1/projects/{name}', { name }),
      schema: appProjectSchema,
      ...callOptions(options),
    }) as Promise<AppProject>;
  }

  /**
   * Replaces a project. Unlike applications, projects have optimistic concurrency: the body must carry the
   * `metadata.resourceVersion` you read; a stale one fails with 409 (`isConflict()`): re-read and re-apply.
   *
   * @throws {ValidationError} when `metadata.resourceVersion` is missing.
   * @throws {ArgoCDApiError} `isConflict()` on a stale resourceVersion.
   */
  async update(
    project: AppProject | (AppProjectInput & { metadata: { resourceVersion: string } }),
    options?: CallOptions,
  ): Promise<AppProject> {
    const name = project.metadata?.name;
    assertResourceName(name, 'project name');
    if (!project.metadata.resourceVersion) {
      throw new ValidationError(
        `Project "${name}" has no metadata.resourceVersion: read it first (projects.get) so the update cannot overwrite a concurrent change.`,
        { field: 'metadata.resourceVersion' },
      );
    }
    return this.#context.transport.call({
      method: 'PUT',
      path: apiPath('/api/v1/projects/{project.metadata.name}', { 'project.metadata.name': name }),
      body: { project },
      schema: appProjectSchema,
      ...callOptions(options),
    }) as Promise<AppProject>;
  }

  /**
   * Deletes a project (refused for `default` and while applications use it).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async delete(name: string, options?: CallOptions): Promise<void> {
    assertResourceName(name, 'project name');
    await this.#context.transport.call({
      method: 'DELETE',
      path: apiPath('/api/v1/projects/{name}', { name }),
      responseType: 'none',
      ...callOptions(options),
    });
  }

  /**
   * Creates a JWT for a project role (subject `proj:<project>:<role>`). The token is registered for redaction; use
   * it with `client.withAuth({ token })`.
   *
   * @throws {ArgoCDApiError} for server errors (e.g. the role does not exist).
   */
  async createRoleToken(
    project: string,
    role: string,
    options?: CallOptions & { description?: string; expiresInSeconds?: number; id?: string },
  ): Promise<{ token: string }> {
    assertResourceName(project, 'project name');
    if (!role) throw new ValidationError('Role name must not be empty.', { field: 'role' });
    const response = await this.#context.transport.call({
      method: 'POST',
      path: apiPath('/api/v1/projects/{project}/roles/{role}/token', { project, role }),
      body: {
        project,
        role,
        ...(options?.description === undefined ? {} : { description: options.description }),
        ...(options?.expiresInSeconds === undefined ? {} : { expiresIn: options.expiresInSeconds }),
        ...(options?.id === undefined ? {} : { id: options.id }),
      },
      schema: z.looseObject({ token: z.string() }),
      ...callOptions(options),
    });
    registerSecret(response.token);
    return { token: response.token };
  }

  /**
   * Revokes a role token by its `iat` (issued-at, seconds) and optionally its `id`.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async deleteRoleToken(
    project: string,
    role: string,
    issuedAt: number,
    options?: CallOptions & { id?: string },
  ): Promise<void> {
    assertResourceName(project, 'project name');
    await this.#context.transport.call({
      method: 'DELETE',
      path: apiPath('/api/v1/projects/{project}/roles/{role}/token/{iat}', { project, role, iat: issuedAt }),
      query: { id: options?.id },
      responseType: 'none',
      ...callOptions(options),
    });
  }
}
