import { AbortError, type Logger, sleep } from '@gitops-kit/core';
import { WaitFailedError, WaitTimeoutError } from '../errors/wait-errors.js';
import type { Application } from '../schemas/application-schema.js';
import type { ApplicationWatchEvent } from '../schemas/stream-schemas.js';
import {
  isReconnectable,
  type ReconnectOptions,
  reconnectDelayMs,
  resolveReconnectOptions,
} from '../stream/reconnect-policy.js';
import {
  DEFAULT_WAIT_CONDITIONS,
  DegradedTransitionDetector,
  evaluateWaitConditions,
  type WaitCondition,
  type WaitEvaluation,
} from './wait-conditions.js';

/** Default overall limit of a wait, in ms (the CLI waits forever by default; a library should not). */
export const DEFAULT_WAIT_TIMEOUT_MS = 600_000;

/** One resource's state in a progress report. */
export interface ResourceProgress {
  group: string;
  kind: string;
  namespace: string | undefined;
  name: string;
  syncStatus: string | undefined;
  healthStatus: string | undefined;
}

/** What `onProgress` receives on every observation. */
export interface WaitProgress {
  application: Application;
  /** Where the observation came from: the first GET, the stream, or a fallback re-GET. */
  source: 'get' | 'stream' | 'resync';
  syncStatus: string | undefined;
  healthStatus: string | undefined;
  operationPhase: string | undefined;
  evaluation: WaitEvaluation;
  resources: ResourceProgress[];
  elapsedMs: number;
}

/** Options of `applications.wait`. */
export interface WaitOptions {
  /** Conditions (see {@link WaitCondition}); default `sync`, `health`, `operation`. */
  conditions?: readonly WaitCondition[] | undefined;
  /** Overall limit in ms; `0` = no limit. Default 600 000. */
  timeoutMs?: number | undefined;
  /** Succeed only once the app is synced to this commit (full SHA or ≥ 7-character prefix). */
  expectRevision?: string | undefined;
  /** The app's project, so a missing app is a 404 rather than a 403 (looked up from earlier calls if omitted). */
  project?: string | undefined;
  appNamespace?: string | undefined;
  signal?: AbortSignal | undefined;
  /** Called on every observation. Exceptions thrown by it are logged and ignored. */
  onProgress?: ((progress: WaitProgress) => void) | undefined;
  /** Fail as soon as a resource (or the app) turns Degraded from a healthier state. Default: when `health` is waited for. */
  failOnDegraded?: boolean | undefined;
  /**
   * The health history to judge transitions against. Pass the same detector to consecutive waits on one app (for
   * example a wait restarted after the branch moved) so a resource that turned Degraded in between still fails
   * the second wait fast instead of counting as "already Degraded". Default: a fresh history per wait.
   */
  healthHistory?: DegradedTransitionDetector | undefined;
  /** Fail on a finished Failed/Error operation. Default: when `operation` is waited for. */
  failOnOperationFailure?: boolean | undefined;
  /** Re-GET the app (and reopen the stream) after this long without a stream event, in ms. Default 60 000. */
  resyncIntervalMs?: number | undefined;
  /** Backoff between stream reconnects. */
  backoff?: ReconnectOptions | undefined;
}

/** The successful outcome of a wait. */
export interface WaitResult {
  application: Application;
  elapsedMs: number;
  /** How many application states were observed. */
  observations: number;
}

/** The I/O a waiter needs (the client supplies it; tests can fake it). */
export interface WaitSource {
  get(signal: AbortSignal): Promise<Application>;
  /** One stream connection (no reconnect inside): the single-app watch from `resourceVersion`. */
  watch(resourceVersion: string | undefined, signal: AbortSignal): AsyncIterable<ApplicationWatchEvent>;
}

class ResyncSignal extends Error {}

/**
 * `argocd app wait` semantics (cmd/argocd/commands/app.go `waitOnApplicationStatus`), with its known failures
 * fixed: one GET first (already done → return, argo-cd#12211); then the single-app stream, reconnected from the last
 * resourceVersion with jittered backoff and a re-GET on every reconnect; a quiet stream is resynced; a refused token
 * fails the wait instead of retrying forever (argo-cd#9527); the deadline yields a {@link WaitTimeoutError} with the
 * last observed state.
 */
