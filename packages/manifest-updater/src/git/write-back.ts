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
import { updateYaml } from '../yaml/update-yaml.js';
import { type ChangedValue, renderCommitMessage } from './commit-message.js';
import { GitProtocolError, PushConflictError, PushOutcomeUnknownError } from './errors.js';
import { type CommitIdentity, serializeCommit } from './git-objects.js';
import type { GitTransport } from './git-transport.js';
import type { ObjectStore } from './object-store.js';
import { RemoteSession } from './remote-session.js';
import {
  checkRemote,
  DEFAULT_MAX_HISTORY_BYTES,
  DEFAULT_TIMEOUT_MS,
  openRemote,
  resolveMaxUnpackedBytes,
} from './remote-transport.js';
import { KeyedLock } from './repo-lock.js';
import { assertBranchName, assertRepoRelativePath } from './repo-path.js';
import { fileNotFound, findFile, replaceFiles } from './tree-edit.js';
import {
  DEFAULT_WRITE_BACK_RETRY,
  type WriteBackChange,
  type WriteBackFileResult,
  type WriteBackOptions,
  type WriteBackResult,
  type WriteBackRetryOptions,
} from './write-back-options.js';

const DEFAULT_AUTHOR: CommitIdentity = Object.freeze({
  name: 'gitops-kit',
  email: 'gitops-kit@users.noreply.invalid',
});
/** How long the outcome of a push the caller aborted may take to establish (one ref read). */
const OUTCOME_DEADLINE_MS = 5_000;

const branchLock = new KeyedLock();

function validateChanges(changes: readonly WriteBackChange[]): void {
  if (!Array.isArray(changes) || changes.length === 0) {
    throw new ValidationError('changes must name at least one file', { field: 'changes' });
  }
  for (const change of changes) {
    assertRepoRelativePath(change.file);
    const hasUpdates = 'updates' in change && change.updates !== undefined;
    const hasEdit = 'edit' in change && typeof change.edit === 'function';
    if (hasUpdates === hasEdit) {
      throw new ValidationError(`change for ${change.file} needs either updates or an edit function`, {
        field: 'changes',
      });
    }
  }
}

function resolveRetry(retry: WriteBackOptions['retry']): WriteBackRetryOptions {
  if (retry === false) return { ...DEFAULT_WRITE_BACK_RETRY, maxAttempts: 1 };
  const resolved = { ...DEFAULT_WRITE_BACK_RETRY, ...retry };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new ValidationError('retry.maxAttempts must be a whole number >= 1', {
      field: 'retry.maxAttempts',
    });
  }
  return resolved;
}

interface AppliedChanges {
  writes: Array<{ segments: string[]; content: Buffer }>;
  files: WriteBackFileResult[];
  values: ChangedValue[];
}

