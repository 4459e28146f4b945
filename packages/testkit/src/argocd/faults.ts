/** Which requests a fault applies to; omitted fields match everything. */
export interface ArgoCDFaultMatch {
  /** HTTP method, case-insensitive. */
  method?: string;
  /** URL path (without query): exact string, a string ending in `*` for a prefix, or a RegExp. */
  path?: string | RegExp;
}

interface FaultBase {
  match?: ArgoCDFaultMatch;
  /** How many matching requests the fault hits (default 1; `Infinity` for all). */
  times?: number;
}

/**
 * A scripted failure. `status` answers with a grpc-gateway error body (and `Retry-After` when given);
 * `afterHandling` runs the real handler first (state changes land) and then replaces or drops the response, which
 * is how an ambiguous failure of a non-idempotent call looks to a client.
 */
export type ArgoCDFault =
  | (FaultBase & {
      kind: 'status';
      status: number;
      message?: string;
      retryAfter?: string;
      afterHandling?: boolean;
    })
  | (FaultBase & { kind: 'delay'; delayMs: number; phase?: 'headers' | 'body' })
  | (FaultBase & { kind: 'reset'; afterHandling?: boolean })
  | (FaultBase & {
      kind: 'raw';
      status: number;
      headers?: Record<string, string>;
      body: string | Uint8Array;
      /** Send with `Transfer-Encoding: chunked` (no Content-Length), e.g. to test size caps on streamed bodies. */
      chunked?: boolean;
    })
  | (FaultBase & { kind: 'stream-drop'; afterEvents: number })
  | (FaultBase & { kind: 'stream-error'; afterEvents: number; code: number; message: string });

/** The handle returned by `ArgoCDEmulator.addFault`. */
export interface InstalledArgoCDFault {
  readonly id: number;
  /** Requests the fault has hit so far. */
  readonly hits: number;
  /** Hits left. */
  readonly remaining: number;
  remove(): void;
}

interface Entry {
  id: number;
  fault: ArgoCDFault;
  hits: number;
  remaining: number;
}

function pathMatches(expected: string | RegExp | undefined, path: string): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(path);
  return expected.endsWith('*') ? path.startsWith(expected.slice(0, -1)) : expected === path;
}

/** Holds installed faults and hands each matching request the first one with hits left. */
export class FaultRegistry {
  private readonly entries: Entry[] = [];
  private nextId = 1;

  add(fault: ArgoCDFault): InstalledArgoCDFault {
    const entry: Entry = { id: this.nextId++, fault, hits: 0, remaining: fault.times ?? 1 };
    this.entries.push(entry);
    const remove = () => {
      const index = this.entries.indexOf(entry);
      if (index >= 0) this.entries.splice(index, 1);
    };
    return {
      id: entry.id,
      get hits() {
        return entry.hits;
      },
      get remaining() {
        return entry.remaining;
      },
      remove,
    };
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Consumes one hit of the first fault of one of `kinds` that matches the request. */
  take<K extends ArgoCDFault['kind']>(
    kinds: readonly K[],
    method: string,
    path: string,
    filter: (fault: Extract<ArgoCDFault, { kind: K }>) => boolean = () => true,
  ): Extract<ArgoCDFault, { kind: K }> | undefined {
    const upper = method.toUpperCase();
    const entry = this.entries.find(
      ({ fault, remaining }) =>
        remaining > 0 &&
        (kinds as readonly string[]).includes(fault.kind) &&
        (fault.match?.method === undefined || fault.match.method.toUpperCase() === upper) &&
        pathMatches(fault.match?.path, path) &&
        filter(fault as Extract<ArgoCDFault, { kind: K }>),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    entry.hits += 1;
    return entry.fault as Extract<ArgoCDFault, { kind: K }>;
  }
}
