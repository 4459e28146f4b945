import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitObjectCache, parseCommit } from './git-object-cache.js';
import { fetchPack, listRemoteRefs, type RefListing } from './git-remote.js';
import { GrpcCode, rpcError } from './grpc-status.js';

/** Credentials the emulator uses to reach a repository (from a registered `v1alpha1Repository`). */
export interface GitAccess {
  username?: string;
  password?: string;
  /** Skip TLS verification for this repository (Argo CD's `insecure`). */
  insecure?: boolean;
}

/** Commit metadata as `GET …/revisions/{rev}/metadata` returns it. */
export interface GitRevisionMetadata {
  author: string;
  date: string;
  message: string;
  tags: string[];
}

/** A commit seeded into an in-memory repository (no git server needed). */
export interface SeededCommit {
  files: Record<string, string>;
  branch?: string;
  message?: string;
  author?: string;
}

interface VirtualCommit {
  files: Record<string, string>;
  message: string;
  author: string;
  date: string;
}

interface VirtualRepository {
  commits: Map<string, VirtualCommit>;
  refs: Map<string, string>;
  headBranch: string;
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const GIT_TIMEOUT_MS = 15_000;
const MAXIMUM_CACHED_FILES = 2_000;
const MAXIMUM_HAVES = 64;

/**
 * Resolves revisions and reads files the way Argo CD's repo-server does: refs are listed over smart HTTP in
 * process, as go-git's `ListRemote` does (protocol v0, one request); a commit new to the cache is fetched with one
 * upload-pack request (the commits already held go as `have`s) and indexed into a bare cache, which one
 * long-running `git cat-file --batch` reads. Repositories seeded with {@link seedCommit} never touch git.
 */
export class GitRevisionReader {
  private cacheRoot: string | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly virtual = new Map<string, VirtualRepository>();
  private readonly caches = new Map<string, Promise<GitObjectCache>>();
  private readonly knownCommits = new Set<string>();
  private readonly fileCache = new Map<string, string | undefined>();
  private readonly listingCache = new Map<string, { atMs: number; refs: RefListing }>();
  private readonly inFlightListings = new Map<string, Promise<RefListing>>();
  /** Per repository: the ref tips fetched so far (offered as `have`s). */
  private readonly fetchedTips = new Map<string, string[]>();

  constructor(private readonly options: { caCertificate?: string; clock: () => number }) {}

  /** Adds a commit to an in-memory repository and returns its (synthetic, stable) SHA. */
  seedCommit(repoURL: string, commit: SeededCommit): string {
    const repository = this.virtual.get(repoURL) ?? {
      commits: new Map(),
      refs: new Map(),
      headBranch: commit.branch ?? 'main',
    };
    this.virtual.set(repoURL, repository);
    const branch = commit.branch ?? repository.headBranch;
    const parent = repository.refs.get(branch) ?? '';
    const date = new Date(this.options.clock()).toISOString();
    const sha = createHash('sha1')
      .update(JSON.stringify([repoURL, parent, commit.files, commit.message, date, repository.commits.size]))
      .digest('hex');
    repository.commits.set(sha, {
      files: { ...(parent ? repository.commits.get(parent)?.files : {}), ...commit.files },
      message: commit.message ?? 'seeded commit',
      author: commit.author ?? 'Emulator <emulator@example.invalid>',
      date,
    });
    repository.refs.set(branch, sha);
    return sha;
  }

  /** Whether the repository lives in memory (seeded), so only {@link seedCommit} can change it. */
  isSeeded(repoURL: string): boolean {
    return this.virtual.has(repoURL);
  }

