import type { ServerResponse } from 'node:http';
import type { KubeFaults } from './fault-injection.js';
import { sendStatus } from './http-util.js';
import { type KubeStatus, makeStatus } from './kube-status.js';
import type { KubeObject, ObjectStore, StoreEvent } from './object-store.js';
import { filterFromQuery } from './resource-handlers.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';

/** Options of the watch machinery. */
export interface WatchSettings {
  /** Real milliseconds between BOOKMARK events on watches that allow them. */
  bookmarkIntervalMs: number;
  /** How a watch from a version older than the history is refused: HTTP 410 or an in-stream ERROR (default). */
  expiredWatchMode: 'http' | 'stream';
}

interface OpenWatch {
  bookmarks: boolean;
  sendBookmark(): void;
  close(): void;
}

function expiredStatus(resourceVersion: string, oldest: number): KubeStatus {
  return makeStatus(410, 'Expired', `too old resource version: ${resourceVersion} (${oldest + 1})`);
}

/**
 * Serves watch requests: initial ADDED events when no (or `0`) resourceVersion is given, replay from the
 * bounded history otherwise (older → 410), live events filtered by namespace and selectors (an object that
 * starts or stops matching becomes ADDED or DELETED, as in the watch cache), bookmarks, `timeoutSeconds` and
 * the fault hooks.
 *
 * @example
 * ```ts
 * const watches = new WatchRegistry(store, faults, { bookmarkIntervalMs: 1000, expiredWatchMode: 'stream' });
 * watches.handle(type, 'default', query, response);
 * ```
 */
export class WatchRegistry {
  private readonly open = new Set<OpenWatch>();

  constructor(
    private readonly store: ObjectStore,
    private readonly faults: KubeFaults,
    private readonly settings: WatchSettings,
  ) {}

  /** Number of watch responses currently open. */
  get openCount(): number {
    return this.open.size;
  }

  /** Sends a BOOKMARK now on every open watch that allows bookmarks. */
  sendBookmarks(): void {
    for (const watch of this.open) if (watch.bookmarks) watch.sendBookmark();
  }

  /** Ends every open watch response cleanly. */
  closeAll(): void {
    for (const watch of [...this.open]) watch.close();
  }

  /** Serves one watch request. @throws KubeEmulatorStatusError 400 for a bad selector or resourceVersion. */
  handle(
    type: ResourceType,
    namespace: string | undefined,
    query: URLSearchParams,
    response: ServerResponse,
    /**
     * How a stored object is shown: a Table row for kubectl, or the served version of an object kept in another;
     * `apiVersion` names the version in bookmarks.
     */
    view?: { apiVersion?: string; present: (object: KubeObject) => unknown },
  ): void {
    const filter = filterFromQuery(type, query);
    const requestedVersion = query.get('resourceVersion') ?? '';
    const bookmarks = query.get('allowWatchBookmarks') === 'true' || query.get('allowWatchBookmarks') === '1';
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    const scripted = this.faults.takeWatchExpiry();
    const fromVersion =
      requestedVersion === '' || requestedVersion === '0' ? undefined : Number(requestedVersion);
    if (fromVersion !== undefined && !Number.isInteger(fromVersion)) {
      sendStatus(response, makeStatus(400, 'BadRequest', `invalid resource version "${requestedVersion}"`));
      return;
    }
    const replay = fromVersion === undefined ? [] : this.store.eventsSince(type, fromVersion);
    const expiry = scripted ?? (replay === undefined ? this.settings.expiredWatchMode : undefined);
    const expired = expiredStatus(requestedVersion, this.store.oldestWatchableResourceVersion(type));
    if (expiry === 'http') {
      sendStatus(response, expired);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    response.flushHeaders();
    if (expiry === 'stream') {
      response.end(`${JSON.stringify({ type: 'ERROR', object: expired })}\n`);
      return;
    }

    const inNamespace = (object: KubeObject): boolean =>
      namespace === undefined || object.metadata.namespace === namespace;
    const visible = (object: KubeObject | undefined): boolean =>
      object !== undefined && inNamespace(object) && filter.matches(object);
    let sent = 0;
    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    const write = (eventType: string, object: unknown, countsTowardsClose: boolean): void => {
      if (closed) return;
      const shown =
        view !== undefined && eventType !== 'BOOKMARK' ? view.present(object as KubeObject) : object;
      response.write(`${JSON.stringify({ type: eventType, object: shown })}\n`);
      if (!countsTowardsClose) return;
      sent += 1;
      const limit = this.faults.watchCloseAfterEvents;
      if (limit !== undefined && sent >= limit) watch.close();
    };
    const deliver = (event: StoreEvent): void => {
      if (event.resourceType !== type) return;
      const now = visible(event.object);
      const before = event.type === 'MODIFIED' ? visible(event.previousObject) : now;
      if (event.type === 'MODIFIED' && now !== before) {
        write(now ? 'ADDED' : 'DELETED', event.object, true);
      } else if (now) write(event.type, event.object, true);
    };
    const watch: OpenWatch = {
      bookmarks,
      sendBookmark: () => {
        const object = {
          kind: type.kind,
          apiVersion: view?.apiVersion ?? apiVersionOf(type),
          metadata: { resourceVersion: String(this.store.currentResourceVersion()) },
        };
        write('BOOKMARK', object, false);
      },
      close: () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        for (const timer of timers) clearTimeout(timer);
        this.open.delete(watch);
        response.end();
      },
    };
    const unsubscribe = this.store.subscribe(deliver);
    this.open.add(watch);
    response.on('close', () => watch.close());

    if (fromVersion === undefined) {
      for (const object of this.store.list(type, namespace))
        if (filter.matches(object)) write('ADDED', object, true);
    } else for (const event of replay ?? []) deliver(event);
    if (bookmarks) {
      const interval = setInterval(() => watch.sendBookmark(), this.settings.bookmarkIntervalMs);
      interval.unref();
      timers.push(interval);
    }
    if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0) {
      const timeout = setTimeout(() => watch.close(), timeoutSeconds * 1000);
      timeout.unref();
      timers.push(timeout);
    }
  }
}
