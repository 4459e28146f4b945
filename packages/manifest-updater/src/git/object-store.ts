import { GitProtocolError } from './errors.js';
import { type GitObject, type GitObjectType, hashObject } from './git-objects.js';

/**
 * The objects a write-back holds in memory: what the fetch brought, plus what this write-back created (kept
 * apart, because only those are pushed). Blobs left out by a partial fetch are fetched on demand.
 */
export class ObjectStore {
  readonly objects = new Map<string, GitObject>();
  readonly #created = new Map<string, GitObject>();
  #fetchMissing: ((oids: readonly string[]) => Promise<void>) | undefined;

  /** Sets how to fetch objects that are referenced but not here (partial fetch). */
  setMissingObjectFetcher(fetcher: ((oids: readonly string[]) => Promise<void>) | undefined): void {
    this.#fetchMissing = fetcher;
  }

  has(oid: string): boolean {
    return this.objects.has(oid);
  }

  /**
   * Reads an object, fetching it first when a partial fetch left it out.
   *
   * @throws GitProtocolError when the object is missing or has another type.
   */
  async get(oid: string, type: GitObjectType): Promise<GitObject> {
    if (!this.objects.has(oid) && this.#fetchMissing !== undefined) await this.#fetchMissing([oid]);
    const object = this.objects.get(oid);
    if (object === undefined) throw new GitProtocolError(`the server did not send object ${oid}`);
    if (object.type !== type)
      throw new GitProtocolError(`object ${oid} is a ${object.type}, expected a ${type}`);
    return object;
  }

  /** Fetches, in one request, the objects among `oids` that are not here. */
  async prefetch(oids: readonly string[]): Promise<void> {
    const missing = [...new Set(oids)].filter((oid) => !this.objects.has(oid));
    if (missing.length > 0 && this.#fetchMissing !== undefined) await this.#fetchMissing(missing);
  }

  /** Stores a new object and remembers it for the push; returns its id. */
  put(type: GitObjectType, data: Buffer): string {
    const oid = hashObject(type, data);
    const object = { type, data };
    this.objects.set(oid, object);
    this.#created.set(oid, object);
    return oid;
  }

  /** The objects created since the last `resetCreated` (what a push must send). */
  created(): GitObject[] {
    return [...this.#created.values()];
  }

  resetCreated(): void {
    this.#created.clear();
  }
}
