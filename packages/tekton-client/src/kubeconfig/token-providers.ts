import { readFile } from 'node:fs/promises';
import { abortReasonToError, registerSecret } from '@gitops-kit/core';
import { KubeconfigError } from '../errors/kubeconfig-errors.js';
import { ExecCredentialProvider } from './exec-credential.js';
import type { CredentialSource } from './load-kubeconfig.js';

/** Supplies a bearer token; `forceRefresh` is set after the server answered 401. Same shape as core's. */
export type BearerTokenProvider = (context: {
  forceRefresh: boolean;
  signal?: AbortSignal | undefined;
}) => Promise<string | undefined>;

/** client-go re-reads token files every minute (`NewCachedFileTokenSource`). */
export const DEFAULT_TOKEN_FILE_REFRESH_MS = 60_000;

/** Options of {@link tokenFileProvider}. */
export interface TokenFileProviderOptions {
  /** A token to fall back on while the file cannot be read. */
  fallbackToken?: string;
  /** How long a read token is reused; default 60 000 ms. */
  refreshIntervalMs?: number;
  now?: () => number;
}

/**
 * A provider that reads a token file (projected service-account tokens rotate) and re-reads it every
 * `refreshIntervalMs`, or at once after a 401. The last successful read wins over `fallbackToken`.
 *
 * @throws {KubeconfigError} from the provider when the file was never readable and there is no fallback.
 */
export function tokenFileProvider(path: string, options: TokenFileProviderOptions = {}): BearerTokenProvider {
  const refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_TOKEN_FILE_REFRESH_MS;
  const now = options.now ?? Date.now;
  let lastRead: { token: string; atMs: number } | undefined;
  return async ({ forceRefresh, signal }) => {
    if (!forceRefresh && lastRead && now() - lastRead.atMs < refreshIntervalMs) return lastRead.token;
    try {
      // The signal matters for a file that never ends (a FIFO nobody writes): the call's deadline still holds.
      const token = (await readFile(path, signal ? { encoding: 'utf8', signal } : 'utf8')).trim();
      registerSecret(token);
      lastRead = { token, atMs: now() };
      return token;
    } catch (error) {
      if (signal?.aborted) throw abortReasonToError(signal);
      if (lastRead) return lastRead.token;
      if (options.fallbackToken) return options.fallbackToken;
      throw new KubeconfigError(`cannot read token file "${path}"`, { cause: error });
    }
  };
}

/** What a connection needs from a credential source: a token provider and/or static headers. */
export interface ConnectionCredentials {
  tokenProvider?: BearerTokenProvider;
  headers: Record<string, string | string[]>;
  /** The exec plugin runner when the credential is an exec plugin (exposed for diagnostics). */
  execProvider?: ExecCredentialProvider;
}

/** Options of {@link credentialsFromSource}. */
export interface CredentialOptions {
  tokenFileRefreshMs?: number;
  /** The exec plugin's own limit (default 60 000 ms); a call's `signal`/`timeoutMs` can end the wait sooner. */
  execTimeoutMs?: number;
  now?: () => number;
}

/**
 * Turns a resolved kubeconfig credential into a token provider and headers.
 *
 * @throws {ExecCredentialError} when an exec plugin declares an unsupported apiVersion.
 */
export function credentialsFromSource(
  source: CredentialSource,
  options: CredentialOptions = {},
): ConnectionCredentials {
  switch (source.type) {
    case 'none':
      return { headers: {} };
    case 'basic': {
      const encoded = Buffer.from(`${source.username}:${source.password}`).toString('base64');
      registerSecret(encoded);
      return { headers: { Authorization: `Basic ${encoded}` } };
    }
    case 'token': {
      if (source.tokenFile) {
        const providerOptions: TokenFileProviderOptions = {};
        if (source.token) providerOptions.fallbackToken = source.token;
        if (options.tokenFileRefreshMs !== undefined)
          providerOptions.refreshIntervalMs = options.tokenFileRefreshMs;
        if (options.now) providerOptions.now = options.now;
        return { headers: {}, tokenProvider: tokenFileProvider(source.tokenFile, providerOptions) };
      }
      const token = source.token;
      return { headers: {}, tokenProvider: async () => token };
    }
    case 'exec': {
      const execOptions: ConstructorParameters<typeof ExecCredentialProvider>[0] = {
        exec: source.exec,
        cluster: source.cluster,
      };
      if (options.execTimeoutMs !== undefined) execOptions.timeoutMs = options.execTimeoutMs;
      if (options.now) execOptions.now = options.now;
      const execProvider = new ExecCredentialProvider(execOptions);
      return {
        headers: {},
        execProvider,
        // The call's signal carries both the caller's abort and the call's deadline (core's createCallSignal).
        tokenProvider: ({ forceRefresh, signal }) => execProvider.token(forceRefresh, signal),
      };
    }
  }
}
