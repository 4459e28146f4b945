import {
  AbortError,
  abortReasonToError,
  computeBackoffDelayMs,
  createRedactingLogger,
  GitOpsKitError,
  type Logger,
  silentLogger,
  sleep,
  ValidationError,
} from '@gitops-kit/core';
import type { GitTransport } from './git-transport.js';
import { RemoteSession } from './remote-session.js';
import { DEFAULT_MAX_HISTORY_BYTES, openRemote, resolveMaxUnpackedBytes } from './remote-transport.js';
import { assertBranchName, assertRepoRelativePath } from './repo-path.js';
import type { WriteBackSshOptions } from './ssh-options.js';
import { fileNotFound, findFile } from './tree-edit.js';
import type { WriteBackAuth, WriteBackRetryOptions } from './write-back-options.js';

/** Defaults of {@link ReadFilesOptions.retry}: a read is cheap to repeat, but a status command should not hang. */
export const DEFAULT_READ_FILES_RETRY: Readonly<WriteBackRetryOptions> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  random: () => Math.random(),
});

/** Options of {@link readFiles}. */
export interface ReadFilesOptions {
  /** `https://` (or `http://`) URL without credentials, or an SSH remote (`git@host:team/deploy.git`, `ssh://…`). */
  url: string;
  /** The branch to read. */
  branch: string;
  /** Repository-relative POSIX paths (`helm/my-values.yaml`); may be empty to learn the head only. */
  files: readonly string[];
  /** Credentials for HTTP remotes; a read-only token is enough (only `git-upload-pack` is asked for). */
  auth?: WriteBackAuth;
  /** For SSH remotes: the private key and the trusted host keys (checked by default). */
  ssh?: WriteBackSshOptions;
  /** A missing file is `undefined` in the result instead of a `FileNotFoundInRepoError`; default false. */
  allowMissing?: boolean;
  signal?: AbortSignal;
  /** Retries of transient failures (connection, 5xx, 408, 429); `false` for one attempt. Default 3 attempts. */
  retry?: Partial<WriteBackRetryOptions> | false;
  /** Limit per HTTP request; over SSH per handshake and per exchange; default 60 000 ms. */
  timeoutMs?: number;
  /** Ask for `filter blob:none` when the server supports it, then fetch only the blobs read; default true. */
  partialFetch?: boolean;
  /** Largest server answer accepted, in bytes; default 512 MiB. */
  maxResponseBytes?: number;
  /** Largest whole-history fetch from a server without shallow fetch; default 64 MiB (`GitFetchTooLargeError`). */
  maxHistoryBytes?: number;
  /**
   * Most bytes a fetched pack may unpack to (inflated entries and objects rebuilt from deltas); default 1 GiB.
   * `maxResponseBytes` caps the compressed answer only, and zlib expands about 1000:1. Past it:
   * `ResponseTooLargeError`.
   */
  maxUnpackedBytes?: number;
  /** Follow a redirect of the first request to another origin (credentials are then dropped); default false. */
  allowCrossOriginRedirects?: boolean;
  logger?: Logger;
  /** `User-Agent` and `agent=`; default `gitops-kit/<version>`. */
  userAgent?: string;
}

/** The result of {@link readFiles}. */
export interface ReadFilesResult {
  /** The commit the files were read at (the branch head when the read started). */
  head: string;
  branch: string;
  /** Path → UTF-8 text; `undefined` for a missing file (only with `allowMissing`). In the order asked for. */
  files: Map<string, string | undefined>;
  /** `partial`: trees only, then the blobs read; `full`: a whole depth-1 snapshot; `none`: no file was asked for. */
  fetchMode: 'partial' | 'full' | 'none';
}

function resolveRetry(retry: ReadFilesOptions['retry']): WriteBackRetryOptions {
  if (retry === false) return { ...DEFAULT_READ_FILES_RETRY, maxAttempts: 1 };
  const resolved = { ...DEFAULT_READ_FILES_RETRY, ...retry };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new ValidationError('retry.maxAttempts must be a whole number >= 1', {
      field: 'retry.maxAttempts',
    });
  }
  return resolved;
}