export async function waitForApplication(
  name: string,
  source: WaitSource,
  options: WaitOptions,
  logger: Logger,
): Promise<WaitResult> {
  const conditions = options.conditions?.length ? options.conditions : DEFAULT_WAIT_CONDITIONS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const resyncIntervalMs = options.resyncIntervalMs ?? 60_000;
  const backoff = resolveReconnectOptions(options.backoff);
  const failOnDegraded =
    options.failOnDegraded ?? (conditions.includes('health') && !conditions.includes('degraded'));
  const startedAtMs = Date.now();
  const controller = new AbortController();
  const timedOut = { value: false };
  const onUserAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) throw new AbortError('The wait was aborted before it started');
  options.signal?.addEventListener('abort', onUserAbort, { once: true });
  const deadline =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut.value = true;
          controller.abort(new AbortError('wait deadline'));
        }, timeoutMs)
      : undefined;
  const detector = options.healthHistory ?? new DegradedTransitionDetector();
  let last: Application | undefined;
  let lastEvaluation: WaitEvaluation | undefined;
  let observations = 0;

  const observe = (app: Application, origin: WaitProgress['source']): WaitResult | undefined => {
    // Once aborted (by the caller or the deadline), later observations are not judged: a transition seen after
    // the abort would be recorded in a shared health history and then lost with this wait.
    if (controller.signal.aborted) throw controller.signal.reason ?? new AbortError('wait aborted');
    last = app;
    observations += 1;
    const transition = detector.observe(app);
    const evaluation = evaluateWaitConditions(app, {
      conditions,
      expectRevision: options.expectRevision,
      failOnOperationFailure: options.failOnOperationFailure,
    });
    lastEvaluation = evaluation;
    report(app, origin, evaluation);
    if (failOnDegraded && transition)
      throw new WaitFailedError(undefined, {
        applicationName: name,
        reason: 'degraded',
        detail: transition,
        lastState: app,
      });
    if (evaluation.operationFailure) {
      throw new WaitFailedError(undefined, {
        applicationName: name,
        reason: 'operation-failed',
        detail: evaluation.operationFailure,
        lastState: app,
      });
    }
    return evaluation.ready
      ? { application: app, elapsedMs: Date.now() - startedAtMs, observations }
      : undefined;
  };

  const report = (app: Application, origin: WaitProgress['source'], evaluation: WaitEvaluation): void => {
    if (!options.onProgress) return;
    try {
      options.onProgress({
        application: app,
        source: origin,
        syncStatus: app.status?.sync?.status,
        healthStatus: app.status?.health?.status,
        operationPhase: app.status?.operationState?.phase,
        evaluation,
        resources: (app.status?.resources ?? []).map((resource) => ({
          group: resource.group ?? '',
          kind: resource.kind ?? '',
          namespace: resource.namespace || undefined,
          name: resource.name ?? '',
          syncStatus: resource.status,
          healthStatus: resource.health?.status,
        })),
        elapsedMs: Date.now() - startedAtMs,
      });
    } catch (error) {
      logger.warn(`argocd: the wait onProgress callback threw (${String(error)}); ignoring it`);
    }
  };

  try {
    const first = observe(await source.get(controller.signal), 'get');
    if (first) return first;
    let failures = 0;
    for (;;) {
      let failure: unknown;
      const streamController = new AbortController();
      const abortStream = (): void => streamController.abort(controller.signal.reason);
      controller.signal.addEventListener('abort', abortStream, { once: true });
      let quietTimer: NodeJS.Timeout | undefined;
      const armQuietTimer = (): void => {
        clearTimeout(quietTimer);
        if (resyncIntervalMs > 0) {
          quietTimer = setTimeout(() => streamController.abort(new ResyncSignal()), resyncIntervalMs);
        }
      };
      try {
        armQuietTimer();
        for await (const event of source.watch(last?.metadata.resourceVersion, streamController.signal)) {
          armQuietTimer();
          failures = 0;
          if (event.type === 'DELETED') {
            throw new WaitFailedError(undefined, {
              applicationName: name,
              reason: 'deleted',
              detail: 'the application was deleted',
              lastState: event.application,
            });
          }
          const done = observe(event.application, 'stream');
          if (done) return done;
        }
      } catch (error) {
        failure = error;
      } finally {
        clearTimeout(quietTimer);
        controller.signal.removeEventListener('abort', abortStream);
        streamController.abort();
      }
      if (controller.signal.aborted) throw failure ?? controller.signal.reason;
      const resync = streamController.signal.reason instanceof ResyncSignal;
      if (!resync) {
        if (failure instanceof WaitFailedError || (failure !== undefined && !isReconnectable(failure))) {
          throw failure;
        }
        failures += 1;
        if (failures > backoff.maxConsecutiveFailures) throw failure ?? new AbortError('stream kept closing');
        const delayMs = reconnectDelayMs(failures, backoff);
        logger.debug(`argocd: wait stream for ${name} dropped; re-reading and reconnecting in ${delayMs} ms`);
        await sleep(delayMs, controller.signal);
      }
      // Fallback re-GET: the stream may have missed the final state (or been quiet for too long).
      try {
        const done = observe(await source.get(controller.signal), 'resync');
        if (done) return done;
      } catch (error) {
        if (error instanceof WaitFailedError || !isReconnectable(error)) throw error;
      }
    }
  } catch (error) {
    if (timedOut.value) {
      throw new WaitTimeoutError(undefined, {
        applicationName: name,
        timeoutMs,
        lastState: last,
        detail: lastEvaluation?.pending.join('; ') || 'the application was never read',
      });
    }
    // A failure found before the abort is the answer; otherwise the abort is.
    if (options.signal?.aborted && !(error instanceof WaitFailedError)) {
      throw new AbortError(`Waiting for application "${name}" was aborted`, { cause: options.signal.reason });
    }
    throw error;
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onUserAbort);
    controller.abort();
  }
}
