import {
  AbortError,
  computeBackoffDelayMs,
  GitOpsKitError,
  HttpError,
  readNdjsonLines,
  sleep,
} from '@gitops-kit/core';
import type { ZodType, z } from 'zod';
import {
  KubernetesApiError,
  kubernetesErrorMessage,
  parseKubernetesStatus,
} from '../errors/kubernetes-api-error.js';
import type { KubeTransport } from './kube-transport.js';
import { type ResourceType, resourcePath } from './resource.js';

/** A change to an object: what the API server streams, after bookmarks and errors are handled. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
}

/** What the watch loop tells an `onEvent` hook (diagnostics; never objects' contents). */
export type WatchDiagnostic =
  | { type: 'list'; resourceVersion: string | undefined; itemCount: number }
  | { type: 'watch'; resourceVersion: string | undefined; timeoutSeconds: number }
  | { type: 'bookmark'; resourceVersion: string }
  | { type: 'resync'; reason: string }
  | { type: 'reconnect'; attempt: number; delayMs: number; reason: string };

/** Reconnect backoff, client-go's defaults (800 ms doubling to 30 s, full jitter). */
export interface WatchBackoffOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

/** Options of {@link watchResource}. */
export interface WatchOptions {
  namespace: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Start from this version without listing; default: list first and emit the items as ADDED. */
  resourceVersion?: string;
  /** Server-side limit of one watch request; default a random 300–600 s, like client-go's reflector. */
  timeoutSeconds?: number;
  backoff?: WatchBackoffOptions;
  /** A watch closing sooner than this with no event counts as a failure (backoff), so it never spins. */
  minHealthyWatchMs?: number;
  signal?: AbortSignal;
  onEvent?: (diagnostic: WatchDiagnostic) => void;
}

interface Known<T> {
  resourceVersion: string | undefined;
  object: T;
}

type Meta = { metadata?: { uid?: string; name?: string; resourceVersion?: string } };

const keyOf = (object: Meta): string => object.metadata?.uid || object.metadata?.name || '';

function isRetryableWatchError(error: unknown): boolean {
  if (KubernetesApiError.isGone(error)) return false;
  return GitOpsKitError.isInstance(error) && error.retryable;
}

/**
 * Lists then watches a collection with client-go reflector semantics: `allowWatchBookmarks`, a bounded
 * `timeoutSeconds`, reconnection from the last seen resourceVersion with jittered backoff (no re-list on
 * connection errors), a fresh list after 410 Gone (HTTP status or in-stream `ERROR`), bookmarks only advancing
 * the version, duplicate versions dropped, and never a tight loop. Ends only when `signal` aborts, the consumer
 * stops iterating, or a non-retryable error occurs.
 *
 * @throws {KubernetesApiError} for non-retryable API errors (Forbidden, NotFound of the collection).
 * @throws {AbortError} when `signal` aborts.
 * @example
 * ```ts
 * for await (const event of watchResource(transport, RESOURCES.pipelineRuns, pipelineRunSchema, { namespace: 'ci' })) {
 *   console.log(event.type, event.object.metadata.name);
 * }
 * ```
 */
