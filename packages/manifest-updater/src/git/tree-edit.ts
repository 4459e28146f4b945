import { FileNotFoundInRepoError, PathOutsideRepoError } from './errors.js';
import { modeKind, parseCommit, parseTree, serializeTree } from './git-objects.js';
import type { ObjectStore } from './object-store.js';

/** A file found in a tree: its blob id and mode. */
export interface TreeFile {
  oid: string;
  mode: string;
}

/**
 * Finds `segments` in the tree of `commitOid`, reading only the trees on the way (never the whole tree).
 * Returns undefined when the path does not exist.
 *
 * @throws PathOutsideRepoError when the path goes through, or ends at, a symbolic link or a submodule.
 */
export async function findFile(
  store: ObjectStore,
  commitOid: string,
  file: string,
  segments: readonly string[],
): Promise<TreeFile | undefined> {
  const commit = parseCommit((await store.get(commitOid, 'commit')).data);
  let treeOid = commit.tree;
  for (let index = 0; index < segments.length; index += 1) {
    const entries = parseTree((await store.get(treeOid, 'tree')).data);
    const entry = entries.find((candidate) => candidate.name === segments[index]);
    if (entry === undefined) return undefined;
    const last = index === segments.length - 1;
    const kind = modeKind(entry.mode);
    if (kind === 'symlink') {
      throw new PathOutsideRepoError(
        `file ${JSON.stringify(file)} ${last ? 'is' : 'goes through'} a symbolic link; write-back never follows links`,
        { file },
      );
    }
    if (kind === 'submodule') {
      throw new PathOutsideRepoError(
        `file ${JSON.stringify(file)} is inside a submodule, another repository`,
        { file },
      );
    }
    if (last) return kind === 'tree' ? undefined : { oid: entry.oid, mode: entry.mode };
    if (kind !== 'tree') return undefined;
    treeOid = entry.oid;
  }
  return undefined;
}

/** The error for a file the change needs that is not in the tree. */
export function fileNotFound(file: string, branch: string): FileNotFoundInRepoError {
  return new FileNotFoundInRepoError(`file ${JSON.stringify(file)} does not exist on branch ${branch}`, {
    file,
  });
}

interface PendingWrite {
  segments: readonly string[];
  blobOid: string;
}

async function rewriteTree(
  store: ObjectStore,
  treeOid: string,
  writes: readonly PendingWrite[],
): Promise<string> {
  const entries = parseTree((await store.get(treeOid, 'tree')).data);
  const byName = new Map<string, PendingWrite[]>();
  for (const write of writes) {
    const name = write.segments[0] as string;
    byName.set(name, [...(byName.get(name) ?? []), write]);
  }
  const updated = await Promise.all(
    entries.map(async (entry) => {
      const pending = byName.get(entry.name);
      if (pending === undefined) return entry;
      const here = pending.find((write) => write.segments.length === 1);
      if (here !== undefined) return { ...entry, oid: here.blobOid };
      const deeper = pending.map((write) => ({ ...write, segments: write.segments.slice(1) }));
      return { ...entry, oid: await rewriteTree(store, entry.oid, deeper) };
    }),
  );
  return store.put('tree', serializeTree(updated));
}

/**
 * Builds a new root tree from the tree of `commitOid` with existing files replaced by new blobs. Only the trees
 * on the changed paths are rewritten; everything else is shared with the parent commit.
 */
export async function replaceFiles(
  store: ObjectStore,
  commitOid: string,
  writes: ReadonlyArray<{ segments: readonly string[]; content: Buffer }>,
): Promise<string> {
  const commit = parseCommit((await store.get(commitOid, 'commit')).data);
  const pending = writes.map((write) => ({
    segments: write.segments,
    blobOid: store.put('blob', write.content),
  }));
  return rewriteTree(store, commit.tree, pending);
}
