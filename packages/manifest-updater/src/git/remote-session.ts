import { GitOpsKitError } from '@gitops-kit/core';
import { BranchNotFoundError } from './errors.js';
import { ObjectStore } from './object-store.js';
import { readPack, writePack } from './pack-file.js';
import {
  discoverReceivePack,
  discoverUploadPack,
  fetchPack,
  type ReceivePackAdvertisement,
  type SmartHttpTransport,
  sendReceivePack,
  supportsPartialFetch,
  type UploadPackAdvertisement,
} from './smart-http.js';

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
  | { kind: 'rejected-race'; reason: string }
  | { kind: 'rejected'; reason: string }
  | { kind: 'connection-lost'; error: unknown };

/** Server answers to a push that mean "someone else moved the branch": fetch, re-apply, try again. */
const RACE_REASONS =
  /non-fast-forward|fetch first|failed to update ref|cannot lock ref|incorrect old value|stale info|failed to lock|reference already exists|already exists/i;

/**
 * One write-back's conversation with the remote: depth-1 fetch into memory (partial with `filter blob:none`
 * when the server supports it, so only the blobs being edited are downloaded), then a push of only the new
 * objects.
 */
export class RemoteSession {
  readonly store = new ObjectStore();
  readonly #transport: SmartHttpTransport;
  #allowPartialFetch: boolean;
  #currentHead: string | undefined;
  #uploadPack: UploadPackAdvertisement | undefined;
  #receivePack: ReceivePackAdvertisement | undefined;
  #lastMode: FetchMode = 'full';

  constructor(transport: SmartHttpTransport, options: { partialFetch: boolean }) {
    this.#transport = transport;
    this.#allowPartialFetch = options.partialFetch;
  }

  /**
   * Finds the head to build on and fetches its commit and trees (and, without partial fetch, all its blobs).
   *
   * @throws BranchNotFoundError when neither the target nor the base branch exists.
   */
  async fetchHead(branch: string, targetBranch: string | undefined): Promise<FetchedHead> {
    // The receive-pack advertisement lists every branch (no extra ls-refs round trip), fails early when the
    // credentials cannot push, and is the state the push is checked against. The upload-pack capabilities do
    // not depend on it, so both are asked for at once (one round trip instead of two on the first attempt).
    const uploadPack = this.#uploadPack ? undefined : discoverUploadPack(this.#transport);
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
    if (this.store.has(head)) {
      return { branch: source, head, targetExists, mode: this.#lastMode };
    }
    this.#currentHead = head;
    const advertisement = this.#uploadPack ?? (await (uploadPack ?? discoverUploadPack(this.#transport)));
    this.#uploadPack = advertisement;
    const partial = this.#allowPartialFetch && supportsPartialFetch(advertisement);
    const pack = await fetchPack(this.#transport, advertisement, {
      wants: [head],
      depth: 1,
      ...(partial ? { filter: 'blob:none' } : {}),
    });
    readPack(pack, this.store.objects);
    this.store.setMissingObjectFetcher(partial ? (oids) => this.#fetchObjects(oids) : undefined);
    this.#lastMode = partial ? 'partial' : 'full';
    return { branch: source, head, targetExists, mode: this.#lastMode };
  }

  async #fetchObjects(oids: readonly string[]): Promise<void> {
    if (this.#uploadPack === undefined) return;
    try {
      readPack(await fetchPack(this.#transport, this.#uploadPack, { wants: oids }), this.store.objects);
    } catch (error) {
      // Some servers advertise filter but refuse wants of single objects: fall back to the whole snapshot.
      const refused =
        GitOpsKitError.isInstance(error) &&
        (error.name === 'GitProtocolError' || (error.name === 'HttpError' && !error.retryable));
      if (!refused || this.#currentHead === undefined) throw error;
      this.#allowPartialFetch = false;
      this.#lastMode = 'full';
      readPack(
        await fetchPack(this.#transport, this.#uploadPack, { wants: [this.#currentHead], depth: 1 }),
        this.store.objects,
      );
    }
  }

  /** Reads where a branch points on the server now (through receive-pack, which has no cache in front of it). */
  async readRemoteBranch(branch: string): Promise<string | undefined> {
    return (await discoverReceivePack(this.#transport)).refs.get(`refs/heads/${branch}`);
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
      const report = await sendReceivePack(this.#transport, advertisement, { ref, oldOid, newOid, pack });
      if (report.ok) return { kind: 'pushed' };
      return RACE_REASONS.test(report.reason)
        ? { kind: 'rejected-race', reason: report.reason }
        : { kind: 'rejected', reason: report.reason };
    } catch (error) {
      // Connection errors, timeouts and retryable statuses: the server may have applied the push anyway.
      if (GitOpsKitError.isInstance(error) && error.retryable) {
        return { kind: 'connection-lost', error };
      }
      throw error;
    }
  }
}
