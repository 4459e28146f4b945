import { AuthenticationError, ConnectionError, type HttpClient, type Logger, sleep } from '@gitops-kit/core';
import { validateResponse } from '../schemas/fast-check.js';
import { type ApplicationWatchEvent, applicationWatchEventSchema } from '../schemas/stream-schemas.js';
import { readArgoCDStream } from './read-argocd-stream.js';
import {
  isReconnectable,
  type ReconnectOptions,
  reconnectDelayMs,
  resolveReconnectOptions,
} from './reconnect-policy.js';

/** What to watch (`GET /api/v1/stream/applications`). */
export interface WatchApplicationsQuery {
  /** One application: the server sends its current state on every (re)connect. */
  name?: string | undefined;
  appNamespace?: string | undefined;
  /** Restrict to these projects. */
  projects?: readonly string[] | undefined;
  /** Label selector. */
  selector?: string | undefined;
  /** Only applications whose source is this repository. */
  repo?: string | undefined;
  /** Start after this resourceVersion. */
  resourceVersion?: string | undefined;
  /** Field projection, e.g. `result.application.metadata.name,result.type` (undocumented server feature). */
  fields?: readonly string[] | undefined;
}

/** Options of a watch. */
export interface WatchOptions {
  signal?: AbortSignal | undefined;
  /** Reconnect after a dropped stream (default true). */
  reconnect?: boolean | undefined;
  /** Backoff between reconnects. */
  backoff?: ReconnectOptions | undefined;
  /** Silence (no byte, not even a keep-alive) after which the stream is reopened, in ms. Default 45 000. */
  idleTimeoutMs?: number | undefined;
  /** Called on every (re)connect attempt, with its number (0 = first). */
  onConnect?: ((attempt: number) => void) | undefined;
}

/**
 * Watches applications with reconnects: after a drop it waits a jittered backoff and reopens — a single-app watch
 * from the last resourceVersion seen (the server re-sends the current app as ADDED), a list watch without one (the
 * server then re-sends every app as ADDED: list watches have no replay, so this is the only gap-free resume).
 * Consecutive failures without any event in between are bounded (`backoff.maxConsecutiveFailures`).
 *
 * @throws {AuthenticationError} when the token is refused (never retried — argo-cd#9527).
 * @throws {ArgoCDApiError} for 403/404/400 or when reconnects run out.
 */
export async function* watchApplications(
  http: HttpClient,
  query: WatchApplicationsQuery,
  options: WatchOptions,
  logger: Logger,
): AsyncGenerator<ApplicationWatchEvent> {
  const backoff = resolveReconnectOptions(options.backoff);
  const singleApp = query.name !== undefined;
  let resourceVersion = query.resourceVersion;
  let failures = 0;
  for (let attempt = 0; ; attempt++) {
    options.onConnect?.(attempt);
    let failure: unknown;
    try {
      const stream = readArgoCDStream(http, {
        path: '/api/v1/stream/applications',
        query: {
          name: query.name,
          appNamespace: query.appNamespace,
          projects: query.projects,
          selector: query.selector,
          repo: query.repo,
          resourceVersion: singleApp || attempt === 0 ? resourceVersion : undefined,
          fields: query.fields?.join(','),
        },
        signal: options.signal,
        idleTimeoutMs: options.idleTimeoutMs,
      });
      for await (const result of stream) {
        const event = validateResponse(
          applicationWatchEventSchema,
          result,
          'GET /api/v1/stream/applications',
        );
        failures = 0;
        resourceVersion = event.application.metadata.resourceVersion ?? resourceVersion;
        yield event;
      }
    } catch (error) {
      failure = error;
    }
    if (options.signal?.aborted) return;
    if (failure !== undefined && !isReconnectable(failure)) {
      if (AuthenticationError.isInstance(failure)) logger.debug('argocd: watch stopped: token refused');
      throw failure;
    }
    if (options.reconnect === false) {
      if (failure !== undefined) throw failure;
      return;
    }
    failures += 1;
    if (failures > backoff.maxConsecutiveFailures) {
      throw (
        failure ?? new ConnectionError('The application watch stream kept closing without sending anything')
      );
    }
    const delayMs = reconnectDelayMs(failures, backoff);
    logger.debug(`argocd: application watch dropped (${describe(failure)}); reconnecting in ${delayMs} ms`);
    await sleep(delayMs, options.signal);
  }
}

function describe(error: unknown): string {
  if (error === undefined) return 'stream ended';
  return error instanceof Error ? error.message : String(error);
}
