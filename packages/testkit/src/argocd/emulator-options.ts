import { defaultLogger } from '@gitops-kit/core';
import type { ManifestRenderer } from './manifest-renderer.js';

/** Options for `ArgoCDEmulator.start`. Every duration is in milliseconds. */
export interface ArgoCDEmulatorOptions {
  /** Interface to bind; only loopback makes sense for tests. Default `127.0.0.1`. */
  host?: string;
  /** Port; default 0 (an ephemeral port). */
  port?: number;
  /** Serve HTTPS: `true` generates a self-signed certificate for 127.0.0.1/localhost; or pass a key and cert. */
  tls?: boolean | { key: string; cert: string };
  /** Password of the built-in `admin` account. Default `password`. */
  adminPassword?: string;
  /** Extra local accounts (username → password). */
  accounts?: Record<string, string>;
  /** Lifetime of login tokens (Argo CD `users.session.duration`). Default 24 h. */
  sessionDurationMs?: number;
  /** Login tokens with less left than this are renewed on use. Default 5 min. */
  renewBeforeExpiryMs?: number;
  /** Failed logins per user per window before even correct logins are refused. Default 5 per 300 000 ms. */
  maxLoginFailures?: number;
  loginFailureWindowMs?: number;
  /** How long a sync operation stays Running. Default 50. */
  syncDurationMs?: number;
  /** How long a Deployment without a health script stays Progressing after it changes. Default 0. */
  defaultRolloutMs?: number;
  /** Periodic reconcile of every app (picks up new commits for auto-sync); 0 disables. Default 1000. */
  reconciliationIntervalMs?: number;
  /** How long periodic reconciles reuse a repository's last `git ls-remote` (refresh and sync always re-list). Default 1000. */
  revisionCacheMs?: number;
  /** Delay between an operation finishing and the controller's next reconcile. Default 20. */
  reconcileAfterOperationMs?: number;
  /** SSE keep-alive comment interval. Default 15 000 (Argo CD's). */
  keepAliveIntervalMs?: number;
  /** Answer 415 to non-GET requests without `Content-Type: application/json`. Default true. */
  requireJsonContentType?: boolean;
  /** Check request bodies against the swagger (400 on a wrong shape). Default true. */
  validateRequests?: boolean;
  /** With `validateRequests`, also reject unknown body fields (the real server ignores them). Default true. */
  rejectUnknownFields?: boolean;
  /** Initial argocd-cm data (health customisations etc.). */
  argocdCm?: Record<string, string>;
  /** Turns a source at a commit into Kubernetes objects. Default: a chart-like Deployment/Service/Ingress. */
  renderer?: ManifestRenderer;
  /** PEM CA the emulator trusts when fetching https repositories (e.g. a GitServer's self-signed cert). */
  gitCaCertificate?: string;
  /** What `GET /api/version` reports. Default `v3.5.1+emulator`. */
  version?: string;
  /** Namespace of Applications and AppProjects. Default `argocd`. */
  namespace?: string;
  /** Time source (ms since epoch). Default `Date.now`. */
  clock?: () => number;
  /**
   * Receives internal errors of the controller and request handlers (default: logged with core's `defaultLogger`).
   * Whatever it throws is logged and dropped: no error escapes into the process as an uncaught exception.
   */
  onError?: (error: unknown) => void;
}

/** The options with defaults applied. */
export type ResolvedEmulatorOptions = Required<
  Omit<ArgoCDEmulatorOptions, 'tls' | 'renderer' | 'gitCaCertificate' | 'accounts' | 'argocdCm'>
> & {
  tls: ArgoCDEmulatorOptions['tls'] | undefined;
  renderer: ArgoCDEmulatorOptions['renderer'] | undefined;
  gitCaCertificate: string | undefined;
} & { accounts: Record<string, string>; argocdCm: Record<string, string> };

/** Applies defaults. */
export function resolveEmulatorOptions(options: ArgoCDEmulatorOptions): ResolvedEmulatorOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    tls: options.tls,
    renderer: options.renderer,
    gitCaCertificate: options.gitCaCertificate,
    adminPassword: options.adminPassword ?? 'password',
    accounts: options.accounts ?? {},
    sessionDurationMs: options.sessionDurationMs ?? 24 * 60 * 60 * 1000,
    renewBeforeExpiryMs: options.renewBeforeExpiryMs ?? 5 * 60 * 1000,
    maxLoginFailures: options.maxLoginFailures ?? 5,
    loginFailureWindowMs: options.loginFailureWindowMs ?? 300_000,
    syncDurationMs: options.syncDurationMs ?? 50,
    defaultRolloutMs: options.defaultRolloutMs ?? 0,
    reconciliationIntervalMs: options.reconciliationIntervalMs ?? 1000,
    reconcileAfterOperationMs: options.reconcileAfterOperationMs ?? 20,
    revisionCacheMs: options.revisionCacheMs ?? 1000,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 15_000,
    requireJsonContentType: options.requireJsonContentType ?? true,
    validateRequests: options.validateRequests ?? true,
    rejectUnknownFields: options.rejectUnknownFields ?? true,
    argocdCm: { ...(options.argocdCm ?? {}) },
    version: options.version ?? 'v3.5.1+emulator',
    namespace: options.namespace ?? 'argocd',
    clock: options.clock ?? Date.now,
    onError: reportingSafely(options.onError),
  };
}

/** Wraps an error callback so that neither the error nor a throwing callback can escape into the process. */
function reportingSafely(onError: ((error: unknown) => void) | undefined): (error: unknown) => void {
  return (error) => {
    try {
      if (onError) onError(error);
      else defaultLogger.error('ArgoCDEmulator: internal error', error);
    } catch (thrown) {
      defaultLogger.error('ArgoCDEmulator: the onError callback threw', thrown);
    }
  };
}