async function applyChanges(
  store: ObjectStore,
  head: string,
  changes: readonly WriteBackChange[],
  context: { attempt: number; branch: string; afterRace: boolean },
): Promise<AppliedChanges> {
  const missing = (file: string, cause?: unknown) =>
    !context.afterRace && cause === undefined
      ? fileNotFound(file, context.branch)
      : new PushConflictError(
          `after another commit landed on ${context.branch}, ${cause === undefined ? 'file' : 'a path in'} ${JSON.stringify(file)} no longer exists`,
          { branch: context.branch, file, attempts: context.attempt, cause },
        );
  const files = [...new Set(changes.map((change) => change.file))];
  const located = new Map<string, { segments: string[]; oid: string }>();
  for (const file of files) {
    const segments = assertRepoRelativePath(file);
    const found = await findFile(store, head, file, segments);
    if (found === undefined) throw missing(file);
    located.set(file, { segments, oid: found.oid });
  }
  // One round trip for every blob a partial fetch left out.
  await store.prefetch([...located.values()].map((entry) => entry.oid));

  const state = new Map<string, { original: string; text: string; edits: WriteBackFileResult['edits'] }>();
  for (const file of files) {
    const text = (await store.get((located.get(file) as { oid: string }).oid, 'blob')).data.toString('utf8');
    state.set(file, { original: text, text, edits: [] });
  }
  const values: ChangedValue[] = [];
  for (const change of changes) {
    const current = state.get(change.file) as {
      original: string;
      text: string;
      edits: WriteBackFileResult['edits'];
    };
    if ('updates' in change) {
      let result: ReturnType<typeof updateYaml>;
      try {
        result = updateYaml(current.text, change.updates, change.yamlOptions);
      } catch (error) {
        // The path existed when the caller decided on the change; after a race it is a conflict, not a mistake.
        const pathGone =
          GitOpsKitError.isInstance(error) &&
          (error.code === 'YAML_PATH_NOT_FOUND' || error.code === 'YAML_PATH_TYPE');
        if (context.afterRace && pathGone) throw missing(change.file, error);
        throw error;
      }
      current.text = result.text;
      for (const edit of result.edits) {
        current.edits.push({ path: edit.path, oldValue: edit.oldValue, newValue: edit.newValue });
        values.push({ file: change.file, path: edit.path, oldValue: edit.oldValue, newValue: edit.newValue });
      }
    } else {
      const edited = await change.edit(current.text, { file: change.file, attempt: context.attempt });
      if (typeof edited !== 'string') {
        throw new ValidationError(`the edit function for ${change.file} must return a string`, {
          field: 'changes',
        });
      }
      if (edited !== current.text)
        values.push({ file: change.file, path: undefined, oldValue: undefined, newValue: undefined });
      current.text = edited;
    }
  }
  const writes: AppliedChanges['writes'] = [];
  const results: WriteBackFileResult[] = [];
  for (const file of files) {
    const current = state.get(file) as {
      original: string;
      text: string;
      edits: WriteBackFileResult['edits'];
    };
    const changed = current.text !== current.original;
    results.push({ file, changed, edits: current.edits });
    if (changed)
      writes.push({
        segments: (located.get(file) as { segments: string[] }).segments,
        content: Buffer.from(current.text, 'utf8'),
      });
  }
  return {
    writes,
    files: results,
    values: values.filter((value) => results.find((result) => result.file === value.file)?.changed === true),
  };
}

function isTransient(error: unknown): boolean {
  return GitOpsKitError.isInstance(error) && error.retryable && !AbortError.isInstance(error);
}

/**
 * Changes files on a branch of a remote git repository and pushes one commit, safely under concurrency.
 *
 * - Depth-1 fetch into memory, nothing on disk; with a server that supports `filter` (protocol v2), only the
 *   commit, the trees and the blobs being edited are downloaded. Only the new objects are pushed.
 * - No change, no commit: `{ commit: null, changed: false }`.
 * - A lost race (non-fast-forward, "failed to update ref", lock errors) fetches the new head, re-applies the
 *   changes to the new content and pushes again, with bounded full-jitter backoff. A change that became a no-op
 *   ends without a commit; a file or path that disappeared ends in `PushConflictError`.
 * - A connection lost after the push was sent: the branch is read back; our commit there is success; if the
 *   branch cannot be read, `PushOutcomeUnknownError` carries the commit id.
 * - Calls for the same repository and branch in one process run one after the other.
 * - Credentials only travel in the `Authorization` header; they are registered for redaction.
 * - SSH remotes (`git@host:path`, `ssh://…`) take a key in `ssh`; the host key is checked against known_hosts.
 *
 * @throws ValidationError for a bad URL (including one with credentials), branch name, change or option.
 * @throws PathOutsideRepoError when a file is absolute, climbs out, points into `.git` or through a symlink.
 * @throws FileNotFoundInRepoError / BranchNotFoundError when the file or branch does not exist.
 * @throws AuthenticationError when the server refuses the credentials (never retried).
 * @throws PushConflictError when re-applying is impossible or the attempts ran out.
 * @throws PushOutcomeUnknownError when a push may or may not have landed.
 * @throws GitProtocolError when the server refuses the push for another reason (a hook, a protected branch).
 * @throws HostKeyVerificationError when an SSH server's host key is unknown, changed or revoked.
 * @throws SshKeyError when the SSH key cannot be read or decrypted.
 * @throws AbortError / TimeoutError / ConnectionError / HttpError from the transport.
 * @example
 * ```ts
 * const result = await writeBack({
 *   url: 'https://git.example.com/team/deploy.git',
 *   branch: 'main',
 *   auth: { username: 'deploy-bot', password: process.env.GIT_TOKEN! },
 *   changes: [{ file: 'helm/my-values.yaml', updates: [{ path: 'image.tag', value: 'v1.2.3' }] }],
 * });
 * console.log(result.changed ? `pushed ${result.commit}` : 'no changes, git repository is up to date');
 * ```
 */
