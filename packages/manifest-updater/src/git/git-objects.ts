import { createHash } from 'node:crypto';
import { GitProtocolError } from './errors.js';

/** The four git object types. */
export type GitObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** One object: its type and its content (without the `type size\0` header). */
export interface GitObject {
  type: GitObjectType;
  data: Buffer;
}

/** One entry of a tree object. `mode` is git's octal text (`100644`, `100755`, `120000`, `40000`, `160000`). */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: string;
}

export const TREE_MODE = '40000';
export const SYMLINK_MODE = '120000';
export const SUBMODULE_MODE = '160000';
export const FILE_MODE = '100644';

/**
 * What a tree entry is, by its mode read as git reads it: an octal number whose type bits decide (`canon_mode` in
 * git's cache.h), so a zero-padded `040000` or `0120000` that an old tool wrote (git fsck's `zeroPaddedFilemode`,
 * only a warning) is a directory or a symbolic link like `40000` and `120000`, never a regular file.
 */
export function modeKind(mode: string): 'tree' | 'symlink' | 'submodule' | 'file' {
  const type = Number.parseInt(mode, 8) & 0o170000;
  if (type === 0o040000) return 'tree';
  if (type === 0o120000) return 'symlink';
  if (type === 0o160000) return 'submodule';
  return 'file';
}

/** The SHA-1 object id of an object. */
export function hashObject(type: GitObjectType, data: Buffer): string {
  return createHash('sha1').update(`${type} ${data.length}\0`).update(data).digest('hex');
}

/**
 * Parses a tree object.
 *
 * @throws GitProtocolError when the tree is malformed (its bytes came from the server).
 */
export function parseTree(data: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const nul = data.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 21 > data.length)
      throw new GitProtocolError('the server sent a malformed tree object');
    entries.push({
      mode: data.toString('ascii', offset, space),
      name: data.toString('utf8', space + 1, nul),
      oid: data.toString('hex', nul + 1, nul + 21),
    });
    offset = nul + 21;
  }
  return entries;
}

/** Git sorts tree entries by name, comparing directories as if their name ended with `/`. */
function treeSortKey(entry: TreeEntry): Buffer {
  return Buffer.from(modeKind(entry.mode) === 'tree' ? `${entry.name}/` : entry.name, 'utf8');
}

/** Serialises tree entries in git's canonical order. */
export function serializeTree(entries: readonly TreeEntry[]): Buffer {
  const sorted = [...entries].sort((left, right) => Buffer.compare(treeSortKey(left), treeSortKey(right)));
  const parts: Buffer[] = [];
  for (const entry of sorted) {
    parts.push(Buffer.from(`${entry.mode} ${entry.name}\0`, 'utf8'), Buffer.from(entry.oid, 'hex'));
  }
  return Buffer.concat(parts);
}

/** The headers of a commit that the write-back needs. */
export interface ParsedCommit {
  tree: string;
  parents: string[];
}

/** Reads `tree` and `parent` headers of a commit object. @throws GitProtocolError when there is no tree header. */
export function parseCommit(data: Buffer): ParsedCommit {
  const text = data.toString('utf8');
  const headerEnd = text.indexOf('\n\n');
  const headers = (headerEnd < 0 ? text : text.slice(0, headerEnd)).split('\n');
  let tree: string | undefined;
  const parents: string[] = [];
  for (const line of headers) {
    if (line.startsWith('tree ')) tree = line.slice(5).trim();
    else if (line.startsWith('parent ')) parents.push(line.slice(7).trim());
  }
  if (tree === undefined || !/^[0-9a-f]{40}$/.test(tree))
    throw new GitProtocolError('the server sent a malformed commit object');
  return { tree, parents };
}

/** A commit author or committer. */
export interface CommitIdentity {
  name: string;
  email: string;
}

function formatIdentity(identity: CommitIdentity, when: Date): string {
  // Angle brackets and newlines would corrupt the header; git itself strips them too.
  const clean = (value: string) => value.replace(/[<>\n\r\0]/g, '').trim();
  return `${clean(identity.name)} <${clean(identity.email)}> ${Math.floor(when.getTime() / 1000)} +0000`;
}

/** Serialises a commit object. */
export function serializeCommit(input: {
  tree: string;
  parents: readonly string[];
  author: CommitIdentity;
  committer: CommitIdentity;
  message: string;
  when: Date;
}): Buffer {
  const lines = [`tree ${input.tree}`, ...input.parents.map((parent) => `parent ${parent}`)];
  lines.push(`author ${formatIdentity(input.author, input.when)}`);
  lines.push(`committer ${formatIdentity(input.committer, input.when)}`);
  const message = input.message.endsWith('\n') ? input.message : `${input.message}\n`;
  return Buffer.from(`${lines.join('\n')}\n\n${message}`, 'utf8');
}
