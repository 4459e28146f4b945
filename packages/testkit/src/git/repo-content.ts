import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';

/** A symbolic link stored in the repository (mode 120000); `symlinkTo` is the link target, unresolved. */
export interface SymlinkEntry {
  symlinkTo: string;
}

/** A file with an explicit executable bit (mode 100755). */
export interface ExecutableEntry {
  content: string | Uint8Array;
  executable: true;
}

/** What a path in a repository holds: text (UTF-8), bytes, a symbolic link or an executable file. */
export type RepoFileContent = string | Uint8Array | SymlinkEntry | ExecutableEntry;

/** Files keyed by repository-relative POSIX path (`helm/values.yaml`). */
export type RepoFiles = Readonly<Record<string, RepoFileContent>>;

/** Files to write (`RepoFileContent`) or delete (`null`) in one commit. */
export type RepoFileChanges = Readonly<Record<string, RepoFileContent | null>>;

/** A commit author or committer. */
export interface GitIdentity {
  name: string;
  email: string;
}

/** The identity the server uses for commits it makes itself (createRepo, commit, hooks). */
export const DEFAULT_SERVER_IDENTITY: GitIdentity = Object.freeze({
  name: 'GitServer',
  email: 'git-server@testkit.invalid',
});

/** One commit for {@link buildFastImportStream}. */
export interface FastImportCommit {
  message: string;
  changes: RepoFileChanges;
  author?: GitIdentity;
}

interface NormalisedEntry {
  mode: '100644' | '100755' | '120000';
  bytes: Buffer;
}

/** Checks a repository path the server is asked to write: relative, POSIX, no `.`/`..`/`.git` segments. */
export function assertRepoPath(path: string): void {
  const segments = path.split('/');
  if (
    path.length === 0 ||
    path.includes('\0') ||
    path.includes('\\') ||
    path.startsWith('/') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment === '.git')
  ) {
    throw new TypeError(`GitServer: invalid repository path ${JSON.stringify(path)}`);
  }
}

function normaliseEntry(content: RepoFileContent): NormalisedEntry {
  if (typeof content === 'string') return { mode: '100644', bytes: Buffer.from(content, 'utf8') };
  if (content instanceof Uint8Array) return { mode: '100644', bytes: Buffer.from(content) };
  if ('symlinkTo' in content) return { mode: '120000', bytes: Buffer.from(content.symlinkTo, 'utf8') };
  const bytes = typeof content.content === 'string' ? Buffer.from(content.content, 'utf8') : content.content;
  return { mode: '100755', bytes: Buffer.from(bytes) };
}

/** Quotes a path the way fast-import reads C-style quoted paths, so any byte but NUL is allowed. */
function quotePath(path: string): string {
  let quoted = '"';
  for (const character of path) {
    if (character === '"' || character === '\\') quoted += `\\${character}`;
    else if (character === '\n') quoted += '\\n';
    else if (character < ' ') quoted += `\\${character.charCodeAt(0).toString(8).padStart(3, '0')}`;
    else quoted += character;
  }
  return `${quoted}"`;
}

function dataCommand(bytes: Buffer): Buffer[] {
  return [Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n')];
}

/**
 * Builds a `git fast-import` stream that writes `commits` on top of `parent` (a commit id, or none for a new
 * branch) and moves `ref`. One process writes any number of blobs and commits, which makes large fixture repos
 * (hundreds of files, hundreds of commits) take well under a second.
 */
export function buildFastImportStream(input: {
  ref: string;
  parent: string | undefined;
  commits: readonly FastImportCommit[];
  committer?: GitIdentity;
  nowSeconds?: number;
}): Buffer {
  const parts: Buffer[] = [];
  let mark = 0;
  const committer = input.committer ?? DEFAULT_SERVER_IDENTITY;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  input.commits.forEach((commit, index) => {
    const modifications: string[] = [];
    for (const [path, content] of Object.entries(commit.changes)) {
      assertRepoPath(path);
      if (content === null) {
        modifications.push(`D ${quotePath(path)}\n`);
        continue;
      }
      const entry = normaliseEntry(content);
      mark += 1;
      parts.push(Buffer.from(`blob\nmark :${mark}\n`), ...dataCommand(entry.bytes));
      modifications.push(`M ${entry.mode} :${mark} ${quotePath(path)}\n`);
    }
    const author = commit.author ?? committer;
    // Earlier commits get earlier timestamps so `git log` order matches creation order.
    const timestamp = now - (input.commits.length - 1 - index);
    parts.push(
      Buffer.from(
        `commit ${input.ref}\n` +
          `author ${author.name} <${author.email}> ${timestamp} +0000\n` +
          `committer ${committer.name} <${committer.email}> ${timestamp} +0000\n`,
      ),
      ...dataCommand(Buffer.from(commit.message, 'utf8')),
    );
    if (index === 0 && input.parent !== undefined) parts.push(Buffer.from(`from ${input.parent}\n`));
    parts.push(Buffer.from(modifications.join('')), Buffer.from('\n'));
  });
  parts.push(Buffer.from('done\n'));
  return Buffer.concat(parts);
}

/**
 * Spreads `files` over `commitCount` commits: each commit adds the next slice of files (so history looks like a
 * repository that grew over time) and the last commit's tree holds all of them. Commits beyond the number of
 * files are empty commits, which git allows.
 */
export function spreadFilesOverCommits(
  files: RepoFiles,
  commitCount: number,
  message: string,
): FastImportCommit[] {
  const entries = Object.entries(files);
  const count = Math.max(1, Math.floor(commitCount));
  const commits: FastImportCommit[] = [];
  for (let index = 0; index < count; index += 1) {
    const start = Math.floor((entries.length * index) / count);
    const end = Math.floor((entries.length * (index + 1)) / count);
    const changes: Record<string, RepoFileContent> = {};
    for (const [path, content] of entries.slice(start, end)) changes[path] = content;
    commits.push({
      message: count === 1 ? message : `${message} (${index + 1}/${count})`,
      changes,
    });
  }
  return commits;
}

/** Reads a directory tree (skipping `.git`) into {@link RepoFiles}, keeping symbolic links and executable bits. */
export async function readDirectoryAsRepoFiles(directory: string): Promise<Record<string, RepoFileContent>> {
  const files: Record<string, RepoFileContent> = {};
  async function walk(absolute: string, relative: string): Promise<void> {
    const names = (await readdir(absolute)).sort();
    for (const name of names) {
      if (name === '.git') continue;
      const childAbsolute = join(absolute, name);
      const childRelative = relative === '' ? name : posix.join(relative, name);
      const stats = await lstat(childAbsolute);
      if (stats.isSymbolicLink()) files[childRelative] = { symlinkTo: await readlink(childAbsolute) };
      else if (stats.isDirectory()) await walk(childAbsolute, childRelative);
      else if (stats.isFile()) {
        const content = await readFile(childAbsolute);
        files[childRelative] = (stats.mode & 0o100) !== 0 ? { content, executable: true } : content;
      }
    }
  }
  await walk(directory, '');
  return files;
}