export async function* watchResource<S extends ZodType>(
  transport: KubeTransport,
  type: ResourceType,
  schema: S,
  options: WatchOptions,
): AsyncGenerator<WatchEvent<z.output<S>>> {
  type T = z.output<S>;
  const { signal } = options;
  const known = new Map<string, Known<T>>();
  const initialDelayMs = options.backoff?.initialDelayMs ?? 800;
  const maxDelayMs = options.backoff?.maxDelayMs ?? 30_000;
  const minHealthyWatchMs = options.minHealthyWatchMs ?? 1_000;
  const selectors = {
    ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
    ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
  };
  let resourceVersion = options.resourceVersion;
  let needList = resourceVersion === undefined;
  let failures = 0;
  let consecutiveGone = 0;

  const backOff = async (reason: string, retryAfterMs?: number): Promise<void> => {
    failures += 1;
    let delayMs = computeBackoffDelayMs(failures, {
      baseDelayMs: initialDelayMs,
      maxDelayMs,
      ...(options.backoff?.random ? { random: options.backoff.random } : {}),
    });
    // Full jitter can draw ~0 several times in a row: keep a floor so failures never turn into a spin.
    delayMs = Math.max(delayMs, Math.floor(initialDelayMs / 4));
    if (retryAfterMs !== undefined) delayMs = Math.max(delayMs, Math.min(retryAfterMs, maxDelayMs));
    options.onEvent?.({ type: 'reconnect', attempt: failures, delayMs, reason });
    await sleep(delayMs, signal);
  };

  while (true) {
    if (signal?.aborted) throw new AbortError('watch aborted');
    if (needList) {
      let listed: { items: T[]; resourceVersion: string | undefined };
      try {
        listed = await transport.listAll(type, options.namespace, schema, {
          ...selectors,
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (!isRetryableWatchError(error)) throw error;
        await backOff(`list failed: ${(error as Error).message}`, (error as HttpError).retryAfterMs);
        continue;
      }
      options.onEvent?.({
        type: 'list',
        resourceVersion: listed.resourceVersion,
        itemCount: listed.items.length,
      });
      const seen = new Set<string>();
      for (const object of listed.items) {
        const key = keyOf(object as Meta);
        seen.add(key);
        const version = (object as Meta).metadata?.resourceVersion;
        const previous = known.get(key);
        known.set(key, { resourceVersion: version, object });
        if (!previous) yield { type: 'ADDED', object };
        else if (previous.resourceVersion !== version) yield { type: 'MODIFIED', object };
      }
      for (const [key, entry] of [...known]) {
        if (!seen.has(key)) {
          known.delete(key);
          yield { type: 'DELETED', object: entry.object };
        }
      }
      resourceVersion = listed.resourceVersion;
      needList = false;
    }

    const timeoutSeconds = options.timeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const startedAt = Date.now();
    let delivered = 0;
    let stream: Awaited<ReturnType<KubeTransport['http']['stream']>> | undefined;
    try {
      transport.requestCount += 1;
      options.onEvent?.({ type: 'watch', resourceVersion, timeoutSeconds });
      stream = await transport.http.stream({
        path: resourcePath(type, options.namespace),
        query: {
          watch: 1,
          allowWatchBookmarks: true,
          timeoutSeconds,
          ...(resourceVersion ? { resourceVersion } : {}),
          ...selectors,
        },
        retry: false,
        idleTimeoutMs: (timeoutSeconds + 60) * 1000,
        ...(signal ? { signal } : {}),
      });
      for await (const line of readNdjsonLines(stream.body, signal ? { signal } : {})) {
        const event = line as { type?: string; object?: unknown };
        if (event.type === 'ERROR') {
          const status = parseKubernetesStatus(event.object, 500);
          const url = resourcePath(type, options.namespace);
          throw new KubernetesApiError(kubernetesErrorMessage('WATCH', url, status?.code ?? 500, status), {
            status: status?.code ?? 500,
            method: 'GET',
            url,
            retryable: true,
            ...(status ? { kubeStatus: status } : {}),
          });
        }
        if (event.type === 'BOOKMARK') {
          const version = (event.object as Meta | undefined)?.metadata?.resourceVersion;
          if (version) {
            resourceVersion = version;
            options.onEvent?.({ type: 'bookmark', resourceVersion: version });
          }
          continue;
        }
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') continue;
        const object = schema.parse(event.object) as T;
        const key = keyOf(object as Meta);
        const version = (object as Meta).metadata?.resourceVersion;
        if (version) resourceVersion = version;
        delivered += 1;
        if (event.type === 'DELETED') {
          // After a re-list the deletion may already have been reported; an unknown object is not news.
          const wasKnown = known.delete(key);
          if (!wasKnown && options.resourceVersion === undefined) continue;
        } else {
          const previous = known.get(key);
          if (previous && version && previous.resourceVersion === version) continue; // replayed after reconnect
          known.set(key, { resourceVersion: version, object });
        }
        yield { type: event.type, object };
      }
      if (delivered > 0) failures = 0;
      else if (Date.now() - startedAt < minHealthyWatchMs) {
        await backOff('watch closed at once without events');
      }
    } catch (error) {
      if (signal?.aborted) throw new AbortError('watch aborted', { cause: error });
      if (KubernetesApiError.isGone(error)) {
        options.onEvent?.({ type: 'resync', reason: 'resourceVersion expired (410 Gone); listing again' });
        needList = true;
        consecutiveGone = delivered === 0 ? consecutiveGone + 1 : 1;
        // A server that answers 410 right after a fresh list would make list/watch spin: back off from the second.
        if (consecutiveGone > 1) await backOff('410 Gone right after a fresh list');
        continue;
      }
      if (!isRetryableWatchError(error)) throw error;
      if (delivered > 0) failures = 0;
      await backOff((error as Error).message, HttpError.isInstance(error) ? error.retryAfterMs : undefined);
    } finally {
      stream?.close();
    }
  }
}