export async function writeBack(options: WriteBackOptions): Promise<WriteBackResult> {
  checkRemote(options);
  assertBranchName(options.branch);
  if (options.targetBranch !== undefined) assertBranchName(options.targetBranch, 'targetBranch');
  validateChanges(options.changes);
  const retry = resolveRetry(options.retry);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new ValidationError('timeoutMs must be > 0', { field: 'timeoutMs' });
  const maxHistoryBytes = options.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES;
  if (!(maxHistoryBytes > 0)) {
    throw new ValidationError('maxHistoryBytes must be > 0', { field: 'maxHistoryBytes' });
  }
  resolveMaxUnpackedBytes(options.maxUnpackedBytes);
  validatePushOptions(options.pushOptions);
  const pushBranch = options.targetBranch ?? options.branch;
  const remote = await openRemote(options);
  const run = () => runWriteBack(options, retry, remote.transport);
  try {
    return await (options.inProcessLock === false
      ? run()
      : branchLock.run(`${remote.url}\0${pushBranch}`, run));
  } finally {
    remote.close();
  }
}

function validatePushOptions(pushOptions: readonly string[] | undefined): void {
  if (pushOptions === undefined) return;
  // gitprotocol-pack(5): a push option is one pkt-line; git refuses NUL and newline in them.
  for (const option of pushOptions) {
    if (typeof option !== 'string' || /[\0\n]/.test(option) || option.length > 1000) {
      throw new ValidationError('pushOptions must be strings without NUL or newline, up to 1000 characters', {
        field: 'pushOptions',
      });
    }
  }
}

