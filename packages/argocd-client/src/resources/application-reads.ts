import { ValidationError } from '@gitops-kit/core';
import { type ZodType, z } from 'zod';
import { apiPath } from '../client/api-path.js';
import type { CallOptions } from '../client/client-options.js';
import { explainHealth, type HealthExplanation } from '../health/explain-health.js';
import {
  type Application,
  type ApplicationListItem,
  applicationListSchema,
  applicationSchema,
  type ProjectedApplication,
  projectedApplicationSchema,
  type RevisionHistory,
} from '../schemas/application-schema.js';
import { type ApplicationTree, applicationTreeSchema } from '../schemas/resource-tree-schema.js';
import {
  type EventList,
  eventListSchema,
  type ManagedResources,
  type ManifestResponse,
  managedResourcesSchema,
  manifestResponseSchema,
  type RevisionMetadata,
  revisionMetadataSchema,
} from './application-details.js';
import { type ApplicationScope, type ApplicationScopeOptions, ProjectMemory } from './application-scope.js';
import { callOptions, type ResourceContext } from './resource-context.js';

const projectedApplicationListSchema = applicationListSchema.extend({
  items: z.array(projectedApplicationSchema).nullish(),
});

/** Filters of `applications.list`. */
export interface ListApplicationsQuery extends CallOptions {
  projects?: readonly string[];
  /** Label selector, e.g. `team=a,tier!=db`. */
  selector?: string;
  /** Only apps whose source is this repository URL. */
  repo?: string;
  appNamespace?: string;
  name?: string;
}

/**
 * The read side of `client.applications`: get, list, history and the diagnostic endpoints. Every call validates the
 * name, encodes it, and sends `project` when it is known (given, or remembered from an earlier response) so that a
 * missing app is a 404, not a 403.
 *
 * @example
 * ```ts
 * const app = await client.applications.get('guestbook', { project: 'default' });
 * ```
 */
export class ApplicationReads {
  protected readonly context: ResourceContext;
  protected readonly projects = new ProjectMemory();

  constructor(context: ResourceContext) {
    this.context = context;
  }

  protected scope(name: string, options: ApplicationScopeOptions | undefined): ApplicationScope {
    return this.projects.resolve(name, options);
  }

  protected scopeQuery(scope: ApplicationScope): Record<string, string | undefined> {
    return { appNamespace: scope.appNamespace, project: scope.project };
  }

  protected remember(app: Application): Application {
    this.projects.remember(app);
    return app;
  }

  protected async getScoped(
    scope: ApplicationScope,
    options: (ApplicationScopeOptions & { refresh?: 'normal' | 'hard' }) | undefined,
  ): Promise<Application> {
    const app = await this.context.transport.call({
      path: apiPath('/api/v1/applications/{name}', { name: scope.name }),
      query: { ...this.scopeQuery(scope), refresh: options?.refresh },
      schema: applicationSchema,
      applicationWithoutProject: scope.project === undefined,
      ...callOptions(options),
    });
    return this.remember(app);
  }

  /**
   * Reads an application. `refresh` makes the server reconcile first and blocks until it has (bound it with
   * `timeoutMs`).
   *
   * @throws {ArgoCDApiError} `isNotFound()` when it does not exist (also for the 403 Argo CD gives without project).
   */
  async get(
    name: string,
    options?: ApplicationScopeOptions & { refresh?: 'normal' | 'hard' },
  ): Promise<Application> {
    return this.getScoped(this.scope(name, options), options);
  }

  /**
   * Lists applications (no pagination in Argo CD: use `selector`/`projects`, or `listProjected` to shrink the body).
   * Bulky status arrays are passed through unvalidated (see {@link ApplicationListItem}).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async list(query: ListApplicationsQuery = {}): Promise<ApplicationListItem[]> {
    const list = await this.context.transport.call({
      path: '/api/v1/applications',
      query: this.listQuery(query),
      schema: applicationListSchema,
      ...callOptions(query),
    });
    const items = list.items ?? [];
    for (const item of items) this.projects.remember(item);
    return items;
  }

  /**
   * Lists applications with a server-side field projection (`fields`, undocumented but honoured by Argo CD): only
   * the named paths are sent. Paths may omit the `items.` prefix: `['metadata.name', 'status.sync.status']`.
   *
   * @throws {ValidationError} when `fields` is empty.
   * @throws {ArgoCDApiError} for server errors.
   */
  async listProjected(
    fields: readonly string[],
    query: ListApplicationsQuery = {},
  ): Promise<ProjectedApplication[]> {
    if (fields.length === 0)
      throw new ValidationError('listProjected needs at least one field.', { field: 'fields' });
    const list = await this.context.transport.call({
      path: '/api/v1/applications',
      query: {
        ...this.listQuery(query),
        fields: fields.map((field) => (field.startsWith('items.') ? field : `items.${field}`)).join(','),
      },
      schema: projectedApplicationListSchema,
      ...callOptions(query),
    });
    return list.items ?? [];
  }