  /** Maps a revision to a commit SHA. @throws RpcStatusError (Unknown/NotFound) when it cannot be resolved. */
  async resolve(
    repoURL: string,
    revision: string | undefined,
    access: GitAccess = {},
    maxAgeMs = 0,
  ): Promise<string> {
    const wanted = revision && revision.length > 0 ? revision : 'HEAD';
    const seeded = this.virtual.get(repoURL);
    if (seeded) {
      const ref = wanted === 'HEAD' ? seeded.headBranch : wanted;
      const sha = seeded.refs.get(ref) ?? (seeded.commits.has(wanted) ? wanted : undefined);
      if (!sha) throw rpcError(GrpcCode.Unknown, `unable to resolve '${wanted}' to a commit SHA`);
      return sha;
    }
    if (!FULL_SHA.test(wanted)) {
      // One listing answers branches, tags and HEAD; the cache fetches only when the commit is new to it.
      const refs = await this.listRemote(repoURL, access, maxAgeMs);
      const sha =
        wanted === 'HEAD'
          ? refs.get('HEAD')
          : (refs.get(`refs/heads/${wanted}`) ??
            refs.get(`refs/tags/${wanted}^{}`) ??
            refs.get(`refs/tags/${wanted}`));
      if (sha) {
        await this.ensureCommit(repoURL, sha, access);
        return sha;
      }
    }
    // A SHA (full or abbreviated) that is not a ref tip: fetch the tips and look for it among what they reach.
    return this.withLock(repoURL, async () => {
      const cache = await this.cache(repoURL);
      let commit = await cache.commit(wanted);
      if (!commit) {
        await this.fetch(repoURL, access, cache);
        commit = await cache.commit(wanted);
      }
      if (commit) return commit.oid;
      throw rpcError(GrpcCode.Unknown, `unable to resolve '${wanted}' to a commit SHA`);
    });
  }

  private listRemote(repoURL: string, access: GitAccess, maxAgeMs: number): Promise<RefListing> {
    const key = `${repoURL}\u0000${access.username ?? ''}`;
    const cached = this.listingCache.get(key);
    if (cached && maxAgeMs > 0 && this.options.clock() - cached.atMs <= maxAgeMs)
      return Promise.resolve(cached.refs);
    let pending = this.inFlightListings.get(key);
    if (!pending) {
      pending = (async () => {
        let refs: RefListing;
        try {
          refs = await listRemoteRefs(repoURL, this.remoteAccess(access));
        } catch (error) {
          const status = error as { code?: number; message: string };
          throw rpcError(
            status.code === GrpcCode.NotFound ? GrpcCode.NotFound : GrpcCode.Unknown,
            `failed to list refs: ${status.message}`,
          );
        }
        this.listingCache.set(key, { atMs: this.options.clock(), refs });
        return refs;
      })().finally(() => this.inFlightListings.delete(key));
      this.inFlightListings.set(key, pending);
    }
    return pending;
  }

  private remoteAccess(access: GitAccess) {
    return {
      username: access.username,
      password: access.password,
      insecure: access.insecure,
      caCertificate: this.options.caCertificate,
      timeoutMs: GIT_TIMEOUT_MS,
    };
  }

  private ensureCommit(repoURL: string, sha: string, access: GitAccess): Promise<void> {
    const key = `${repoURL}\u0000${sha}`;
    // Commits never leave the cache, so one positive answer per SHA is enough.
    if (this.knownCommits.has(key)) return Promise.resolve();
    return this.withLock(repoURL, async () => {
      const cache = await this.cache(repoURL);
      if (!(await cache.commit(sha))) {
        await this.fetch(repoURL, access, cache, sha);
        if (!(await cache.commit(sha)))
          throw rpcError(GrpcCode.Unknown, `unable to resolve '${sha}' to a commit SHA`);
      }
      this.knownCommits.add(key);
    });
  }

  /** Reads a file at a commit; `undefined` when the file does not exist there. */
  async readFile(repoURL: string, sha: string, path: string): Promise<string | undefined> {
    const seeded = this.virtual.get(repoURL);
    if (seeded) return seeded.commits.get(sha)?.files[normalisePath(path)];
    // A file at a commit never changes: keep what was read (bounded).
    const key = FULL_SHA.test(sha) ? `${repoURL}\u0000${sha}\u0000${normalisePath(path)}` : undefined;
    if (key && this.fileCache.has(key)) return this.fileCache.get(key);
    const text = await (await this.cache(repoURL)).file(sha, normalisePath(path));
    if (key) {
      if (this.fileCache.size >= MAXIMUM_CACHED_FILES)
        this.fileCache.delete(this.fileCache.keys().next().value as string);
      this.fileCache.set(key, text);
    }
    return text;
  }

