import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitObject, hashObject, parseCommit, parseTree } from './git-objects.js';
import { applyDelta, readPack, writePack } from './pack-file.js';

/**
 * Runs git; `input` goes to its stdin. Commands that do not read stdin (`init`, `index-pack FILE`, `verify-pack`)
 * get no stdin at all: writing to a process that exits without reading it fails with EPIPE, which surfaced as an
 * unhandled error and failed the run (issue 11, item 15). A command that stops reading early is reported through
 * its exit status, not through the pipe's error.
 */
function git(args: string[], options: { cwd?: string; input?: Buffer } = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        encoding: 'buffer',
        maxBuffer: 32 * 1024 * 1024,
        timeout: 15_000,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: '1' },
      },
      (error, stdout, stderr) => (error ? reject(new Error(String(stderr))) : resolve(stdout)),
    );
    if (options.input === undefined) {
      child.stdin?.destroy();
      return;
    }
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pack-file-test-'));
  await git(['init', '--quiet', '--bare', directory]);
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('the git helper of these tests', () => {
  it('survives a command that exits without reading its stdin (EPIPE)', async () => {
    // 4 MiB cannot fit the pipe's buffer: `git --version` exits first, and the write fails with EPIPE.
    const output = await git(['--version'], { input: Buffer.alloc(4 * 1024 * 1024, 120) });
    expect(output.toString()).toMatch(/^git version/);
  });
});

describe('readPack', () => {
  it('reads a pack made by git pack-objects, with deltas, and every id matches git', async () => {
    const base = Array.from({ length: 400 }, (_, index) => `line ${index}: ${'x'.repeat(index % 37)}`).join(
      '\n',
    );
    const ids: string[] = [];
    for (let version = 0; version < 6; version += 1) {
      const content = Buffer.from(`${base}\nversion ${version}\n`);
      ids.push(
        (await git(['--git-dir', directory, 'hash-object', '-w', '--stdin'], { input: content }))
          .toString()
          .trim(),
      );
    }
    const pack = await git(['--git-dir', directory, 'pack-objects', '--stdout', '--window=10', '--depth=5'], {
      input: Buffer.from(`${ids.join('\n')}\n`),
    });
    const store = new Map<string, GitObject>();
    expect(readPack(pack, store)).toBe(6);
    for (const id of ids) {
      const object = store.get(id);
      expect(object?.type).toBe('blob');
      expect(hashObject('blob', object?.data ?? Buffer.alloc(0))).toBe(id);
    }
    // git deltified objects, so the delta path ran.
    const packPath = join(directory, 'test.pack');
    await writeFile(packPath, pack);
    await git(['index-pack', packPath]);
    const verified = (await git(['verify-pack', '-v', packPath.replace(/\.pack$/, '.idx')])).toString();
    expect(verified).toMatch(/chain length = [1-9]/);
  });

  it('round-trips what writePack writes, and git accepts it (index-pack)', async () => {
    const objects: GitObject[] = [
      { type: 'blob', data: Buffer.from('hello\n') },
      { type: 'blob', data: Buffer.alloc(70_000, 7) },
    ];
    const pack = writePack(objects);
    const store = new Map<string, GitObject>();
    readPack(pack, store);
    expect([...store.keys()].sort()).toEqual(
      objects.map((object) => hashObject(object.type, object.data)).sort(),
    );
    const checked = await git(['--git-dir', directory, 'index-pack', '--stdin'], { input: pack });
    expect(checked.toString()).toMatch(/^pack\t[0-9a-f]{40}/);
  });

  it('rejects a corrupted pack', () => {
    const pack = writePack([{ type: 'blob', data: Buffer.from('x') }]);
    pack[pack.length - 25] = (pack[pack.length - 25] as number) ^ 0xff;
    expect(() => readPack(pack, new Map())).toThrow(/checksum/);
    expect(() => readPack(Buffer.from('nope'), new Map())).toThrow(/not a pack/);
  });
});

describe('applyDelta', () => {
  it('copies and inserts', () => {
    const base = Buffer.from('0123456789');
    // source size 10, target size 7, copy offset 2 size 3, insert "abcd"
    const delta = Buffer.from([10, 7, 0x80 | 0x01 | 0x10, 2, 3, 4, ...Buffer.from('abcd')]);
    expect(applyDelta(base, delta).toString()).toBe('234abcd');
  });
  it('rejects a delta for another base', () => {
    expect(() => applyDelta(Buffer.from('abc'), Buffer.from([9, 1, 1, 0x41]))).toThrow(/base size/);
  });
});

describe('git objects', () => {
  it('parses trees and commits that git wrote', async () => {
    const blob = (
      await git(['--git-dir', directory, 'hash-object', '-w', '--stdin'], { input: Buffer.from('a\n') })
    )
      .toString()
      .trim();
    const tree = (
      await git(['--git-dir', directory, 'mktree'], {
        input: Buffer.from(`100644 blob ${blob}\tz.txt\n100755 blob ${blob}\ta b.sh\n`),
      })
    )
      .toString()
      .trim();
    const treeData = await git(['--git-dir', directory, 'cat-file', 'tree', tree]);
    expect(hashObject('tree', treeData)).toBe(tree);
    expect(parseTree(treeData)).toEqual([
      { mode: '100755', name: 'a b.sh', oid: blob },
      { mode: '100644', name: 'z.txt', oid: blob },
    ]);
    const commitData = Buffer.from(
      `tree ${tree}\nparent ${blob}\nauthor a <a> 1 +0000\ncommitter a <a> 1 +0000\n\nmsg\n`,
    );
    expect(parseCommit(commitData)).toEqual({ tree, parents: [blob] });
  });
});
