import { GitOpsKitError, ResponseTooLargeError } from '@gitops-kit/core';
import { BranchNotFoundError, GitFetchTooLargeError } from './errors.js';
import type { GitTransport } from './git-transport.js';
import { readBranchHead } from './ls-refs.js';
import { ObjectStore } from './object-store.js';
import { readPack, writePack } from './pack-file.js';
import { discoverReceivePack, type ReceivePackAdvertisement, sendReceivePack } from './receive-pack.js';
import {
  discoverUploadPack,
  fetchPack,
  supportsPartialFetch,
  supportsShallow,
  type UploadPackAdvertisement,
} from './upload-pack.js';

/** How a fetch was done, for diagnostics and the benchmark. */
export type FetchMode = 'partial' | 'full';

/** The state of the branch a write-back builds on. */
export interface FetchedHead {
  /** The branch whose head was fetched (the target branch when it exists, else the base branch). */
  branch: string;
  head: string;
  /** Whether the push creates the target branch. */
  targetExists: boolean;
  mode: FetchMode;
}

/** The result of a push attempt. */
export type PushResult =
  | { kind: 'pushed' }
  /** The server sends no report (no `report-status`): the caller must read the branch back. */
  | { kind: 'unreported' }
  | { kind: 'rejected-race'; reason: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'connection-lost'; error: unknown };

/**
 * Server answers to a push that mean "someone else moved the branch": fetch, re-apply, try again. git: `fetch
 * first`, `non-fast-forward`, `failed to update ref`, `cannot lock ref`, `incorrect old value`; JGit
 * (JGitText.properties, 4.11): `invalid old id sent` when the old value no longer matches as it reads the refs,
 * `failed to lock` / `lock error` when another writer holds the ref; dulwich: `failed to write`.
 */
const RACE_REASONS =
  /non-fast-forward|fetch first|failed to update ref|cannot lock|incorrect old value|stale info|failed to lock|reference already exists|already exists|lock exists|lock error|invalid old id sent|failed to write/i;

/** Whether a push's `ng` reason means a lost race (see {@link RACE_REASONS}). */
export function isRaceReason(reason: string): boolean {
  return RACE_REASONS.test(reason);
}

/**
 * Whether a server's `ok` must be checked by reading the branch back. dulwich (checked with 0.21.2) answers `ok`
 * to an update whose old value no longer matches without moving the ref: `ReceivePackHandler._apply_pack`
 * ignores the result of its compare-and-swap (`set_if_equals`), so a writer that lost a race is told it won. It
 * advertises no `agent`, unlike git, JGit and the forges; so a server that does not name itself, or names itself
 * dulwich, gets its `ok` checked (one more advertisement request).
 */
function reportsStaleUpdatesAsOk(
  receivePack: ReceivePackAdvertisement,
  uploadPack: UploadPackAdvertisement | undefined,
): boolean {
  const agents = [receivePack.capabilities.get('agent'), uploadPack?.capabilities.get('agent')].filter(
    (agent): agent is string => agent !== undefined,
  );
  return agents.length === 0 || agents.some((agent) => agent.startsWith('dulwich/'));
}

/** Options of a {@link RemoteSession}. */
export interface RemoteSessionOptions {
  partialFetch: boolean;
  /** Cap on a fetch of whole history, when the server cannot fetch shallow. */
  maxHistoryBytes: number;
  /** Cap on what one fetched pack unpacks to (`ResponseTooLargeError` past it). */
  maxUnpackedBytes: number;
  pushOptions?: readonly string[];
}

/**
 * One write-back's conversation with the remote, over any {@link GitTransport}: depth-1 fetch into memory
 * (partial with `filter blob:none` when the server supports it, so only the blobs being edited are downloaded),
 * then a push of only the new objects.
 */
export class RemoteSession {
  readonly store = new ObjectStore();
  readonly #transport: GitTransport;
  readonly #options: RemoteSessionOptions;
  #allowPartialFetch: boolean;
  #currentHead: string | undefined;
  #uploadPack: UploadPackAdvertisement | undefined;
  #receivePack: ReceivePackAdvertisement | undefined;
  #lastMode: FetchMode = 'full';

  constructor(transport: GitTransport, options: RemoteSessionOptions) {
    this.#transport = transport;
    this.#options = options;
    this.#allowPartialFetch = options.partialFetch;
  }

