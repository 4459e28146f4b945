import { randomUUID } from 'node:crypto';
import { ConnectionError, HttpError, TimeoutError, ValidationError } from '@gitops-kit/core';
import { apiPath } from '../client/api-path.js';
import { ArgoCDApiError } from '../errors/argocd-api-error.js';
import { OperationInProgressError } from '../errors/operation-in-progress-error.js';
import { WaitTimeoutError } from '../errors/wait-errors.js';
import { type Application, applicationSchema } from '../schemas/application-schema.js';
import type { WaitOptions, WaitResult } from '../wait/application-waiter.js';
import type { ApplicationScope, ApplicationScopeOptions } from './application-scope.js';
import { callOptions, type ResourceContext } from './resource-context.js';

/** The `infos` entry that tags a sync we started, so we can recognise (adopt) it after an ambiguous failure. */
export const SYNC_ID_INFO_NAME = 'gitops-kit.sync-id';

/** Options of `applications.sync` (the `argocd app sync` flags). */
export interface SyncOptions extends ApplicationScopeOptions {
  /** Revision to sync to (single-source apps). Refused by the server while auto-sync targets another one. */
  revision?: string;
  /** Revisions per source (multi-source apps), with `sourcePositions` (1-based). */
  revisions?: string[];
  sourcePositions?: number[];
  prune?: boolean;
  dryRun?: boolean;
  /** `hook` (the CLI default) or `apply`. */
  strategy?: 'apply' | 'hook';
  /** `kubectl apply --force`. */
  force?: boolean;
  /** Sync only these resources (a partial sync records no history entry). */
  resources?: Array<{ group?: string; kind: string; name: string; namespace?: string }>;
  /** Sync options such as `ServerSideApply=true`; sent as `{ items }` as the API requires. */
  syncOptions?: string[];
  /** Controller-side retries of a failed sync (`--retry-limit` …); not client retries. */
  retryStrategy?: {
    limit: number;
    refresh?: boolean;
    backoff?: { duration?: string; factor?: number; maxDuration?: string };
  };
  /** Extra `infos` recorded on the operation. */
  infos?: Record<string, string>;
  /** Local manifests to sync instead of the source (needs `override` RBAC). */
  manifests?: string[];
  /** When another operation is running: wait for it to finish, then sync (default false → OperationInProgressError). */
  waitForOperation?: boolean;
  /** How long to wait for a running operation, in ms. Default 300 000. */
  operationWaitTimeoutMs?: number;
}

/** What the operations need from the applications resource. */
export interface OperationsHost {
  context: ResourceContext;
  get(scope: ApplicationScope, options: ApplicationScopeOptions | undefined): Promise<Application>;
  wait(name: string, options: WaitOptions): Promise<WaitResult>;
}

function operationInfos(app: Application): Array<{ name: string; value: string }> {
  return [...(app.operation?.info ?? []), ...(app.status?.operationState?.operation?.info ?? [])];
}

/** Whether the application's current or last operation carries our sync id. */
export function isOurOperation(app: Application, syncId: string): boolean {
  return operationInfos(app).some((info) => info.name === SYNC_ID_INFO_NAME && info.value === syncId);
}

/** A failure after which the server may or may not have accepted the request. */
function isAmbiguous(error: unknown): boolean {
  if (ConnectionError.isInstance(error)) return true;
  if (TimeoutError.isInstance(error)) return true;
  if (HttpError.isInstance(error)) return error.status >= 500 && error.status !== 501;
  return false;
}

function syncBody(scope: ApplicationScope, options: SyncOptions, syncId: string): Record<string, unknown> {
  const infos = Object.entries(options.infos ?? {}).map(([name, value]) => ({ name, value }));
  infos.push({ name: SYNC_ID_INFO_NAME, value: syncId });
  const body: Record<string, unknown> = { name: scope.name, infos };
  if (scope.appNamespace) body.appNamespace = scope.appNamespace;
  if (scope.project) body.project = scope.project;
  if (options.revision !== undefined) body.revision = options.revision;
  if (options.revisions) body.revisions = options.revisions;
  // int64 in the swagger, but encoding/json needs JSON numbers.
  if (options.sourcePositions) body.sourcePositions = options.sourcePositions.map(Number);
  if (options.prune !== undefined) body.prune = options.prune;
  if (options.dryRun !== undefined) body.dryRun = options.dryRun;
  if (options.strategy !== undefined || options.force !== undefined) {
    // SyncStrategyHook embeds SyncStrategyApply inline: `{ hook: { force } }`, not `{ hook: { syncStrategyApply } }`.
    body.strategy = { [options.strategy ?? 'hook']: { force: options.force ?? false } };
  }
  if (options.resources) body.resources = options.resources.map((resource) => ({ group: '', ...resource }));
  if (options.syncOptions?.length) body.syncOptions = { items: options.syncOptions };
  if (options.retryStrategy) body.retryStrategy = options.retryStrategy;
  if (options.manifests) body.manifests = options.manifests;
  return body;
}