  private listQuery(query: ListApplicationsQuery): Record<string, string | readonly string[] | undefined> {
    return {
      projects: query.projects,
      selector: query.selector,
      repo: query.repo,
      appNamespace: query.appNamespace,
      name: query.name,
    };
  }

  /**
   * The deployment history (`status.history`), oldest first.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async history(name: string, options?: ApplicationScopeOptions): Promise<RevisionHistory[]> {
    return (await this.get(name, options)).status?.history ?? [];
  }

  /**
   * The live resource tree (may block like a refresh on a cache miss).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async resourceTree(name: string, options?: ApplicationScopeOptions): Promise<ApplicationTree> {
    return this.readDetail(name, '/api/v1/applications/{name}/resource-tree', applicationTreeSchema, options);
  }

  /**
   * Live and target state of each managed resource (what `argocd app diff` compares).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async managedResources(name: string, options?: ApplicationScopeOptions): Promise<ManagedResources> {
    return this.readDetail(
      name,
      '/api/v1/applications/{name}/managed-resources',
      managedResourcesSchema,
      options,
    );
  }

  /**
   * Kubernetes events of the application, or of one resource (`resourceName`, `resourceNamespace`, `resourceUID`).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async events(
    name: string,
    options?: ApplicationScopeOptions & {
      resourceName?: string;
      resourceNamespace?: string;
      resourceUID?: string;
    },
  ): Promise<EventList> {
    return this.readDetail(name, '/api/v1/applications/{name}/events', eventListSchema, options, {
      resourceName: options?.resourceName,
      resourceNamespace: options?.resourceNamespace,
      resourceUID: options?.resourceUID,
    });
  }

  /**
   * Manifests rendered at a revision (a pre-sync check that the chart renders).
   *
   * @throws {ArgoCDApiError} for server errors (e.g. the chart fails to render).
   */
  async manifests(
    name: string,
    options?: ApplicationScopeOptions & {
      revision?: string;
      revisions?: string[];
      sourcePositions?: number[];
      noCache?: boolean;
    },
  ): Promise<ManifestResponse> {
    return this.readDetail(name, '/api/v1/applications/{name}/manifests', manifestResponseSchema, options, {
      revision: options?.revision,
      revisions: options?.revisions,
      sourcePositions: options?.sourcePositions?.map(String),
      noCache: options?.noCache,
    });
  }

  /**
   * Author, date, message and tags of a revision.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async revisionMetadata(
    name: string,
    revision: string,
    options?: ApplicationScopeOptions & { sourceIndex?: number; versionId?: number },
  ): Promise<RevisionMetadata> {
    if (!revision) throw new ValidationError('revision must not be empty', { field: 'revision' });
    const scope = this.scope(name, options);
    return this.context.transport.call({
      path: apiPath('/api/v1/applications/{name}/revisions/{revision}/metadata', {
        name: scope.name,
        revision,
      }),
      query: { ...this.scopeQuery(scope), sourceIndex: options?.sourceIndex, versionId: options?.versionId },
      schema: revisionMetadataSchema,
      applicationWithoutProject: scope.project === undefined,
      ...callOptions(options),
    });
  }

  private async readDetail<T>(
    name: string,
    template: string,
    schema: ZodType<T>,
    options: ApplicationScopeOptions | undefined,
    extraQuery: Record<string, string | boolean | readonly string[] | undefined> = {},
  ): Promise<T> {
    const scope = this.scope(name, options);
    return this.context.transport.call({
      path: apiPath(template, { name: scope.name }),
      query: { ...this.scopeQuery(scope), ...extraQuery },
      schema,
      applicationWithoutProject: scope.project === undefined,
      ...callOptions(options),
    }) as Promise<T>;
  }

  /**
   * Reads the app and its resource tree and explains what keeps it from Healthy (see {@link explainHealth}).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async explainHealth(name: string, options?: ApplicationScopeOptions): Promise<HealthExplanation> {
    const app = await this.get(name, options);
    const tree = await this.resourceTree(name, {
      ...options,
      project: app.spec?.project ?? options?.project,
    });
    return explainHealth(app, tree);
  }
}