  /** The repository URL (after any redirect). */
  get url(): string {
    return this.#transport.url;
  }

  /**
   * Finds the head to build on and fetches its commit and trees (and, without partial fetch, all its blobs).
   *
   * @throws BranchNotFoundError when neither the target nor the base branch exists.
   * @throws GitFetchTooLargeError when the server cannot fetch shallow and the history exceeds the cap.
   */
  async fetchHead(branch: string, targetBranch: string | undefined): Promise<FetchedHead> {
    // The receive-pack advertisement lists every branch (no extra ls-refs round trip), fails early when the
    // credentials cannot push, and is the state the push is checked against. The upload-pack advertisement is
    // asked for at the same time (one round trip, not two). Over v0 it lists refs too and is re-read on each
    // attempt, so that `want` names a current tip: servers without allow-*-sha1-in-want refuse anything else.
    const uploadPack =
      this.#uploadPack === undefined || this.#uploadPack.protocol === 'v0'
        ? discoverUploadPack(this.#transport)
        : undefined;
    // Settled below; a rejection while receive-pack fails first must not go unhandled.
    uploadPack?.catch(() => undefined);
    const receivePack = await discoverReceivePack(this.#transport);
    this.#receivePack = receivePack;
    let source = targetBranch ?? branch;
    let head = receivePack.refs.get(`refs/heads/${source}`);
    const targetExists = head !== undefined;
    if (head === undefined && targetBranch !== undefined) {
      source = branch;
      head = receivePack.refs.get(`refs/heads/${branch}`);
    }
    if (head === undefined) {
      throw new BranchNotFoundError(`branch ${branch} does not exist on ${this.#transport.url}`, { branch });
    }
    const advertisement = (await uploadPack) ?? (this.#uploadPack as UploadPackAdvertisement);
    this.#uploadPack = advertisement;
    if (advertisement.protocol === 'v0') {
      const advertised = advertisement.refs.get(`refs/heads/${source}`);
      if (advertised !== undefined) head = advertised;
    }
    if (this.store.has(head)) {
      return { branch: source, head, targetExists, mode: this.#lastMode };
    }
    await this.#fetchInto(advertisement, head);
    return { branch: source, head, targetExists, mode: this.#lastMode };
  }

  /**
   * Read-only: finds `branch`'s head through upload-pack alone (the v0 advertisement or a v2 `ls-refs`) and
   * fetches its commit and trees the way {@link fetchHead} does. Never asks for the receive-pack advertisement,
   * so a credential that may only fetch (a read-only deploy token, a server that refuses pushes) is enough.
   *
   * @throws BranchNotFoundError when the branch does not exist.
   * @throws GitFetchTooLargeError when the server cannot fetch shallow and the history exceeds the cap.
   */
  async fetchBranchReadOnly(branch: string): Promise<FetchedHead> {
    const head = await this.readBranchHeadReadOnly(branch);
    await this.#fetchInto(this.#uploadPack as UploadPackAdvertisement, head);
    return { branch, head, targetExists: true, mode: this.#lastMode };
  }

  /**
   * Read-only: where `branch` points, through upload-pack alone, without fetching anything.
   *
   * @throws BranchNotFoundError when the branch does not exist.
   */
  async readBranchHeadReadOnly(branch: string): Promise<string> {
    const advertisement = await discoverUploadPack(this.#transport);
    this.#uploadPack = advertisement;
    const head = await readBranchHead(this.#transport, advertisement, branch);
    if (head === undefined) {
      throw new BranchNotFoundError(`branch ${branch} does not exist on ${this.#transport.url}`, { branch });
    }
    return head;
  }

  /** How the last snapshot was fetched (`full` once a refused blob fetch fell back to it). */
  get fetchMode(): FetchMode {
    return this.#lastMode;
  }

  async #fetchInto(advertisement: UploadPackAdvertisement, head: string): Promise<void> {
    this.#currentHead = head;
    const partial = this.#allowPartialFetch && supportsPartialFetch(advertisement);
    readPack(await this.#fetchSnapshot(advertisement, head, partial), this.store.objects, {
      maxUnpackedBytes: this.#options.maxUnpackedBytes,
    });
    this.store.setMissingObjectFetcher(partial ? (oids) => this.#fetchObjects(oids) : undefined);
    this.#lastMode = partial ? 'partial' : 'full';
  }

  /** The head commit with depth 1, or — from a server without shallow fetch — its whole history, capped. */
  async #fetchSnapshot(
    advertisement: UploadPackAdvertisement,
    head: string,
    partial: boolean,
  ): Promise<Buffer> {
    const request = { wants: [head], depth: 1, ...(partial ? { filter: 'blob:none' } : {}) };
    if (supportsShallow(advertisement)) return fetchPack(this.#transport, advertisement, request);
    const limit = Math.min(this.#options.maxHistoryBytes, this.#transport.maxResponseBytes);
    try {
      return await fetchPack(this.#transport, advertisement, request, { maxResponseBytes: limit });
    } catch (error) {
      if (!ResponseTooLargeError.isInstance(error)) throw error;
      throw new GitFetchTooLargeError(
        `${this.#transport.url} does not support shallow fetch, and the branch's history is larger than maxHistoryBytes (${limit} bytes); raise maxHistoryBytes or enable shallow fetch on the server`,
        { limitBytes: limit, cause: error },
      );
    }
  }

  async #fetchObjects(oids: readonly string[]): Promise<void> {
    if (this.#uploadPack === undefined) return;
    try {
      readPack(await fetchPack(this.#transport, this.#uploadPack, { wants: oids }), this.store.objects, {
        maxUnpackedBytes: this.#options.maxUnpackedBytes,
      });
    } catch (error) {
      // Some servers advertise filter but refuse wants of single objects: fall back to the whole snapshot.
      const refused =
        GitOpsKitError.isInstance(error) &&
        (error.name === 'GitProtocolError' || (error.name === 'HttpError' && !error.retryable));
      if (!refused || this.#currentHead === undefined) throw error;
      this.#allowPartialFetch = false;
      this.#lastMode = 'full';
      readPack(await this.#fetchSnapshot(this.#uploadPack, this.#currentHead, false), this.store.objects, {
        maxUnpackedBytes: this.#options.maxUnpackedBytes,
      });
    }
  }

  /**
   * Reads where a branch points on the server now (through receive-pack, which has no cache in front of it).
   * With `deadlineMs`, ignores the caller's abort signal and gives up after that long: the outcome of a push
   * that was sent must be established even when the caller aborted.
   */
  async readRemoteBranch(branch: string, options: { deadlineMs?: number } = {}): Promise<string | undefined> {
    const transport =
      options.deadlineMs === undefined ? this.#transport : this.#transport.detached(options.deadlineMs);
    return (await discoverReceivePack(transport)).refs.get(`refs/heads/${branch}`);
  }

  /**
   * Pushes `newOid` to `branch`, expecting the branch to be at `oldOid` (undefined: must not exist). Sends only
   * the objects this write-back created. A broken connection is reported, not thrown, so the caller can check
   * what landed.
   */
  async push(branch: string, oldOid: string | undefined, newOid: string): Promise<PushResult> {
    const ref = `refs/heads/${branch}`;
    const advertisement = this.#receivePack ?? (await discoverReceivePack(this.#transport));
    // The server checks the old value under its ref lock; a branch that moved answers "failed to update ref".
    if (advertisement.refs.get(ref) !== oldOid)
      return { kind: 'rejected-race', reason: 'the branch moved (fetch first)' };
    const pack = writePack(this.store.created());
    try {
      const report = await sendReceivePack(
        this.#transport,
        advertisement,
        { ref, oldOid, newOid, pack },
        this.#options.pushOptions === undefined ? {} : { pushOptions: this.#options.pushOptions },
      );
      if (report.ok && report.reported && reportsStaleUpdatesAsOk(advertisement, this.#uploadPack)) {
        const now = await discoverReceivePack(this.#transport);
        if (now.refs.get(ref) !== newOid) {
          return {
            kind: 'rejected-race',
            reason: 'the server answered ok but kept another commit (stale old value)',
          };
        }
      }
      if (report.ok) return report.reported ? { kind: 'pushed' } : { kind: 'unreported' };
      return isRaceReason(report.reason)
        ? { kind: 'rejected-race', reason: report.reason }
        : { kind: 'rejected', reason: report.reason };
    } catch (error) {
      // Connection errors, timeouts, retryable statuses and the caller's abort once the pack is on its way: the
      // server may have applied the push anyway.
      if (GitOpsKitError.isInstance(error) && (error.retryable || error.name === 'AbortError')) {
        return { kind: 'connection-lost', error };
      }
      throw error;
    }
  }
}
