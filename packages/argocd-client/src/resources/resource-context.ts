import type { Logger } from '@gitops-kit/core';
import type { ArgoCDTransport } from '../client/argocd-transport.js';
import type { CallOptions } from '../client/client-options.js';
import type { SessionManager } from '../client/session-manager.js';

/** What every resource group shares: the transport, the session and the logger. */
export interface ResourceContext {
  transport: ArgoCDTransport;
  session: SessionManager;
  logger: Logger;
}

/** Copies the per-call options that exist (exactOptionalPropertyTypes-safe). */
export function callOptions(options: CallOptions | undefined): CallOptions {
  const copy: CallOptions = {};
  if (options?.signal) copy.signal = options.signal;
  if (options?.timeoutMs !== undefined) copy.timeoutMs = options.timeoutMs;
  if (options?.retry !== undefined) copy.retry = options.retry;
  return copy;
}
