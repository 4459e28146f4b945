import type { ChildProcess } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  faultMatches,
  type GitFault,
  type GitFaultMatch,
  type GitRequestInfo,
  type GitRequestPhase,
  type GitServiceName,
  type InstalledGitFault,
} from './fault-hooks.js';
import { gitBaseEnvironment, runGit } from './git-process.js';
import { classifyGitRequest, locateHttpBackend, runHttpBackend } from './http-backend.js';
import {
  assertRepoPath,
  buildFastImportStream,
  type GitIdentity,
  type RepoFileChanges,
  type RepoFiles,
  readDirectoryAsRepoFiles,
  spreadFilesOverCommits,
} from './repo-content.js';
import { advertisementWithoutShallow } from './without-shallow.js';

/** Options for {@link GitServer.start}. */
export interface GitServerOptions {
  /** Require HTTP Basic credentials on every request (401 with `WWW-Authenticate` otherwise). */
  auth?: { username: string; password: string };
  /** Advertise and serve partial clone filters (`uploadpack.allowFilter`); default true. */
  allowFilter?: boolean;
  /**
   * Let clients ask for any object by id (`uploadpack.allowAnySHA1InWant`), as a partial clone does to fetch a
   * missing blob; default: the value of `allowFilter`.
   */
  allowAnyObjectInWant?: boolean;
  /**
   * Advertise shallow fetch (`shallow`, v2 `fetch=shallow`); default true. false emulates a server without it:
   * the capability is removed from the upload-pack advertisement.
   */
  allowShallow?: boolean;
  /**
   * Serve `git-receive-pack` (pushes); default true. false sets `http.receivepack=false`, so http-backend answers
   * pushes and their advertisement with HTTP 403 while fetches work: what a read-only credential meets (a GitLab
   * deploy token with read_repository, a read-only mirror).
   */
  allowPush?: boolean;
  /** Pass the `Git-Protocol` header to git so clients can speak protocol v2; default true. */
  protocolV2?: boolean;
  /** The git executable; default `git` from `PATH`. */
  gitBinary?: string;
  /** Kill a git process serving one request after this long; default 60 000. */
  requestTimeoutMs?: number;
}

/** Options for {@link GitServer.createRepo}. */
export interface CreateRepoOptions {
  /** The branch to create and point `HEAD` at; default `main`. */
  branch?: string;
  /** Spread the files over this many commits (each adds the next slice; extra commits are empty); default 1. */
  commits?: number;
  /** Commit message (numbered when there are several commits); default `initial commit`. */
  message?: string;
}

/** A repository the server holds. */
export interface CreatedRepo {
  name: string;
  url: string;
  branch: string;
  head: string;
}

/** One commit as `log` reports it. */
export interface GitLogEntry {
  commit: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  committedAtSeconds: number;
  /** The full message, without the trailing newline git adds. */
  message: string;
}

/** One request the server handled. */
export interface GitRequestRecord {
  method: string;
  path: string;
  repo: string | undefined;
  service: GitServiceName | undefined;
  phase: GitRequestPhase | undefined;
  /** The status sent, or -1 when the connection was dropped. */
  status: number;
  /** The `Git-Protocol` header the client sent (e.g. `version=2`), if any. */
  gitProtocol: string | undefined;
  /** The request's `Content-Encoding` (the git CLI gzips large bodies), if any. */
  contentEncoding: string | undefined;
  authenticated: boolean;
  durationMs: number;
}

