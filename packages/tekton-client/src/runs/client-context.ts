import type { Logger } from '@gitops-kit/core';
import type { KubeTransport } from '../kube/kube-transport.js';
import type { WatchBackoffOptions, WatchDiagnostic } from '../kube/watch.js';

/** What every resource group shares: the transport, the default namespace and the hooks. */
export interface ClientContext {
  transport: KubeTransport;
  namespace: string;
  logger: Logger;
  /** Watch diagnostics (list, resync, reconnect) from every watch the client runs. */
  onWatchEvent?: ((diagnostic: WatchDiagnostic) => void) | undefined;
  watchBackoff?: WatchBackoffOptions | undefined;
  /** Poll interval while a log waits for its container to start. */
  logPollIntervalMs?: number | undefined;
}

/** Options most calls accept. */
export interface CallOptions {
  /** Namespace; default the client's. */
  namespace?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Copies `signal`/`timeoutMs` from call options into transport options. */
export function callOptions(options: CallOptions): { signal?: AbortSignal; timeoutMs?: number } {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}
