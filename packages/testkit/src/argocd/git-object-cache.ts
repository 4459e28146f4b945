import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';

/** A commit's raw object. */
export interface CommitObject {
  oid: string;
  data: Buffer;
}

interface BatchAnswer {
  oid: string;
  type: string;
  data: Buffer;
}

interface PendingRead {
  resolve: (answer: BatchAnswer | undefined) => void;
  reject: (error: Error) => void;
}

const GIT_TIMEOUT_MS = 15_000;

/** Git's environment without the machine's system and global configuration, never prompting. */
function gitEnvironment(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
  };
}

/**
 * The emulator's object cache for one repository: a bare directory that fetched packs are added to
 * (`git index-pack --stdin`, one process per fetch) and read through one long-running `git cat-file --batch`, so
 * a read costs a pipe round trip, not a process. Packs added later are found too: git re-scans its packs when an
 * object is missing.
 */
export class GitObjectCache {
  #initialized: Promise<void> | undefined;
  #reader: ChildProcessWithoutNullStreams | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  readonly #queue: PendingRead[] = [];
  #closed = false;

  constructor(readonly gitdir: string) {}

  /** Adds a pack (as upload-pack sent it) and indexes it. */
  async addPack(pack: Buffer): Promise<void> {
    await this.#initialize();
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        'git',
        ['index-pack', '--stdin'],
        { cwd: this.gitdir, env: gitEnvironment(), timeout: GIT_TIMEOUT_MS },
        (error, _stdout, stderr) =>
          error
            ? reject(new Error(`git index-pack failed: ${stderr.trim().split('\n')[0] ?? ''}`))
            : resolve(),
      );
      child.stdin?.on('error', () => {});
      child.stdin?.end(pack);
    });
  }

  /** Whether the object is in the cache. */
  async has(oid: string): Promise<boolean> {
    return (await this.#read(oid)) !== undefined;
  }

  /** The commit a full or abbreviated SHA names (annotated tags are peeled), or undefined. */
  async commit(name: string): Promise<CommitObject | undefined> {
    if (!/^[0-9a-f]{4,40}$/.test(name)) return undefined;
    const answer = await this.#read(`${name}^{commit}`);
    return answer?.type === 'commit' ? { oid: answer.oid, data: answer.data } : undefined;
  }

  /** A file's content at a commit, or undefined when the path is not a file there. */
  async file(commit: string, path: string): Promise<string | undefined> {
    const answer = await this.#read(`${commit}:${path}`);
    return answer?.type === 'blob' ? answer.data.toString('utf8') : undefined;
  }

  close(): void {
    this.#closed = true;
    this.#reader?.kill();
    this.#reader = undefined;
    this.#fail(new Error('the object cache is closed'));
  }

  #initialize(): Promise<void> {
    this.#initialized ??= (async () => {
      await mkdir(this.gitdir, { recursive: true });
      await new Promise<void>((resolve, reject) =>
        execFile(
          'git',
          ['init', '--bare', '--quiet'],
          { cwd: this.gitdir, env: gitEnvironment() },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    })();
    return this.#initialized;
  }

  /** One `git cat-file --batch` question; undefined for `missing`/`ambiguous` (and names with a line break). */
  async #read(name: string): Promise<BatchAnswer | undefined> {
    await this.#initialize();
    if (this.#closed) throw new Error('the object cache is closed');
    if (/[\r\n]/.test(name)) return undefined;
    return new Promise((resolve, reject) => {
      const reader = this.#process();
      this.#queue.push({ resolve, reject });
      reader.stdin.write(`${name}\n`);
    });
  }

  #process(): ChildProcessWithoutNullStreams {
    if (this.#reader) return this.#reader;
    const child = spawn('git', ['cat-file', '--batch'], {
      cwd: this.gitdir,
      env: gitEnvironment(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#reader = child;
    this.#buffer = Buffer.alloc(0);
    child.stdout.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#drain();
    });
    child.stderr.resume();
    child.stdin.on('error', () => {});
    const gone = (reason: string) => {
      if (this.#reader !== child) return;
      this.#reader = undefined;
      this.#fail(new Error(`git cat-file --batch ${reason}`));
    };
    child.on('error', (error) => gone(`failed: ${error.message}`));
    child.on('close', (code) => gone(`exited (${code ?? 'signal'})`));
    return child;
  }

  #drain(): void {
    for (;;) {
      const pending = this.#queue[0];
      if (!pending) return;
      const lineEnd = this.#buffer.indexOf(0x0a);
      if (lineEnd === -1) return;
      const match = /^([0-9a-f]{40,64}) (commit|tree|blob|tag) (\d+)$/.exec(
        this.#buffer.toString('utf8', 0, lineEnd),
      );
      if (!match) {
        // `<name> missing` / `<name> ambiguous`: a header line only.
        this.#buffer = this.#buffer.subarray(lineEnd + 1);
        this.#queue.shift();
        pending.resolve(undefined);
        continue;
      }
      const size = Number(match[3]);
      const end = lineEnd + 1 + size + 1;
      if (this.#buffer.length < end) return;
      const data = Buffer.from(this.#buffer.subarray(lineEnd + 1, lineEnd + 1 + size));
      this.#buffer = this.#buffer.subarray(end);
      this.#queue.shift();
      pending.resolve({ oid: match[1] as string, type: match[2] as string, data });
    }
  }

  #fail(error: Error): void {
    for (const pending of this.#queue.splice(0)) pending.reject(error);
  }
}

/** Author, date and message of a raw commit object. */
export function parseCommit(data: Buffer): { author: string; date: string; message: string } {
  const text = data.toString('utf8');
  const split = text.indexOf('\n\n');
  const headers = split === -1 ? text : text.slice(0, split);
  const message = split === -1 ? '' : text.slice(split + 2);
  const authorLine = headers.split('\n').find((line) => line.startsWith('author ')) ?? '';
  const match = /^author (.*) (\d+) ([+-]\d{4})$/.exec(authorLine);
  const seconds = Number(match?.[2] ?? 0);
  return {
    author: match?.[1] ?? '',
    date: new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    message: message.trim(),
  };
}
