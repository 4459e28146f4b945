import { type HttpClientOptions, type Logger, registerSecret, ValidationError } from '@gitops-kit/core';
import type { ArgoCDAuth } from './session-manager.js';

/** TLS settings. Verification is on unless `insecureSkipVerify` is set explicitly. */
export interface ArgoCDTlsOptions {
  /** CA certificates (PEM) to trust instead of Node's bundle. */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string | Buffer | undefined;
  /** Client key (PEM). */
  key?: string | Buffer | undefined;
  /** Passphrase of `key`; registered for redaction. */
  passphrase?: string | undefined;
  /** Name to verify the certificate against, when it differs from the URL host. */
  servername?: string | undefined;
  /** Skip certificate verification (`argocd --insecure`). Logs one warning. Default `false`. Refused with `ca`. */
  insecureSkipVerify?: boolean | undefined;
}

/** Retry settings (the core retry table). `false` disables retries. */
export interface ArgoCDRetryOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options of {@link ArgoCDClient}. */
export interface ArgoCDClientOptions {
  /**
   * The Argo CD server URL, with the root path when the server runs under one (`--rootpath`), e.g.
   * `https://argocd.example.com` or `https://example.com/argocd`. A bare `host:port` means https. Other schemes,
   * credentials, whitespace and text that does not parse are refused with a `ValidationError`.
   */
  server: string;
  /** How to authenticate; omit for anonymous calls (version, settings). */
  auth?: ArgoCDAuth | undefined;
  /** TLS settings. */
  tls?: ArgoCDTlsOptions | undefined;
  /** Per-attempt timeouts in ms: connect (default 10 000), headers (30 000), body (30 000). */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number } | undefined;
  /** Limit for one call including retries, in ms. Default 120 000. */
  timeoutMs?: number | undefined;
  /** Retry table for idempotent calls; `false` for one attempt. Default: 3 attempts, full jitter. */
  retry?: ArgoCDRetryOptions | false | undefined;
  /** Extra headers for every request (the CLI's `-H`). */
  headers?: Record<string, string> | undefined;
  /** Where debug lines and warnings go; every line is redacted. Default: warnings to the console. */
  logger?: Logger | undefined;
  /** An undici dispatcher (custom pools, tests); `tls` is then ignored. */
  dispatcher?: HttpClientOptions['dispatcher'];
  /** Largest response body accepted, in bytes. Default 64 MiB. */
  maxResponseBytes?: number | undefined;
  /** `User-Agent`. Default `gitops-kit-argocd-client`. */
  userAgent?: string | undefined;
}

/** Per-call options every method accepts. */
export interface CallOptions {
  /** Aborts the call. */
  signal?: AbortSignal | undefined;
  /** Limit for this call including retries, in ms. */
  timeoutMs?: number | undefined;
  /** Retry overrides for this call, or `false`. */
  retry?: ArgoCDRetryOptions | false | undefined;
}

/**
 * Turns `host:port`, `https://host/root` or `http://host` into a base URL. `plaintext` selects http for a bare host
 * (the argocd CLI's `--plaintext`). Anything else is refused here, before any request: another scheme, text that
 * does not parse, whitespace, credentials, a query or a fragment. The error never repeats the value, because a
 * malformed URL may hold a password that no pattern can find.
 *
 * @throws {ValidationError} (field `server`) when the server is not a usable http(s) URL or `host[:port]`.
 * @example
 * ```ts
 * normalizeServerUrl('argocd.example.com:8443'); // 'https://argocd.example.com:8443'
 * normalizeServerUrl('https://example.com/', { rootPath: 'argocd' }); // 'https://example.com/argocd'
 * ```
 */
export function normalizeServerUrl(
  server: string,
  options: { plaintext?: boolean; rootPath?: string } = {},
): string {
  const trimmed = server.trim();
  const refuse = (why: string): never => {
    throw new ValidationError(`Argo CD server ${why}; expected https://host[:port][/root] or host[:port]`, {
      field: 'server',
    });
  };
  if (trimmed === '') refuse('is empty');
  if (/\s/.test(trimmed)) refuse('contains whitespace');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1];
  if (scheme !== undefined && !/^https?$/i.test(scheme)) refuse(`uses ${scheme}, not http or https`);
  // A bare host[:port][/path] has no "://" and no userinfo; `ht!tp://a:b@x` is neither a URL nor a host.
  if (scheme === undefined && (trimmed.includes('://') || trimmed.includes('@')))
    refuse('is not a valid URL');
  const withScheme = scheme === undefined ? `${options.plaintext ? 'http' : 'https'}://${trimmed}` : trimmed;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return refuse('is not a valid URL');
  }
  if (url.password) registerSecret(decodeURIComponent(url.password));
  if (url.username || url.password) refuse('must not contain credentials (pass them as auth)');
  if (url.search || url.hash) refuse('must not contain a query or fragment');
  if (url.hostname === '') refuse('has no host');
  const rootPath = (options.rootPath ?? '').replace(/^\/+|\/+$/g, '');
  const basePath = url.pathname.replace(/\/+$/, '');
  const path = rootPath && !basePath.endsWith(`/${rootPath}`) ? `${basePath}/${rootPath}` : basePath;
  return `${url.protocol}//${url.host}${path}`;
}
