/** What a request does, in API-server terms (the `verb` of its audit record). */
export type KubeVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'log'
  | 'discovery'
  | 'eventlistener';

/** Which requests a fault applies to; every given field must match. */
export interface RequestMatch {
  method?: string;
  verb?: KubeVerb;
  /** Plural resource name, e.g. `pipelineruns` or `pods`. */
  resource?: string;
  /** A substring of the URL path. */
  pathIncludes?: string;
}

/** A scripted failure answered instead of the real response. */
export interface RequestFault {
  /** HTTP status, e.g. 429, 500, 503. */
  status: number;
  /** How many matching requests fail (default 1). */
  count?: number;
  /** Sends `Retry-After: <seconds>` and `details.retryAfterSeconds`. */
  retryAfterSeconds?: number;
  match?: RequestMatch;
  /** Status reason; defaults from the status code (`TooManyRequests`, `InternalError`, `ServiceUnavailable`, ...). */
  reason?: string;
  message?: string;
}

/** A request as the emulator saw it (kept for assertions such as "no list was issued"). */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  verb: KubeVerb | 'unknown';
  resource?: string;
  namespace?: string;
  name?: string;
  /** `bearer`, `basic`, `client-certificate` or `anonymous`; never the credential itself. */
  authentication: string;
  /** `Impersonate-*` headers, which carry no secrets. */
  impersonation: Record<string, string>;
  /** HTTP status answered (filled in when the headers are sent). */
  status?: number;
}

function matches(match: RequestMatch | undefined, request: RecordedRequest): boolean {
  if (match === undefined) return true;
  if (match.method !== undefined && match.method.toUpperCase() !== request.method) return false;
  if (match.verb !== undefined && match.verb !== request.verb) return false;
  if (match.resource !== undefined && match.resource !== request.resource) return false;
  if (match.pathIncludes !== undefined && !request.path.includes(match.pathIncludes)) return false;
  return true;
}

/**
 * The emulator's fault switches. All of them are off until a test turns them on; `reset()` turns them off.
 *
 * @example
 * ```ts
 * emulator.faults.failRequests({ status: 429, retryAfterSeconds: 1, count: 2, match: { verb: 'watch' } });
 * emulator.faults.closeWatchesEvery(2);
 * emulator.faults.expireNextWatches({ mode: 'stream' });
 * ```
 */
export class KubeFaults {
  /** End every watch response cleanly after this many events (bookmarks not counted). */
  watchCloseAfterEvents: number | undefined;
  /** Real milliseconds to wait before each log line written to a client. */
  logLineDelayMs: number | undefined;
  private requestFaults: Array<RequestFault & { remaining: number }> = [];
  private watchExpiries: Array<{ mode: 'http' | 'stream'; remaining: number }> = [];

  /** Fail the next matching requests with a Status body of the given code. */
  failRequests(fault: RequestFault): void {
    this.requestFaults.push({ ...fault, remaining: fault.count ?? 1 });
  }

  /**
   * Answer the next `count` watch requests with 410 Expired: as the HTTP status (`mode: 'http'`) or as an
   * in-stream `ERROR` event carrying a Status with code 410 (`mode: 'stream'`).
   */
  expireNextWatches(options: { mode: 'http' | 'stream'; count?: number }): void {
    this.watchExpiries.push({ mode: options.mode, remaining: options.count ?? 1 });
  }

  /** End each watch response cleanly after `events` events; `undefined` turns it off. */
  closeWatchesEvery(events: number | undefined): void {
    this.watchCloseAfterEvents = events;
  }

  /** Delay every log line by `delayMs` real milliseconds; `undefined` turns it off. */
  slowLogs(delayMs: number | undefined): void {
    this.logLineDelayMs = delayMs;
  }

  /** Turns every fault off. */
  reset(): void {
    this.watchCloseAfterEvents = undefined;
    this.logLineDelayMs = undefined;
    this.requestFaults = [];
    this.watchExpiries = [];
  }

  /** @internal Consumes the fault for a request, if one matches. */
  takeRequestFault(request: RecordedRequest): RequestFault | undefined {
    const fault = this.requestFaults.find(
      (candidate) => candidate.remaining > 0 && matches(candidate.match, request),
    );
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    this.requestFaults = this.requestFaults.filter((candidate) => candidate.remaining > 0);
    return fault;
  }

  /** @internal Consumes a scripted watch expiry, if one is pending. */
  takeWatchExpiry(): 'http' | 'stream' | undefined {
    const expiry = this.watchExpiries[0];
    if (expiry === undefined) return undefined;
    expiry.remaining -= 1;
    if (expiry.remaining <= 0) this.watchExpiries.shift();
    return expiry.mode;
  }
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** The Status reason the API server uses for an HTTP status. */
export function reasonForStatus(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'InternalError' : 'Unknown');
}
