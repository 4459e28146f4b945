import {
  CORE_VERSION,
  createRedactingLogger,
  type Logger,
  registerSecret,
  silentLogger,
  ValidationError,
} from '@gitops-kit/core';
import { ServiceGitTransport } from './git-service-transport.js';
import type { GitTransport } from './git-transport.js';
import { type HttpCredentials, SmartHttpTransport } from './smart-http.js';
import { createSshTransport, type WriteBackSshOptions } from './ssh-options.js';
import { isSshRemote, parseSshRemote } from './ssh-remote.js';
import type { WriteBackAuth } from './write-back-options.js';

/** A valid `agent=` token as it is (gitprotocol-capabilities(5): printable ASCII, no spaces). */
export const DEFAULT_USER_AGENT = `gitops-kit/${CORE_VERSION}`;
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024 * 1024;
export const DEFAULT_MAX_HISTORY_BYTES = 64 * 1024 * 1024;
/** What a fetched pack may unpack to (inflated entries and objects rebuilt from deltas): 1 GiB. */
export const DEFAULT_MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

/**
 * `maxUnpackedBytes` as given, or its default.
 *
 * @throws ValidationError when it is not > 0.
 */
export function resolveMaxUnpackedBytes(value: number | undefined): number {
  const resolved = value ?? DEFAULT_MAX_UNPACKED_BYTES;
  if (!(resolved > 0)) {
    throw new ValidationError('maxUnpackedBytes must be > 0', { field: 'maxUnpackedBytes' });
  }
  return resolved;
}

/** What a write-back and a read share about reaching a repository. */
export interface RemoteAccessOptions {
  url: string;
  auth?: WriteBackAuth | undefined;
  ssh?: WriteBackSshOptions | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  maxResponseBytes?: number | undefined;
  allowCrossOriginRedirects?: boolean | undefined;
  logger?: Logger | undefined;
  userAgent?: string | undefined;
}

/** An open transport to one repository; `close` ends an SSH connection (a no-op over HTTP). */
export interface RemoteAccess {
  transport: GitTransport;
  /** The repository address for messages and lock keys: never with credentials. */
  url: string;
  close(): void;
}

function validateHttpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError('url is not a valid URL', { field: 'url' });
  }
  if (url.username !== '' || url.password !== '') {
    // Never echo the URL: it holds the credential.
    throw new ValidationError('url must not contain credentials; pass them in `auth`', { field: 'url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(`url must be http(s), got ${url.protocol}`, { field: 'url' });
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ValidationError('url must not have a query or fragment', { field: 'url' });
  }
  return url.toString().replace(/\/+$/, '');
}

async function httpCredentials(
  auth: WriteBackAuth | undefined,
  url: string,
): Promise<HttpCredentials | undefined> {
  if (auth === undefined) return undefined;
  const credentials = typeof auth === 'function' ? await auth({ url }) : auth;
  if ('bearerToken' in credentials) {
    if (typeof credentials.bearerToken !== 'string' || credentials.bearerToken === '') {
      throw new ValidationError('auth.bearerToken must be a non-empty string', { field: 'auth' });
    }
    registerSecret(credentials.bearerToken);
    return { authorization: `Bearer ${credentials.bearerToken}` };
  }
  const username = 'token' in credentials ? (credentials.username ?? 'x-access-token') : credentials.username;
  const secret = 'token' in credentials ? credentials.token : credentials.password;
  if (typeof username !== 'string' || typeof secret !== 'string' || secret === '') {
    throw new ValidationError('auth needs a username and a non-empty password or token', { field: 'auth' });
  }
  registerSecret(secret);
  const encoded = Buffer.from(`${username}:${secret}`, 'utf8').toString('base64');
  registerSecret(encoded);
  return {
    authorization: `Basic ${encoded}`,
    // A token may be meant as a bearer token (Azure DevOps, some GitLab/Gitea set-ups): used when a 401 offers
    // only Bearer.
    ...('token' in credentials ? { bearerFallback: `Bearer ${secret}` } : {}),
  };
}

/**
 * Checks the address and the credentials' kind without contacting anything: `auth` belongs to HTTP remotes,
 * `ssh` to SSH ones. Returns the address for messages.
 *
 * @throws ValidationError for a bad URL (one with credentials included) or credentials of the wrong kind.
 */
export function checkRemote(options: Pick<RemoteAccessOptions, 'url' | 'auth' | 'ssh'>): string {
  const sshRemote = isSshRemote(options.url) ? parseSshRemote(options.url) : undefined;
  if (sshRemote !== undefined && options.auth !== undefined) {
    throw new ValidationError('auth is for HTTP remotes; an SSH remote takes its key in ssh.privateKey', {
      field: 'auth',
    });
  }
  if (sshRemote === undefined && options.ssh !== undefined) {
    throw new ValidationError('ssh options need an SSH remote (git@host:path or ssh://…)', { field: 'ssh' });
  }
  return sshRemote?.display ?? validateHttpUrl(options.url);
}

/**
 * Opens the transport to one repository: smart HTTP with the credentials in the `Authorization` header only
 * (registered for redaction), or SSH with the key and known_hosts checked before any connection.
 *
 * @throws ValidationError for a bad URL, option (`timeoutMs` or `maxResponseBytes` not > 0) or credentials; SshKeyError
 *   for an unusable key.
 */
export async function openRemote(options: RemoteAccessOptions): Promise<RemoteAccess> {
  const url = checkRemote(options);
  const sshRemote = isSshRemote(options.url) ? parseSshRemote(options.url) : undefined;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new ValidationError('timeoutMs must be > 0', { field: 'timeoutMs' });
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // `total > NaN` is never true: an unchecked NaN (a misparsed setting) would turn the limit off without a word.
  if (!(maxResponseBytes > 0)) {
    throw new ValidationError('maxResponseBytes must be > 0', { field: 'maxResponseBytes' });
  }
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const logger = createRedactingLogger(options.logger ?? silentLogger);
  if (sshRemote !== undefined) {
    // SSH: the key and host keys are checked now; the connection opens on the first request.
    const ssh = createSshTransport(sshRemote, options.ssh, {
      timeoutMs,
      maxResponseBytes,
      signal: options.signal,
      logger,
    });
    const transport = new ServiceGitTransport(ssh, {
      url,
      userAgent,
      maxResponseBytes,
      // After an abort the connection is gone: reading the branch back needs a connection of its own.
      reopen: (detachedTimeoutMs) =>
        createSshTransport(sshRemote, options.ssh, {
          timeoutMs: detachedTimeoutMs,
          maxResponseBytes,
          signal: undefined,
          logger,
        }),
    });
    return { transport, url, close: () => transport.close() };
  }
  const transport = new SmartHttpTransport({
    url,
    credentials: await httpCredentials(options.auth, url),
    userAgent,
    timeoutMs,
    maxResponseBytes,
    signal: options.signal,
    allowCrossOriginRedirects: options.allowCrossOriginRedirects ?? false,
  });
  return { transport, url, close: () => {} };
}