async function readOnce(
  transport: GitTransport,
  options: ReadFilesOptions,
  files: readonly string[],
): Promise<ReadFilesResult> {
  const session = new RemoteSession(transport, {
    partialFetch: options.partialFetch ?? true,
    maxHistoryBytes: options.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES,
    maxUnpackedBytes: resolveMaxUnpackedBytes(options.maxUnpackedBytes),
  });
  const result: ReadFilesResult = { head: '', branch: options.branch, files: new Map(), fetchMode: 'none' };
  if (files.length === 0) {
    // The head alone: no pack is fetched.
    result.head = await session.readBranchHeadReadOnly(options.branch);
    return result;
  }
  const fetched = await session.fetchBranchReadOnly(options.branch);
  result.head = fetched.head;
  const located = new Map<string, string | undefined>();
  for (const file of files) {
    const found = await findFile(session.store, fetched.head, file, assertRepoRelativePath(file));
    if (found === undefined && options.allowMissing !== true) throw fileNotFound(file, options.branch);
    located.set(file, found?.oid);
  }
  // One round trip for every blob a partial fetch left out.
  await session.store.prefetch([...located.values()].filter((oid): oid is string => oid !== undefined));
  for (const [file, oid] of located) {
    result.files.set(
      file,
      oid === undefined ? undefined : (await session.store.get(oid, 'blob')).data.toString('utf8'),
    );
  }
  // After the blobs: a refused blob fetch falls back to a full snapshot.
  result.fetchMode = session.fetchMode;
  return result;
}

/**
 * Reads files at a branch's head of a remote git repository, talking only to `git-upload-pack`: a read-only
 * credential (a GitLab deploy token with `read_repository`, a GitHub fine-grained token with contents:read, a
 * server that allows fetch but not push) is enough, and nothing can be written.
 *
 * - Depth-1 fetch into memory, nothing on disk; with `filter` (protocol v2 or v0 with allow-*-sha1-in-want) only
 *   the commit, the trees on the way and the blobs read are downloaded. The same fallbacks as `writeBack`: v2 → v0,
 *   a refused blob fetch → a full snapshot, no shallow → a capped fetch of history.
 * - The head comes from the v0 advertisement, or from one v2 `ls-refs` narrowed to the branch.
 * - Transient failures are retried (3 attempts by default); credentials travel only in the `Authorization`
 *   header and are registered for redaction; SSH host keys are checked against known_hosts.
 *
 * @throws ValidationError for a bad URL (including one with credentials), branch, path or option.
 * @throws PathOutsideRepoError when a file is absolute, climbs out, points into `.git` or through a symlink.
 * @throws BranchNotFoundError when the branch does not exist.
 * @throws FileNotFoundInRepoError when a file does not exist (unless `allowMissing`).
 * @throws AuthenticationError when the server refuses the credentials for reading.
 * @throws GitFetchTooLargeError when a server without shallow fetch has more history than `maxHistoryBytes`.
 * @throws HostKeyVerificationError / SshKeyError for SSH remotes (host key, private key).
 * @throws GitProtocolError / UnsupportedGitServerError when the server breaks or lacks the protocol.
 * @throws AbortError / TimeoutError / ConnectionError / HttpError from the transport.
 * @example
 * ```ts
 * const { head, files } = await readFiles({
 *   url: 'https://git.example.com/team/deploy.git',
 *   branch: 'main',
 *   auth: { username: 'gitlab+deploy-token-7', password: process.env.DEPLOY_TOKEN! },
 *   files: ['env/prod/values.yaml'],
 * });
 * console.log(head, files.get('env/prod/values.yaml'));
 * ```
 */
export async function readFiles(options: ReadFilesOptions): Promise<ReadFilesResult> {
  assertBranchName(options.branch);
  if (!Array.isArray(options.files)) {
    throw new ValidationError('files must be an array of repository-relative paths', { field: 'files' });
  }
  const files = [...new Set(options.files)];
  for (const file of files) assertRepoRelativePath(file);
  const retry = resolveRetry(options.retry);
  const maxHistoryBytes = options.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES;
  if (!(maxHistoryBytes > 0)) {
    throw new ValidationError('maxHistoryBytes must be > 0', { field: 'maxHistoryBytes' });
  }
  resolveMaxUnpackedBytes(options.maxUnpackedBytes);
  const logger = createRedactingLogger(options.logger ?? silentLogger);
  const remote = await openRemote(options);
  try {
    for (let attempt = 1; ; attempt += 1) {
      if (options.signal?.aborted) throw abortReasonToError(options.signal);
      try {
        const result = await readOnce(remote.transport, options, files);
        logger.debug(`read ${files.length} file(s) of ${options.branch} at ${result.head}`);
        return result;
      } catch (error) {
        const transient =
          GitOpsKitError.isInstance(error) && error.retryable && !AbortError.isInstance(error);
        if (!transient || attempt >= retry.maxAttempts) throw error;
        logger.warn(`read attempt ${attempt} failed: ${(error as Error).message}`);
      }
      await sleep(
        computeBackoffDelayMs(attempt, {
          baseDelayMs: retry.baseDelayMs,
          maxDelayMs: retry.maxDelayMs,
          random: retry.random,
        }),
        options.signal,
      );
    }
  } finally {
    remote.close();
  }
}
