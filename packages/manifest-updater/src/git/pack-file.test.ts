import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { ResponseTooLargeError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitProtocolError } from './errors.js';
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

/** A pack of raw entries: each is an object header (type, declared size), optional base bytes, then its zlib data. */
function rawPack(entries: Array<{ type: number; size: number; base?: Buffer; body: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'ascii');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(entries.length, 8);
  parts.push(header);
  for (const entry of entries) {
    let size = entry.size;
    const bytes: number[] = [];
    let first = (entry.type << 4) | (size & 0x0f);
    size = Math.floor(size / 16);
    while (size > 0) {
      bytes.push(first | 0x80);
      first = size & 0x7f;
      size = Math.floor(size / 128);
    }
    bytes.push(first);
    parts.push(Buffer.from(bytes), entry.base ?? Buffer.alloc(0), deflateSync(entry.body));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}

/** A delta's size varint. */
function deltaSize(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return bytes;
}

describe('readPack: what a pack may unpack to', () => {
  it('an entry that inflates past maxUnpackedBytes is ResponseTooLargeError (64 MiB of zeros is a 65 KB pack)', () => {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const pack = rawPack([{ type: 3, size: zeros.length, body: zeros }]);
    expect(pack.length).toBeLessThan(128 * 1024);
    const error = (() => {
      try {
        readPack(pack, new Map(), { maxUnpackedBytes: 1024 * 1024 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).message).toMatch(/unpacks to more than 1048576 bytes/);
    // Within the budget it reads.
    const store = new Map<string, GitObject>();
    readPack(pack, store, { maxUnpackedBytes: zeros.length });
    expect(store.get(hashObject('blob', zeros))?.data.length).toBe(zeros.length);
  });

  it('the budget counts every entry of the pack, not each alone', () => {
    const chunk = Buffer.alloc(600 * 1024, 1);
    const other = Buffer.alloc(600 * 1024, 2);
    const pack = rawPack([
      { type: 3, size: chunk.length, body: chunk },
      { type: 3, size: other.length, body: other },
    ]);
    expect(() => readPack(pack, new Map(), { maxUnpackedBytes: 1024 * 1024 })).toThrow(ResponseTooLargeError);
  });

  it('an entry that inflates to more than its header declares is a GitProtocolError, read no further', () => {
    const big = Buffer.alloc(8 * 1024 * 1024, 5);
    const pack = rawPack([{ type: 3, size: 10, body: big }]);
    expect(() => readPack(pack, new Map())).toThrow(GitProtocolError);
    const short = rawPack([{ type: 3, size: 100, body: Buffer.from('tiny') }]);
    expect(() => readPack(short, new Map())).toThrow(/another size than its header says/);
  });

  it('a delta that declares a huge result is refused before anything is allocated', () => {
    const base = Buffer.from('base object\n');
    // source size, target size 2^40, then one copy instruction; the result is never built.
    const delta = Buffer.from([...deltaSize(base.length), ...deltaSize(2 ** 40), 0x90, base.length]);
    const baseId = hashObject('blob', base);
    const pack = rawPack([
      { type: 3, size: base.length, body: base },
      { type: 7, size: delta.length, base: Buffer.from(baseId, 'hex'), body: delta },
    ]);
    expect(() => readPack(pack, new Map(), { maxUnpackedBytes: 1024 * 1024 })).toThrow(ResponseTooLargeError);
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