  /** Commit metadata for `GET …/revisions/{revision}/metadata`. */
  async metadata(repoURL: string, sha: string): Promise<GitRevisionMetadata> {
    const seeded = this.virtual.get(repoURL);
    if (seeded) {
      const commit = seeded.commits.get(sha);
      if (!commit) throw rpcError(GrpcCode.NotFound, `revision ${sha} not found`);
      return { author: commit.author, date: commit.date, message: commit.message, tags: [] };
    }
    const commit = FULL_SHA.test(sha) ? await (await this.cache(repoURL)).commit(sha) : undefined;
    if (!commit) throw rpcError(GrpcCode.NotFound, `revision ${sha} not found`);
    const tags = [...(this.lastListing(repoURL)?.entries() ?? [])]
      .filter(([name, target]) => target === sha && name.startsWith('refs/tags/'))
      .map(([name]) => name.slice('refs/tags/'.length).replace(/\^\{\}$/, ''));
    return { ...parseCommit(commit.data), tags: [...new Set(tags)].sort() };
  }

  private lastListing(repoURL: string): RefListing | undefined {
    let newest: { atMs: number; refs: RefListing } | undefined;
    for (const [key, listing] of this.listingCache) {
      if (key.startsWith(`${repoURL}\u0000`) && (!newest || listing.atMs >= newest.atMs)) newest = listing;
    }
    return newest?.refs;
  }

  /** Checks that the repository answers (a ref listing), as repository create/validate do. */
  async testAccess(repoURL: string, access: GitAccess = {}): Promise<void> {
    if (this.virtual.has(repoURL)) return;
    try {
      await listRemoteRefs(repoURL, this.remoteAccess(access));
    } catch (error) {
      throw rpcError(GrpcCode.Unknown, `error testing repository connectivity: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const caches = await Promise.all(this.caches.values());
    for (const cache of caches) cache.close();
    this.caches.clear();
    if (this.cacheRoot) await rm(this.cacheRoot, { recursive: true, force: true });
    this.cacheRoot = undefined;
  }

  private cache(repoURL: string): Promise<GitObjectCache> {
    let cache = this.caches.get(repoURL);
    if (!cache) {
      cache = (async () => {
        this.cacheRoot ??= await mkdtemp(join(tmpdir(), 'argocd-emulator-git-'));
        return new GitObjectCache(join(this.cacheRoot, createHash('sha1').update(repoURL).digest('hex')));
      })();
      this.caches.set(repoURL, cache);
    }
    return cache;
  }

  /**
   * Brings every listed ref tip that the cache lacks into it; the commits fetched before are offered as `have`s,
   * so only new objects travel.
   */
  private async fetch(
    repoURL: string,
    access: GitAccess,
    cache: GitObjectCache,
    tip?: string,
  ): Promise<void> {
    // The listing that named the tip is the advertisement; anything else lists afresh.
    const last = this.lastListing(repoURL);
    const refs =
      tip !== undefined && last && [...last.values()].includes(tip)
        ? last
        : await this.listRemote(repoURL, access, 0);
    const tips = this.fetchedTips.get(repoURL) ?? [];
    const wants: string[] = [];
    for (const [name, sha] of refs) {
      if (name.endsWith('^{}') || wants.includes(sha) || tips.includes(sha)) continue;
      if (!(await cache.has(sha))) wants.push(sha);
    }
    if (wants.length === 0) return;
    let pack: Buffer;
    try {
      pack = await fetchPack(repoURL, this.remoteAccess(access), {
        wants,
        haves: tips.slice(-MAXIMUM_HAVES),
      });
    } catch (error) {
      const status = error as { code?: number; message: string };
      throw rpcError(
        status.code === GrpcCode.NotFound ? GrpcCode.NotFound : GrpcCode.Unknown,
        status.message.startsWith('failed to fetch') ? status.message : `failed to fetch: ${status.message}`,
      );
    }
    await cache.addPack(pack);
    this.fetchedTips.set(repoURL, [...tips, ...wants].slice(-MAXIMUM_HAVES));
  }

  private async withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.locks.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }
}

function normalisePath(path: string): string {
  return path
    .replace(/^\.\//, '')
    .replace(/\/\.\//g, '/')
    .replace(/^\/+/, '');
}
