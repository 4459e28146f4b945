import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitOpsKitError } from '@gitops-kit/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type GitObject, hashObject, serializeTree } from '../src/git/git-objects.js';
import { writePack } from '../src/git/pack-file.js';
import { encodePktLine, FLUSH_PKT } from '../src/git/pkt-line.js';
import { BranchNotFoundError, PathOutsideRepoError, readFiles } from '../src/index.js';

/**
 * A server that answers like git http-backend in protocol v0 without side-band (gitprotocol-http(5),
 * gitprotocol-pack(5): the advertisement, then `NAK` and the raw pack), but with whatever objects, refs and bytes a
 * test gives it: what a broken or hostile server can send, which a real git server never would.
 */
interface Script {
  advertisement: Buffer;
  pack: Buffer;
}
let script: Script;
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      response.end(
        Buffer.concat([encodePktLine('# service=git-upload-pack\n'), FLUSH_PKT, script.advertisement]),
      );
      return;
    }
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' });
      response.end(Buffer.concat([encodePktLine('NAK\n'), script.pack]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deploy.git`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const commitOf = (tree: string): Buffer =>
  Buffer.from(`tree ${tree}\nauthor a <a@example.com> 0 +0000\ncommitter a <a@example.com> 0 +0000\n\nx\n`);

/** A v0 advertisement of `refs/heads/<branch>` at `head` (no shallow or filter: a full fetch, as git-daemon of old). */
const advertise = (head: string, branch = 'main'): Buffer =>
  Buffer.concat([encodePktLine(`${head} refs/heads/${branch}\0agent=hostile/1\n`), FLUSH_PKT]);

/** Serves `objects` as the pack of a branch whose head is the first object. */
function serve(objects: GitObject[], tamper: (pack: Buffer) => Buffer = (pack) => pack): void {
  const head = objects[0] as GitObject;
  script = { advertisement: advertise(hashObject(head.type, head.data)), pack: tamper(writePack(objects)) };
}

const read = (files: unknown[] = ['values.yaml']) =>
  readFiles({ url, branch: 'main', files: files as string[], retry: false }).catch((error: unknown) => error);

const VALUES = Buffer.from('image:\n  tag: v1\n');
const valuesTree = serializeTree([{ mode: '100644', name: 'values.yaml', oid: hashObject('blob', VALUES) }]);

beforeEach(() => {
  serve([
    { type: 'commit', data: commitOf(hashObject('tree', valuesTree)) },
    { type: 'tree', data: valuesTree },
    { type: 'blob', data: VALUES },
  ]);
});

describe('readFiles against a server that sends what git never would', () => {
  it('reads a well-formed answer (the scripted server itself works)', async () => {
    const result = await read();
    expect(result).toMatchObject({ fetchMode: 'full' });
    expect((result as { files: Map<string, string> }).files.get('values.yaml')).toBe(VALUES.toString());
  });

  it('a malformed tree, commit, pack or advertisement is a GitProtocolError, never a bare Error', async () => {
    const garbage = Buffer.from('not a tree at all');
    const cases: Array<{ what: string; setUp: () => void }> = [
      {
        what: 'a tree that does not parse (its id is its hash: only its content is wrong)',
        setUp: () =>
          serve([
            { type: 'commit', data: commitOf(hashObject('tree', garbage)) },
            { type: 'tree', data: garbage },
          ]),
      },
      { what: 'a commit without a tree', setUp: () => serve([{ type: 'commit', data: garbage }]) },
      {
        what: 'a pack whose checksum is wrong',
        setUp: () =>
          serve(
            [
              { type: 'commit', data: commitOf(hashObject('tree', valuesTree)) },
              { type: 'tree', data: valuesTree },
            ],
            (pack) => {
              const broken = Buffer.from(pack);
              broken[broken.length - 1] = (broken[broken.length - 1] as number) ^ 0xff;
              return broken;
            },
          ),
      },
      {
        what: 'a pack that announces more objects than it holds',
        setUp: () =>
          serve([{ type: 'commit', data: commitOf(hashObject('tree', valuesTree)) }], (pack) => {
            const body = Buffer.from(pack.subarray(0, pack.length - 20));
            body.writeUInt32BE(3, 8);
            return Buffer.concat([body, createHash('sha1').update(body).digest()]);
          }),
      },
      {
        what: 'an advertisement whose pkt-lines do not parse',
        setUp: () => {
          script = { advertisement: Buffer.from('00zzgarbage'), pack: Buffer.alloc(0) };
        },
      },
    ];
    for (const { what, setUp } of cases) {
      setUp();
      const error = await read();
      expect(GitOpsKitError.isInstance(error), what).toBe(true);
      expect(error, what).toMatchObject({
        name: 'GitProtocolError',
        code: 'GIT_PROTOCOL_ERROR',
        retryable: false,
      });
    }
  });

  it('a v0 advertisement whose ref id is not an object id is a GitProtocolError (as in ls-refs), not a head', async () => {
    script = { ...script, advertisement: advertise('z'.repeat(40)) };
    for (const files of [[], ['values.yaml']]) {
      expect(await read(files)).toMatchObject({ name: 'GitProtocolError', code: 'GIT_PROTOCOL_ERROR' });
    }
  });

  it('a maxResponseBytes that is not a positive number is refused (NaN turned the limit off)', async () => {
    for (const maxResponseBytes of [Number.NaN, 0, -1]) {
      const error = await readFiles({
        url,
        branch: 'main',
        files: ['values.yaml'],
        retry: false,
        maxResponseBytes,
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'ValidationError', field: 'maxResponseBytes' });
    }
  });

  it('a file path that is not a string is a typed error, not a TypeError', async () => {
    for (const file of [42, null, { toString: () => 'values.yaml' }]) {
      const error = await read([file]);
      expect(error).toBeInstanceOf(PathOutsideRepoError);
      expect((error as Error).message).toMatch(/is not allowed: it is not a string/);
    }
  });

  it('zero-padded modes (040000, 0120000) are read as git reads them: a directory, a symbolic link', async () => {
    const link = Buffer.from('values.yaml');
    const root = serializeTree([
      { mode: '040000', name: 'env', oid: hashObject('tree', valuesTree) },
      { mode: '0120000', name: 'link.yaml', oid: hashObject('blob', link) },
    ]);
    serve([
      { type: 'commit', data: commitOf(hashObject('tree', root)) },
      { type: 'tree', data: root },
      { type: 'tree', data: valuesTree },
      { type: 'blob', data: VALUES },
      { type: 'blob', data: link },
    ]);
    const result = await read(['env/values.yaml']);
    expect((result as { files: Map<string, string> }).files.get('env/values.yaml')).toBe(VALUES.toString());
    expect(await read(['link.yaml'])).toBeInstanceOf(PathOutsideRepoError);
  });

  it('held: another branch in the advertisement, a symbolic link or a submodule at the path', async () => {
    script = { ...script, advertisement: advertise('a'.repeat(40), 'main-next') };
    expect(await read()).toBeInstanceOf(BranchNotFoundError);
    const link = Buffer.from('../../etc/passwd');
    const withLink = serializeTree([
      { mode: '120000', name: 'values.yaml', oid: hashObject('blob', link) },
      { mode: '160000', name: 'vendor', oid: 'b'.repeat(40) },
    ]);
    serve([
      { type: 'commit', data: commitOf(hashObject('tree', withLink)) },
      { type: 'tree', data: withLink },
      { type: 'blob', data: link },
    ]);
    expect(await read(['values.yaml'])).toBeInstanceOf(PathOutsideRepoError);
    expect(await read(['vendor/values.yaml'])).toBeInstanceOf(PathOutsideRepoError);
  });
});
