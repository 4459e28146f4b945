import { apiPath } from '../client/api-path.js';
import type { CallOptions } from '../client/client-options.js';
import type { V1alpha1Application, V1alpha1ApplicationSpec } from '../generated/argocd-api.generated.js';
import {
  type Application,
  type ApplicationSpec,
  applicationSchema,
  applicationSpecSchema,
} from '../schemas/application-schema.js';
import { validateResponse } from '../schemas/fast-check.js';
import { type ApplicationWatchEvent, applicationWatchEventSchema } from '../schemas/stream-schemas.js';
import { readArgoCDStream } from '../stream/read-argocd-stream.js';
import {
  type WatchApplicationsQuery,
  type WatchOptions,
  watchApplications,
} from '../stream/watch-applications.js';
import { type WaitOptions, type WaitResult, waitForApplication } from '../wait/application-waiter.js';
import {
  type OperationsHost,
  type RollbackOptions,
  rollbackApplication,
  type SyncOptions,
  syncApplication,
} from './application-operations.js';
import { ApplicationReads } from './application-reads.js';
import type { ApplicationScope, ApplicationScopeOptions } from './application-scope.js';
import { type HelmParametersInput, type HelmSourceSelector, helmParametersPatch } from './helm-parameters.js';
import { callOptions, type ResourceContext } from './resource-context.js';

/** An application to create. */
export type ApplicationInput = V1alpha1Application & { metadata: { name: string; namespace?: string } };

/**
 * Applications (`/api/v1/applications`): CRUD, sync/rollback, diagnostics, watch and `wait`.
 *
 * Every call validates the name (no path or query can be smuggled in), encodes it, and sends `project` when it is
 * known (given, or remembered from an earlier response) so that a missing app is a 404, not a 403.
 *
 * @example
 * ```ts
 * const app = await client.applications.sync('guestbook', { revision: sha, prune: true });
 * await client.applications.wait('guestbook', { expectRevision: sha, timeoutMs: 300_000 });
 * ```
 */
export class ApplicationsResource extends ApplicationReads {
  readonly #operations: OperationsHost;