const NAME_PATTERN = /^(?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const BRANCH_PATTERN = /^(?!.*\.\.)(?!.*\/\/)(?!\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]+$/;

interface ActiveFault {
  fault: GitFault;
  hits: number;
  removed: boolean;
}

function assertRepoName(name: string): void {
  if (!NAME_PATTERN.test(name) || name.split('/').some((segment) => segment.startsWith('.'))) {
    throw new TypeError(`GitServer: invalid repository name ${JSON.stringify(name)}`);
  }
}

function assertBranch(branch: string): void {
  if (!BRANCH_PATTERN.test(branch))
    throw new TypeError(`GitServer: invalid branch ${JSON.stringify(branch)}`);
}

function safeEqual(left: string, right: string): boolean {
  const a = Buffer.from(left);
  const b = Buffer.from(right);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A real git server for tests: an HTTP server on 127.0.0.1 (a free port) that runs git's own `git http-backend`
 * as CGI over bare repositories in a temporary directory. Works with the git CLI and isomorphic-git, serves
 * protocol v2 and partial-clone filters, accepts pushes, enforces Basic auth when configured, and lets a test
 * inject faults per request (delays, error statuses, a dropped connection after a push was applied, a commit
 * that lands just before a push to create a real race).
 *
 * @example
 * ```ts
 * const server = await GitServer.start({ auth: { username: 'bot', password: 's3cret' } });
 * const repo = await server.createRepo('deploy', { 'helm/values.yaml': 'image:\n  tag: v1\n' });
 * // …clone repo.url, push…
 * expect(await server.readFile('deploy', 'main', 'helm/values.yaml')).toContain('v2');
 * await server.stop();
 * ```
 */
export class GitServer {
  /** The server's base URL, e.g. `http://127.0.0.1:43817` (repositories are at `${url}/<name>.git`). */
  readonly url: string;
  /** The directory holding the bare repositories (`<name>.git`). */
  readonly rootDirectory: string;

  readonly #server: Server;
  readonly #options: GitServerOptions;
  readonly #environment: NodeJS.ProcessEnv;
  readonly #faults: ActiveFault[] = [];
  readonly #records: GitRequestRecord[] = [];
  readonly #children = new Set<ChildProcess>();
  #stopped = false;
  #httpBackend: Promise<readonly [string, ...string[]]> | undefined;

  private constructor(server: Server, url: string, rootDirectory: string, options: GitServerOptions) {
    this.#server = server;
    this.url = url;
    this.rootDirectory = rootDirectory;
    this.#options = options;
    this.#environment = gitBaseEnvironment(rootDirectory);
  }

  /**
   * Starts a server on 127.0.0.1 with a free port and an empty temporary directory.
   *
   * @throws Error when the port cannot be bound or the temporary directory cannot be created.
   * @example
   * ```ts
   * const server = await GitServer.start({ allowFilter: false });
   * ```
   */
  static async start(options: GitServerOptions = {}): Promise<GitServer> {
    const rootDirectory = await mkdtemp(join(tmpdir(), 'gitops-kit-git-server-'));
    let instance: GitServer | undefined;
    const server = createServer((request, response) => {
      if (instance === undefined) {
        response.writeHead(503).end();
        return;
      }
      instance.#handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    instance = new GitServer(server, `http://127.0.0.1:${port}`, rootDirectory, options);
    return instance;
  }

  /** The clone URL of a repository: `${url}/<name>.git`. */
  repoUrl(name: string): string {
    assertRepoName(name);
    return `${this.url}/${name}.git`;
  }

  /** The bare repository's directory on disk. */
  repoDirectory(name: string): string {
    assertRepoName(name);
    return join(this.rootDirectory, `${name}.git`);
  }

  /**
   * Creates a bare repository with `files` (or the contents of `fromDir`, without its `.git`) committed on
   * `branch`. Uses `git fast-import`, so hundreds of files and commits take well under a second.
   *
   * @throws TypeError for an invalid name, branch or file path; Error when the repository already exists.
   * @example
   * ```ts
   * await server.createRepo('deploy', { 'values.yaml': 'tag: v1\n' }, { commits: 200 });
   * await server.createRepo('copy', { fromDir: './fixtures/deploy' });
   * ```
   */
  async createRepo(
    name: string,
    files: RepoFiles | { fromDir: string },
    options: CreateRepoOptions = {},
  ): Promise<CreatedRepo> {
    assertRepoName(name);
    const branch = options.branch ?? 'main';
    assertBranch(branch);
    const directory = this.repoDirectory(name);
    await runGit(['init', '--quiet', '--bare', `--initial-branch=${branch}`, directory], this.#gitOptions());
    const contents =
      'fromDir' in files && typeof files.fromDir === 'string'
        ? await readDirectoryAsRepoFiles(files.fromDir)
        : (files as RepoFiles);
    const commits = spreadFilesOverCommits(
      contents,
      options.commits ?? 1,
      options.message ?? 'initial commit',
    );
    await this.#fastImport(name, branch, undefined, commits);
    return { name, url: this.repoUrl(name), branch, head: (await this.headOf(name, branch)) as string };
  }

  /**
   * Commits `changes` (path → content, or `null` to delete) directly in the bare repository on top of `branch`
   * (created from `from` or as a root commit when missing). Safe to call from a `beforeReceivePack` hook.
   *
   * @returns the new commit id.
   * @throws Error when the branch moved in between (fast-import refuses non-fast-forward updates).
   * @example
   * ```ts
   * const id = await server.commit('deploy', 'main', { 'values.yaml': 'tag: v9\n' }, { message: 'racer' });
   * ```
   */
  async commit(
    repo: string,
    branch: string,
    changes: RepoFileChanges,
    options: { message?: string; author?: GitIdentity; from?: string } = {},
  ): Promise<string> {
    assertRepoName(repo);
    assertBranch(branch);
    const parent = (await this.headOf(repo, branch)) ?? options.from;
    await this.#fastImport(repo, branch, parent, [
      {
        message: options.message ?? 'server-side commit',
        changes,
        ...(options.author === undefined ? {} : { author: options.author }),
      },
    ]);
    return (await this.headOf(repo, branch)) as string;
  }

  /** The commit a branch points at, or undefined when the branch does not exist. */
  async headOf(repo: string, branch: string): Promise<string | undefined> {
    const result = await runGit(
      [
        '--git-dir',
        this.repoDirectory(repo),
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/heads/${branch}^{commit}`,
      ],
      { ...this.#gitOptions(), allowedExitCodes: [0, 1] },
    );
    const id = result.stdout.toString('utf8').trim();
    return result.exitCode === 0 && id !== '' ? id : undefined;
  }

  /** Branch names and the commits they point at. */
  async branches(repo: string): Promise<Record<string, string>> {
    const result = await runGit(
      [
        '--git-dir',
        this.repoDirectory(repo),
        'for-each-ref',
        '--format=%(refname:strip=2) %(objectname)',
        'refs/heads',
      ],
      this.#gitOptions(),
    );
    const branches: Record<string, string> = {};
    for (const line of result.stdout.toString('utf8').split('\n')) {
      const [branch, id] = line.split(' ');
      if (branch && id) branches[branch] = id;
    }
    return branches;
  }

  /**
   * Reads a file at `ref` (branch, tag or commit id) as UTF-8.
   *
   * @throws Error when the ref or the path does not exist.
   */
  async readFile(repo: string, ref: string, path: string): Promise<string> {
    return (await this.readFileBytes(repo, ref, path)).toString('utf8');
  }

  /** Reads a file at `ref` as bytes. @throws Error when the ref or the path does not exist. */
  async readFileBytes(repo: string, ref: string, path: string): Promise<Buffer> {
    assertRepoPath(path);
    const result = await runGit(
      ['--git-dir', this.repoDirectory(repo), 'cat-file', 'blob', `${ref}:${path}`],
      this.#gitOptions(),
    );
    return result.stdout;
  }

  /** Every file path in the tree at `ref`, sorted. */
  async listFiles(repo: string, ref: string): Promise<string[]> {
    const result = await runGit(
      ['--git-dir', this.repoDirectory(repo), 'ls-tree', '-r', '-z', '--name-only', ref],
      this.#gitOptions(),
    );
    return result.stdout.toString('utf8').split('\0').filter(Boolean).sort();
  }

  /** The history reachable from `ref`, newest first (first-parent order is not enforced). */
  async log(repo: string, ref: string, options: { maxCount?: number } = {}): Promise<GitLogEntry[]> {
    const args = [
      '--git-dir',
      this.repoDirectory(repo),
      'log',
      '-z',
      '--format=%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%ct%x00%B',
    ];
    if (options.maxCount !== undefined) args.push(`--max-count=${options.maxCount}`);
    args.push(ref, '--');
    const fields = (await runGit(args, this.#gitOptions())).stdout.toString('utf8').split('\0');
    const entries: GitLogEntry[] = [];
    for (let index = 0; index + 7 < fields.length; index += 8) {
      const [commit, parents, authorName, authorEmail, committerName, committerEmail, time, message] =
        fields.slice(index, index + 8) as [string, string, string, string, string, string, string, string];
      entries.push({
        commit: commit.replace(/^\n/, ''),
        parents: parents.split(' ').filter(Boolean),
        author: { name: authorName, email: authorEmail },
        committer: { name: committerName, email: committerEmail },
        committedAtSeconds: Number(time),
        message: message.replace(/\n$/, ''),
      });
    }
    return entries;
  }

  /**
   * Installs a fault for matching requests until `times` is used up or `remove()` is called.
   *
   * @example
   * ```ts
   * server.inject({ service: 'git-receive-pack', phase: 'rpc', times: 1, dropConnectionAfterResponseStarts: true });
   * server.inject({ service: 'git-receive-pack', phase: 'rpc', times: 1,
   *   beforeReceivePack: ({ repo }) => server.commit(repo, 'main', { 'a.txt': 'racer\n' }).then(() => {}) });
   * ```
   */
  inject(fault: GitFault): InstalledGitFault {
    const active: ActiveFault = { fault, hits: 0, removed: false };
    this.#faults.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        active.removed = true;
      },
    };
  }

  /** Removes every installed fault. */
  clearFaults(): void {
    for (const active of this.#faults) active.removed = true;
    this.#faults.length = 0;
  }

  /** Every request handled so far, oldest first. */
  get requests(): readonly GitRequestRecord[] {
    return this.#records;
  }

  /** How many handled requests match (e.g. `{ service: 'git-receive-pack', phase: 'rpc' }` counts pushes). */
  countRequests(match: GitFaultMatch = {}): number {
    return this.#records.filter((record) => faultMatches(match, { ...record, headers: {} })).length;
  }

  /** Forgets the request records. */
  resetRequests(): void {
    this.#records.length = 0;
  }

  /** Stops listening, kills running git processes and deletes every repository. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.clearFaults();
    for (const child of this.#children) child.kill('SIGKILL');
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    await rm(this.rootDirectory, { recursive: true, force: true, maxRetries: 3 });
  }

  #httpBackendCommand(): Promise<readonly [string, ...string[]]> {
    this.#httpBackend ??= locateHttpBackend(this.#options.gitBinary ?? 'git');
    return this.#httpBackend;
  }

  #gitOptions(): { env: NodeJS.ProcessEnv; gitBinary: string } {
    return { env: this.#environment, gitBinary: this.#options.gitBinary ?? 'git' };
  }

  async #fastImport(
    repo: string,
    branch: string,
    parent: string | undefined,
    commits: Parameters<typeof buildFastImportStream>[0]['commits'],
  ): Promise<void> {
    const stream = buildFastImportStream({ ref: `refs/heads/${branch}`, parent, commits });
    await runGit(['--git-dir', this.repoDirectory(repo), 'fast-import', '--quiet', '--done'], {
      ...this.#gitOptions(),
      input: stream,
    });
  }

  #takeFaults(info: GitRequestInfo): GitFault[] {
    const taken: GitFault[] = [];
    for (const active of this.#faults) {
      if (active.removed || !faultMatches(active.fault, info)) continue;
      if (active.fault.times !== undefined && active.hits >= active.fault.times) continue;
      active.hits += 1;
      taken.push(active.fault);
    }
    return taken;
  }

  #authenticate(request: IncomingMessage): string | undefined | false {
    const auth = this.#options.auth;
    if (auth === undefined) return undefined;
    const header = request.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match?.[1]) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    return safeEqual(username, auth.username) && safeEqual(password, auth.password) ? username : false;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const info = classifyGitRequest(request.method ?? 'GET', url.pathname, url.searchParams, request.headers);
    const header = (name: string): string | undefined => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    const record: GitRequestRecord = {
      method: info.method,
      path: info.path,
      repo: info.repo,
      service: info.service,
      phase: info.phase,
      status: 0,
      gitProtocol: header('git-protocol'),
      contentEncoding: header('content-encoding'),
      authenticated: false,
      durationMs: 0,
    };
    this.#records.push(record);
    const finish = (status: number): void => {
      record.status = status;
      record.durationMs = performance.now() - startedAt;
    };
    const reply = (status: number, body: string, headers: Record<string, string> = {}): void => {
      // Drain the request so the client is not stuck writing into a closed pipe.
      request.resume();
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
      response.end(body);
      finish(status);
    };

    const faults = this.#takeFaults(info);
    for (const fault of faults) {
      if (fault.delayMs !== undefined && fault.delayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      }
    }
    if (request.socket.destroyed) {
      // The client gave up during the delay; do not act on a request nobody waits for.
      finish(-1);
      return;
    }
    const statusFault = faults.find((fault) => fault.respondWithStatus !== undefined);
    if (statusFault?.respondWithStatus !== undefined) {
      reply(
        statusFault.respondWithStatus,
        statusFault.responseBody ?? `injected status ${statusFault.respondWithStatus}\n`,
      );
      return;
    }

    const user = this.#authenticate(request);
    if (user === false) {
      reply(401, 'authentication required\n', {
        'www-authenticate': 'Basic realm="GitServer", charset="UTF-8"',
      });
      return;
    }
    record.authenticated = user !== undefined;
    if (info.repo === undefined || info.service === undefined) {
      reply(404, 'not found\n');
      return;
    }

    if (info.service === 'git-receive-pack' && info.phase === 'rpc') {
      for (const fault of faults) {
        if (fault.beforeReceivePack !== undefined)
          await fault.beforeReceivePack({ repo: info.repo, request: info });
      }
    }

    const allowFilter = this.#options.allowFilter ?? true;
    const result = await runHttpBackend(request, response, url, {
      projectRoot: this.rootDirectory,
      baseEnvironment: this.#environment,
      config: [
        ['http.receivepack', String(this.#options.allowPush ?? true)],
        ['uploadpack.allowFilter', String(allowFilter)],
        // Lets a partial clone fetch the one blob it needs by id.
        ['uploadpack.allowAnySHA1InWant', String(this.#options.allowAnyObjectInWant ?? allowFilter)],
        // No `git gc --auto` after every push: the repositories live as long as the test.
        ['receive.autogc', 'false'],
      ],
      passGitProtocol: this.#options.protocolV2 ?? true,
      remoteUser: user,
      command: await this.#httpBackendCommand(),
      timeoutMs: this.#options.requestTimeoutMs ?? 60_000,
      dropConnectionAfterResponseStarts: faults.some(
        (fault) => fault.dropConnectionAfterResponseStarts === true,
      ),
      ...(this.#options.allowShallow === false &&
      info.service === 'git-upload-pack' &&
      info.phase === 'advertisement'
        ? { rewriteBody: advertisementWithoutShallow }
        : {}),
      delayResponseMs: Math.max(0, ...faults.map((fault) => fault.delayResponseMs ?? 0)),
      onChild: (child) => {
        this.#children.add(child);
        return () => this.#children.delete(child);
      },
    });
    finish(result.status);
  }
}