async function runWriteBack(
  options: WriteBackOptions,
  retry: WriteBackRetryOptions,
  transport: GitTransport,
): Promise<WriteBackResult> {
  const logger: Logger = createRedactingLogger(options.logger ?? silentLogger);
  const session = new RemoteSession(transport, {
    partialFetch: options.partialFetch ?? true,
    maxHistoryBytes: options.maxHistoryBytes ?? DEFAULT_MAX_HISTORY_BYTES,
    maxUnpackedBytes: resolveMaxUnpackedBytes(options.maxUnpackedBytes),
    ...(options.pushOptions === undefined ? {} : { pushOptions: options.pushOptions }),
  });
  const pushBranch = options.targetBranch ?? options.branch;
  const author = options.author ?? DEFAULT_AUTHOR;
  let lastFailure: unknown;
  let lastRace: string | undefined;
  let raced = false;
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) throw abortReasonToError(options.signal);
    try {
      const fetched = await session.fetchHead(options.branch, options.targetBranch);
      logger.debug(
        `write-back attempt ${attempt}: ${fetched.branch} at ${fetched.head} (${fetched.mode} fetch)`,
      );
      const applied = await applyChanges(session.store, fetched.head, options.changes, {
        attempt,
        branch: fetched.branch,
        afterRace: raced,
      });
      const base = {
        attempts: attempt,
        branch: pushBranch,
        parent: fetched.head,
        files: applied.files,
        fetchMode: fetched.mode,
      };
      if (applied.writes.length === 0) {
        logger.info(`write-back: no changes, ${pushBranch} is up to date`);
        return { commit: null, changed: false, ...base };
      }
      session.store.resetCreated();
      const tree = await replaceFiles(session.store, fetched.head, applied.writes);
      const message = renderCommitMessage(
        options.message,
        {
          branch: pushBranch,
          files: applied.files.filter((file) => file.changed).map((file) => file.file),
          changes: applied.values,
        },
        options.trailers,
      );
      const commit = session.store.put(
        'commit',
        serializeCommit({
          tree,
          parents: [fetched.head],
          author,
          committer: options.committer ?? author,
          message,
          when: options.now?.() ?? new Date(),
        }),
      );
      const expected = options.targetBranch === undefined || fetched.targetExists ? fetched.head : undefined;
      const outcome = await session.push(pushBranch, expected, commit);
      if (outcome.kind === 'pushed') {
        logger.info(`write-back: pushed ${commit} to ${pushBranch} (attempt ${attempt})`);
        return { commit, changed: true, ...base };
      }
      if (outcome.kind === 'rejected') {
        throw new GitProtocolError(`the server refused the push to ${pushBranch}: ${outcome.reason}`, {
          serverMessage: outcome.reason,
        });
      }
      if (outcome.kind === 'connection-lost' || outcome.kind === 'unreported') {
        const aborted = outcome.kind === 'connection-lost' && AbortError.isInstance(outcome.error);
        let remote: string | undefined;
        try {
          // After an abort the caller's signal is gone: read the branch with a short deadline of our own.
          remote = await session.readRemoteBranch(
            pushBranch,
            aborted || outcome.kind === 'unreported' ? { deadlineMs: OUTCOME_DEADLINE_MS } : {},
          );
        } catch (error) {
          throw new PushOutcomeUnknownError(
            `${aborted ? 'the write-back was aborted' : 'the connection broke'} while pushing ${commit} to ${pushBranch} and the branch could not be read back; check whether ${commit} landed before writing again`,
            { commit, branch: pushBranch, cause: outcome.kind === 'connection-lost' ? outcome.error : error },
          );
        }
        if (remote === commit) {
          logger.info(`write-back: ${pushBranch} has ${commit} (established by reading the branch back)`);
          return { commit, changed: true, ...base };
        }
        if (outcome.kind === 'unreported') {
          lastFailure = undefined;
          lastRace = 'the push did not land';
          raced = true;
          logger.info(`write-back: ${pushBranch} is at ${remote ?? 'nothing'}, not ${commit}; re-applying`);
        } else if (aborted) {
          // The server may still be applying a push it received in full: nobody can say it will not land.
          throw new PushOutcomeUnknownError(
            `the write-back was aborted after ${commit} was sent to ${pushBranch}; the branch was at ${remote ?? 'nothing'} when read back, but the server may still apply the push: check whether ${commit} landed before writing again`,
            { commit, branch: pushBranch, cause: outcome.error },
          );
        } else {
          lastFailure = outcome.error;
          lastRace = undefined;
          // The branch may have moved meanwhile; re-applying then is a race like any other.
          raced = raced || remote !== expected;
          logger.warn(`write-back: the push of ${commit} did not land (connection lost); retrying`);
        }
      } else {
        lastFailure = undefined;
        lastRace = outcome.reason;
        raced = true;
        logger.info(`write-back: ${pushBranch} moved (${outcome.reason}); re-applying on the new head`);
      }
    } catch (error) {
      if (!isTransient(error)) throw error;
      lastFailure = error;
      lastRace = undefined;
      logger.warn(`write-back attempt ${attempt} failed: ${(error as Error).message}`);
    }
    if (attempt >= retry.maxAttempts) {
      if (lastRace === undefined && lastFailure !== undefined) throw lastFailure;
      throw new PushConflictError(
        `gave up after ${attempt} attempts: ${pushBranch} kept moving (${lastRace ?? 'push rejected'})`,
        { branch: pushBranch, attempts: attempt },
      );
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
}