  constructor(context: ResourceContext) {
    super(context);
    this.#operations = {
      context,
      get: (scope, options) => this.getScoped(scope, options),
      wait: (name, options) => this.wait(name, options),
    };
  }

  /**
   * Creates an application (`apiVersion`/`kind` added). Idempotent for an identical spec; `upsert` overwrites a
   * different one (else 400 "existing application spec is different").
   *
   * @throws {ValidationError} for an invalid name.
   * @throws {ArgoCDApiError} for server errors (validation of the source/destination when `validate`).
   */
  async create(
    app: ApplicationInput,
    options?: CallOptions & { upsert?: boolean; validate?: boolean },
  ): Promise<Application> {
    this.scope(app.metadata?.name, { appNamespace: app.metadata?.namespace, project: app.spec?.project });
    const created = await this.context.transport.call({
      method: 'POST',
      path: '/api/v1/applications',
      query: { upsert: options?.upsert, validate: options?.validate },
      body: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...app },
      schema: applicationSchema,
      ...callOptions(options),
    });
    return this.remember(created);
  }

  /**
   * Replaces the spec (`PUT …/spec`). No optimistic locking exists for applications (last writer wins).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async updateSpec(
    name: string,
    spec: V1alpha1ApplicationSpec,
    options?: ApplicationScopeOptions & { validate?: boolean },
  ): Promise<ApplicationSpec> {
    const scope = this.scope(name, options);
    return this.context.transport.call({
      method: 'PUT',
      path: apiPath('/api/v1/applications/{name}/spec', { name: scope.name }),
      query: { ...this.scopeQuery(scope), validate: options?.validate },
      body: spec,
      schema: applicationSpecSchema,
      applicationWithoutProject: scope.project === undefined,
      ...callOptions(options),
    });
  }

  /**
   * Patches an application with an RFC 6902 JSON patch (an array) or an RFC 7386 merge patch (an object).
   *
   * @throws {ArgoCDApiError} for server errors (e.g. a patch that does not apply).
   */
  async patch(
    name: string,
    patch: unknown[] | Record<string, unknown>,
    options?: ApplicationScopeOptions,
  ): Promise<Application> {
    const scope = this.scope(name, options);
    const app = await this.context.transport.call({
      method: 'PATCH',
      path: apiPath('/api/v1/applications/{name}', { name: scope.name }),
      body: {
        name: scope.name,
        ...this.definedScope(scope),
        patchType: Array.isArray(patch) ? 'json' : 'merge',
        patch: JSON.stringify(patch),
      },
      schema: applicationSchema,
      applicationWithoutProject: scope.project === undefined,
      ...callOptions(options),
    });
    return this.remember(app);
  }

  private definedScope(scope: ApplicationScope): Record<string, string> {
    return {
      ...(scope.appNamespace ? { appNamespace: scope.appNamespace } : {}),
      ...(scope.project ? { project: scope.project } : {}),
    };
  }

  /**
   * Deletes an application. Asynchronous on the server: with `cascade` (default true) resources are removed by the
   * finalizer afterwards.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async delete(
    name: string,
    options?: ApplicationScopeOptions & {
      cascade?: boolean;
      propagationPolicy?: 'foreground' | 'background';
    },
  ): Promise<void> {
    const scope = this.scope(name, options);
    await this.context.transport.call({
      method: 'DELETE',
      path: apiPath('/api/v1/applications/{name}', { name: scope.name }),
      query: {
        ...this.scopeQuery(scope),
        cascade: options?.cascade,
        propagationPolicy: options?.propagationPolicy,
      },
      responseType: 'none',
      applicationWithoutProject: scope.project === undefined,
      ...callOptions(options),
    });
  }

  /**
   * Sets Helm parameters like `argocd app set -p name=value` (same-named parameters are replaced), with a JSON
   * patch on just the parameter list rather than a read-modify-write of the whole spec.
   *
   * @throws {ValidationError} when the source is not Helm or a multi-source app has no source selected.
   */
  async setHelmParameters(
    name: string,
    parameters: HelmParametersInput,
    options?: ApplicationScopeOptions & HelmSourceSelector,
  ): Promise<Application> {
    const scope = this.scope(name, options);
    const app = await this.getScoped(scope, options);
    return this.patch(name, helmParametersPatch(app, parameters, options), {
      ...options,
      project: scope.project,
    });
  }

  /**
   * Starts a sync (see {@link SyncOptions}). Completion must be observed with `wait`.
   *
   * @throws {OperationInProgressError} when another operation runs and `waitForOperation` is not set.
   * @throws {ArgoCDApiError} for refusals (sync window 403, auto-sync revision mismatch 400…).
   */
  async sync(name: string, options?: SyncOptions): Promise<Application> {
    return this.remember(await syncApplication(this.#operations, this.scope(name, options), options));
  }

  /**
   * Rolls back to a history entry; default the previous one (needs ≥ 2 entries), like `argocd app rollback`.
   *
   * @throws {ValidationError} when there is no previous entry.
   * @throws {ArgoCDApiError} e.g. 400 while auto-sync is enabled.
   */
  async rollback(name: string, options?: RollbackOptions): Promise<Application> {
    return rollbackApplication(this.#operations, this.scope(name, options), options);
  }

  /**
   * Terminates the running operation.
   *
   * @throws {ArgoCDApiError} 400 "No operation is in progress" when there is none.
   */
  async terminateOperation(name: string, options?: ApplicationScopeOptions): Promise<void> {
    const scope = this.scope(name, options);
    await this.context.transport.call({
      method: 'DELETE',
      path: apiPath('/api/v1/applications/{name}/operation', { name: scope.name }),
      query: this.scopeQuery(scope),
      responseType: 'none',
      applicationWithoutProject: scope.project === undefined,
      ...callOptions(options),
    });
  }

  /**
   * Watches applications (SSE with keep-alives, reconnecting with jittered backoff).
   *
   * @throws {AuthenticationError} when the token is refused. @throws {ArgoCDApiError} for 403/404.
   */
  watch(
    query: WatchApplicationsQuery = {},
    options: WatchOptions = {},
  ): AsyncIterable<ApplicationWatchEvent> {
    if (query.name !== undefined) this.scope(query.name, { appNamespace: query.appNamespace });
    return watchApplications(this.context.transport.http, query, options, this.context.logger);
  }

  /**
   * Waits like `argocd app wait` (see {@link WaitOptions}): GET first, then the single-app stream.
   *
   * @throws {WaitTimeoutError} at the deadline, with the last observed state.
   * @throws {WaitFailedError} on a Degraded transition, a Failed/Error operation, or deletion.
   * @throws {AuthenticationError} when the token expires and cannot be renewed (never hangs).
   * @throws {AbortError} when `signal` aborts.
   */
  async wait(name: string, options: WaitOptions = {}): Promise<WaitResult> {
    const scope = this.scope(name, options);
    const http = this.context.transport.http;
    return waitForApplication(
      scope.name,
      {
        get: (signal) =>
          this.getScoped(scope, { signal, project: scope.project, appNamespace: scope.appNamespace }),
        watch: async function* (resourceVersion, signal) {
          const stream = readArgoCDStream(http, {
            path: '/api/v1/stream/applications',
            query: {
              name: scope.name,
              appNamespace: scope.appNamespace,
              projects: scope.project ? [scope.project] : undefined,
              resourceVersion,
            },
            signal,
          });
          for await (const result of stream) {
            yield validateResponse(applicationWatchEventSchema, result, 'GET /api/v1/stream/applications');
          }
        },
      },
      options,
      this.context.logger,
    );
  }
}