/**
 * Starts a sync without blind retries (fault F4/F19): the POST is sent once; after an ambiguous failure (5xx,
 * reset, timeout) the app is re-read and the operation adopted when it carries our sync id, else the POST is
 * repeated at most once. "Another operation is already in progress" is adopted when the running operation is ours,
 * otherwise waited for (`waitForOperation`) or reported as {@link OperationInProgressError}.
 */
export async function syncApplication(
  host: OperationsHost,
  scope: ApplicationScope,
  options: SyncOptions = {},
): Promise<Application> {
  const syncId = randomUUID();
  const body = syncBody(scope, options, syncId);
  let extraPosts = 0;
  let waitedForOperation = false;
  for (;;) {
    try {
      return await host.context.transport.call({
        method: 'POST',
        path: apiPath('/api/v1/applications/{name}/sync', { name: scope.name }),
        body,
        schema: applicationSchema,
        applicationWithoutProject: scope.project === undefined,
        retry: false,
        ...callOptions({ ...options, retry: undefined }),
      });
    } catch (error) {
      const inProgress = ArgoCDApiError.isInstance(error) && error.isOperationInProgress();
      if (!inProgress && !isAmbiguous(error)) throw error;
      if (options.signal?.aborted) throw error;
      const app = await host.get(scope, options);
      if (isOurOperation(app, syncId)) {
        host.context.logger.debug(
          `argocd: sync of ${scope.name} was accepted despite the error; adopting it`,
        );
        return app;
      }
      const running =
        app.operation ??
        (app.status?.operationState?.phase === 'Running' ? app.status.operationState : undefined);
      if (inProgress || running) {
        if (!options.waitForOperation || waitedForOperation) {
          throw new OperationInProgressError(undefined, {
            applicationName: scope.name,
            runningOperation: running,
            cause: error,
          });
        }
        waitedForOperation = true;
        await waitForRunningOperation(host, scope, options, error);
        continue;
      }
      if (extraPosts >= 1) throw error;
      extraPosts += 1;
    }
  }
}

async function waitForRunningOperation(
  host: OperationsHost,
  scope: ApplicationScope,
  options: SyncOptions,
  cause: unknown,
): Promise<void> {
  try {
    await host.wait(scope.name, {
      conditions: ['operation'],
      timeoutMs: options.operationWaitTimeoutMs ?? 300_000,
      failOnOperationFailure: false,
      project: scope.project,
      appNamespace: scope.appNamespace,
      signal: options.signal,
    });
  } catch (error) {
    if (WaitTimeoutError.isInstance(error)) {
      throw new OperationInProgressError(undefined, {
        applicationName: scope.name,
        runningOperation: error.lastState?.operation,
        cause,
      });
    }
    throw error;
  }
}

/** Options of `applications.rollback`. */
export interface RollbackOptions extends ApplicationScopeOptions {
  /** History id to roll back to; default the previous entry (`history[len-2]`), like `argocd app rollback APP`. */
  id?: number;
  prune?: boolean;
  dryRun?: boolean;
}

/**
 * Rolls back to a history entry (a sync to that entry's revision with the apply strategy). Refused by the server
 * while auto-sync is enabled — revert the commit in git instead.
 *
 * @throws {ValidationError} when no id is given and the history has fewer than two entries.
 */
export async function rollbackApplication(
  host: OperationsHost,
  scope: ApplicationScope,
  options: RollbackOptions = {},
): Promise<Application> {
  let id = options.id;
  if (id === undefined) {
    const history = (await host.get(scope, options)).status?.history ?? [];
    const previous = history[history.length - 2];
    if (!previous) {
      throw new ValidationError(
        `Application "${scope.name}" has ${history.length} history entr${history.length === 1 ? 'y' : 'ies'}; a rollback to the previous deployment needs at least two. Pass an explicit id.`,
        { field: 'id' },
      );
    }
    id = previous.id;
  }
  return host.context.transport.call({
    method: 'POST',
    path: apiPath('/api/v1/applications/{name}/rollback', { name: scope.name }),
    body: {
      name: scope.name,
      id,
      ...(scope.appNamespace ? { appNamespace: scope.appNamespace } : {}),
      ...(scope.project ? { project: scope.project } : {}),
      ...(options.prune === undefined ? {} : { prune: options.prune }),
      ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
    },
    schema: applicationSchema,
    applicationWithoutProject: scope.project === undefined,
    ...callOptions(options),
  });
}
