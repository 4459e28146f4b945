import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * Resolves revisions and reads files the way Argo CD's repo-server does, with the git CLI against a bare cache:
 * every resolve fetches the remote's heads, tags and HEAD (so new commits are seen), then maps the revision
 * (`HEAD`, branch, tag or SHA) to a commit. Repositories seeded with {@link seedCommit} never touch git.
 */
export class GitRevisionReader {
  private cacheRoot: string | undefined;
  private caFile: string | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly virtual = new Map<string, VirtualRepository>();
  private readonly initialized = new Set<string>();
  private readonly knownCommits = new Set<string>();
  private readonly fileCache = new Map<string, string | undefined>();
  private readonly listingCache = new Map<string, { atMs: number; refs: Map<string, string> }>();
  private readonly inFlightListings = new Map<string, Promise<Map<string, string>>>();

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
      // One `git ls-remote` answers branches, tags and HEAD; the cache fetches only when the commit is new to it.
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
    return this.withLock(repoURL, async () => {
      const directory = await this.repositoryDirectory(repoURL);
      if (!(await this.hasCommit(directory, wanted))) await this.fetch(repoURL, access);
      const result = await runGit(['rev-parse', '--verify', '--quiet', `${wanted}^{commit}`], {
        cwd: directory,
        allowFailure: true,
      });
      if (result.code === 0 && result.stdout.trim()) return result.stdout.trim();
      throw rpcError(GrpcCode.Unknown, `unable to resolve '${wanted}' to a commit SHA`);
    });
  }

  private listRemote(repoURL: string, access: GitAccess, maxAgeMs: number): Promise<Map<string, string>> {
    const key = `${repoURL}\u0000${access.username ?? ''}`;
    const cached = this.listingCache.get(key);
    if (cached && maxAgeMs > 0 && this.options.clock() - cached.atMs <= maxAgeMs)
      return Promise.resolve(cached.refs);
    let pending = this.inFlightListings.get(key);
    if (!pending) {
      pending = (async () => {
        const result = await runGit(['ls-remote', repoURL], {
          env: await this.gitEnvironment(access),
          allowFailure: true,
        });
        if (result.code !== 0) {
          const message = firstLine(result.stderr);
          const notFound = /not found|does not appear to be a git repository|does not exist/i.test(message);
          throw rpcError(
            notFound ? GrpcCode.NotFound : GrpcCode.Unknown,
            `failed to list refs of ${repoURL}: ${message}`,
          );
        }
        const refs = new Map<string, string>();
        for (const line of result.stdout.split('\n')) {
          const [sha, name] = line.split('\t');
          if (sha && name) refs.set(name, sha);
        }
        this.listingCache.set(key, { atMs: this.options.clock(), refs });
        return refs;
      })().finally(() => this.inFlightListings.delete(key));
      this.inFlightListings.set(key, pending);
    }
    return pending;
  }

  private async hasCommit(directory: string, revision: string): Promise<boolean> {
    if (!this.initialized.has(directory)) {
      await mkdir(directory, { recursive: true });
      await runGit(['init', '--bare', '--quiet'], { cwd: directory });
      this.initialized.add(directory);
    }
    // Commits never leave the cache, so one positive answer per SHA is enough (saves a git spawn per resolve).
    const key = `${directory}\u0000${revision}`;
    if (FULL_SHA.test(revision) && this.knownCommits.has(key)) return true;
    const result = await runGit(['cat-file', '-e', `${revision}^{commit}`], {
      cwd: directory,
      allowFailure: true,
    });
    if (result.code === 0 && FULL_SHA.test(revision)) this.knownCommits.add(key);
    return result.code === 0;
  }

  private ensureCommit(repoURL: string, sha: string, access: GitAccess): Promise<void> {
    return this.withLock(repoURL, async () => {
      const directory = await this.repositoryDirectory(repoURL);
      if (await this.hasCommit(directory, sha)) return;
      await this.fetch(repoURL, access);
      if (!(await this.hasCommit(directory, sha)))
        throw rpcError(GrpcCode.Unknown, `unable to resolve '${sha}' to a commit SHA`);
    });
  }

  /** Reads a file at a commit; `undefined` when the file does not exist there. */
  async readFile(repoURL: string, sha: string, path: string): Promise<string | undefined> {
    const seeded = this.virtual.get(repoURL);
    if (seeded) return seeded.commits.get(sha)?.files[normalisePath(path)];
    const directory = await this.repositoryDirectory(repoURL);
    // A file at a commit never changes: keep what was read (bounded) instead of spawning git again.
    const key = FULL_SHA.test(sha) ? `${directory}\u0000${sha}\u0000${normalisePath(path)}` : undefined;
    if (key && this.fileCache.has(key)) return this.fileCache.get(key);
    const result = await runGit(['show', `${sha}:${normalisePath(path)}`], {
      cwd: directory,
      allowFailure: true,
    });
    const text = result.code === 0 ? result.stdout : undefined;
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
    const directory = await this.repositoryDirectory(repoURL);
    const log = await runGit(['log', '-1', '--format=%an <%ae>%x00%aI%x00%B', sha], {
      cwd: directory,
      allowFailure: true,
    });
    if (log.code !== 0) throw rpcError(GrpcCode.NotFound, `revision ${sha} not found`);
    const [author = '', date = '', message = ''] = log.stdout.split('\u0000');
    const tags = await runGit(['tag', '--points-at', sha], { cwd: directory, allowFailure: true });
    return {
      author,
      date: new Date(date).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      message: message.trim(),
      tags: tags.stdout.split('\n').filter(Boolean),
    };
  }

  /** Checks that the repository answers (`git ls-remote`), as repository create/validate do. */
  async testAccess(repoURL: string, access: GitAccess = {}): Promise<void> {
    if (this.virtual.has(repoURL)) return;
    const result = await runGit(['ls-remote', '--heads', repoURL], {
      env: await this.gitEnvironment(access),
      allowFailure: true,
    });
    if (result.code !== 0) {
      throw rpcError(GrpcCode.Unknown, `error testing repository connectivity: ${firstLine(result.stderr)}`);
    }
  }

  async close(): Promise<void> {
    if (this.cacheRoot) await rm(this.cacheRoot, { recursive: true, force: true });
    this.cacheRoot = undefined;
  }

  private async repositoryDirectory(repoURL: string): Promise<string> {
    if (!this.cacheRoot) this.cacheRoot = await mkdtemp(join(tmpdir(), 'argocd-emulator-git-'));
    return join(this.cacheRoot, createHash('sha1').update(repoURL).digest('hex'));
  }

  private async fetch(repoURL: string, access: GitAccess): Promise<string> {
    const directory = await this.repositoryDirectory(repoURL);
    const env = await this.gitEnvironment(access);
    const refspecs = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*', '+HEAD:refs/remote-head'];
    const result = await runGit(
      ['fetch', '--quiet', '--force', '--prune', '--no-tags', repoURL, ...refspecs],
      { cwd: directory, env, allowFailure: true },
    );
    if (result.code !== 0) {
      const message = firstLine(result.stderr);
      const notFound = /not found|does not appear to be a git repository|does not exist/i.test(message);
      throw rpcError(
        notFound ? GrpcCode.NotFound : GrpcCode.Unknown,
        `failed to fetch ${repoURL}: ${message}`,
      );
    }
    return directory;
  }

  private async gitEnvironment(access: GitAccess): Promise<Record<string, string>> {
    const config: Array<[string, string]> = [];
    if (access.username !== undefined || access.password !== undefined) {
      const basic = Buffer.from(`${access.username ?? ''}:${access.password ?? ''}`).toString('base64');
      config.push(['http.extraHeader', `Authorization: Basic ${basic}`]);
    }
    if (access.insecure) config.push(['http.sslVerify', 'false']);
    else if (this.options.caCertificate) {
      if (!this.caFile) {
        this.caFile = join(await this.repositoryDirectory('ca'), '..', 'ca.pem');
        await writeFile(this.caFile, this.options.caCertificate);
      }
      config.push(['http.sslCAInfo', this.caFile]);
    }
    // Secrets go through GIT_CONFIG_* variables, never argv (visible in `ps`).
    const env: Record<string, string> = { GIT_CONFIG_COUNT: String(config.length) };
    config.forEach(([key, value], index) => {
      env[`GIT_CONFIG_KEY_${index}`] = key;
      env[`GIT_CONFIG_VALUE_${index}`] = value;
    });
    return env;
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

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? 'unknown git error';
}

function runGit(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; allowFailure?: boolean },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: 32 * 1024 * 1024,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          ...options.env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (code !== 0 && !options.allowFailure) {
          reject(rpcError(GrpcCode.Unknown, `git ${args[0]} failed: ${firstLine(stderr)}`));
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}
