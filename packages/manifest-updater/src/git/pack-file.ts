import { createHash } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { GitOpsKitError, ResponseTooLargeError } from '@gitops-kit/core';
import { GitProtocolError } from './errors.js';
import { type GitObject, type GitObjectType, hashObject } from './git-objects.js';

const TYPE_BY_NUMBER: Record<number, GitObjectType> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' };
const NUMBER_BY_TYPE: Record<GitObjectType, number> = { commit: 1, tree: 2, blob: 3, tag: 4 };
const OFS_DELTA = 6;
const REF_DELTA = 7;

/**
 * Inflates one zlib stream at the start of `input`; returns the data and how many input bytes it used. The output
 * is capped at the size the pack entry's header declares (plus one byte, to tell "more" from "exactly"): zlib
 * expands up to about 1000:1, so without a cap a small hostile pack could fill the memory.
 */
function inflateAt(input: Buffer, declaredSize: number): { data: Buffer; consumed: number } {
  const result = inflateSync(input, { info: true, maxOutputLength: declaredSize + 1 }) as unknown as {
    buffer: Buffer;
    engine: { bytesWritten: number };
  };
  return { data: result.buffer, consumed: result.engine.bytesWritten };
}

function readDeltaSize(delta: Buffer, start: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let offset = start;
  let byte: number;
  do {
    byte = delta[offset] as number;
    offset += 1;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return { value, next: offset };
}

/**
 * Applies a git delta (gitformat-pack(5), "Deltified representation") to `base`.
 *
 * @throws Error when the delta does not fit the base.
 */
export function applyDelta(base: Buffer, delta: Buffer, budget?: UnpackBudget): Buffer {
  const source = readDeltaSize(delta, 0);
  if (source.value !== base.length) throw new Error('delta base size mismatch');
  const target = readDeltaSize(delta, source.next);
  budget?.spend(target.value);
  const output = Buffer.allocUnsafe(target.value);
  let written = 0;
  let offset = target.next;
  while (offset < delta.length) {
    const instruction = delta[offset] as number;
    offset += 1;
    if (instruction & 0x80) {
      let copyOffset = 0;
      let copySize = 0;
      for (let bit = 0; bit < 4; bit += 1) {
        if (instruction & (1 << bit)) {
          copyOffset += (delta[offset] as number) * 2 ** (8 * bit);
          offset += 1;
        }
      }
      for (let bit = 0; bit < 3; bit += 1) {
        if (instruction & (1 << (4 + bit))) {
          copySize += (delta[offset] as number) << (8 * bit);
          offset += 1;
        }
      }
      if (copySize === 0) copySize = 0x10000;
      if (copyOffset + copySize > base.length || written + copySize > output.length) {
        throw new Error('delta copy out of range');
      }
      base.copy(output, written, copyOffset, copyOffset + copySize);
      written += copySize;
    } else if (instruction > 0) {
      if (written + instruction > output.length || offset + instruction > delta.length) {
        throw new Error('delta insert out of range');
      }
      delta.copy(output, written, offset, offset + instruction);
      written += instruction;
      offset += instruction;
    } else throw new Error('invalid delta instruction');
  }
  if (written !== output.length) throw new Error('delta result size mismatch');
  return output;
}

/**
 * Reads every object of a pack (gitformat-pack(5)) into `store`, resolving ofs- and ref-deltas (ref-delta bases
 * may already be in `store`). Inflation uses Node's native zlib, so a 10 MB pack takes tens of milliseconds.
 *
 * @throws GitProtocolError when the pack is malformed, its checksum is wrong or a delta base is missing: a pack
 *   always comes from the server, so whatever fails in reading it (zlib, a size past the end) is the server's.
 */
export function readPack(
  pack: Buffer,
  store: Map<string, GitObject>,
  options: { maxUnpackedBytes?: number } = {},
): number {
  try {
    return readPackObjects(
      pack,
      store,
      new UnpackBudget(options.maxUnpackedBytes ?? Number.POSITIVE_INFINITY),
    );
  } catch (error) {
    if (GitOpsKitError.isInstance(error)) throw error;
    throw new GitProtocolError(
      `the server sent a malformed pack: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * The bytes a pack may unpack to: every inflated entry and every object rebuilt from a delta count, before
 * anything is allocated. A pack's compressed size (`maxResponseBytes`) says little about it — a delta can copy
 * 64 KiB of its base per 8-byte instruction, and zlib expands about 1000:1.
 */
export class UnpackBudget {
  #left: number;
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
    this.#left = limit;
  }

  /** @throws ResponseTooLargeError when `bytes` do not fit in what is left. */
  spend(bytes: number): void {
    if (bytes > this.#left) {
      throw new ResponseTooLargeError(
        `the server's pack unpacks to more than ${this.#limit} bytes (maxUnpackedBytes)`,
        { limitBytes: this.#limit },
      );
    }
    this.#left -= bytes;
  }
}

function readPackObjects(pack: Buffer, store: Map<string, GitObject>, budget: UnpackBudget): number {
  if (pack.length < 32 || pack.toString('ascii', 0, 4) !== 'PACK') throw new Error('not a pack file');
  const version = pack.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new Error(`unsupported pack version ${version}`);
  const count = pack.readUInt32BE(8);
  const checksum = createHash('sha1')
    .update(pack.subarray(0, pack.length - 20))
    .digest();
  if (!checksum.equals(pack.subarray(pack.length - 20))) throw new Error('pack checksum mismatch');

  const byOffset = new Map<number, GitObject>();
  const pendingRefDeltas: Array<{ offset: number; baseOid: string; delta: Buffer }> = [];
  let offset = 12;
  for (let index = 0; index < count; index += 1) {
    const entryOffset = offset;
    let byte = pack[offset] as number;
    offset += 1;
    const typeNumber = (byte >> 4) & 0x07;
    // The entry's inflated size: 4 bits here, then 7 bits per continuation byte (gitformat-pack(5)).
    let declaredSize = byte & 0x0f;
    let shift = 4;
    while (byte & 0x80) {
      byte = pack[offset] as number;
      offset += 1;
      declaredSize += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    }
    budget.spend(declaredSize);
    let baseOffset: number | undefined;
    let baseOid: string | undefined;
    if (typeNumber === OFS_DELTA) {
      byte = pack[offset] as number;
      offset += 1;
      let distance = byte & 0x7f;
      while (byte & 0x80) {
        byte = pack[offset] as number;
        offset += 1;
        distance = (distance + 1) * 128 + (byte & 0x7f);
      }
      baseOffset = entryOffset - distance;
    } else if (typeNumber === REF_DELTA) {
      baseOid = pack.toString('hex', offset, offset + 20);
      offset += 20;
    }
    const { data, consumed } = inflateAt(pack.subarray(offset, pack.length - 20), declaredSize);
    if (data.length !== declaredSize)
      throw new Error('an entry inflates to another size than its header says');
    offset += consumed;

    let object: GitObject | undefined;
    const type = TYPE_BY_NUMBER[typeNumber];
    if (type !== undefined) object = { type, data };
    else if (baseOffset !== undefined) {
      const base = byOffset.get(baseOffset);
      if (base === undefined) throw new Error('ofs-delta base not found');
      object = { type: base.type, data: applyDelta(base.data, data, budget) };
    } else if (baseOid !== undefined) {
      const base = store.get(baseOid);
      if (base === undefined) {
        pendingRefDeltas.push({ offset: entryOffset, baseOid, delta: data });
        continue;
      }
      object = { type: base.type, data: applyDelta(base.data, data, budget) };
    } else throw new Error(`unknown pack object type ${typeNumber}`);
    byOffset.set(entryOffset, object);
    store.set(hashObject(object.type, object.data), object);
  }
  // A ref-delta may name a base that comes later in the same pack.
  for (let pass = 0; pendingRefDeltas.length > 0 && pass < 64; pass += 1) {
    for (let index = pendingRefDeltas.length - 1; index >= 0; index -= 1) {
      const pending = pendingRefDeltas[index] as (typeof pendingRefDeltas)[number];
      const base = store.get(pending.baseOid);
      if (base === undefined) continue;
      const object = { type: base.type, data: applyDelta(base.data, pending.delta, budget) };
      byOffset.set(pending.offset, object);
      store.set(hashObject(object.type, object.data), object);
      pendingRefDeltas.splice(index, 1);
    }
  }
  if (pendingRefDeltas.length > 0) throw new Error('ref-delta base not found');
  return count;
}

/** Builds a pack of whole (undeltified) objects, as a push of a few new objects needs. */
export function writePack(objects: readonly GitObject[]): Buffer {
  const header = Buffer.alloc(12);
  header.write('PACK', 0, 'ascii');
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [header];
  for (const object of objects) {
    let size = object.data.length;
    const bytes: number[] = [];
    let first = (NUMBER_BY_TYPE[object.type] << 4) | (size & 0x0f);
    size = Math.floor(size / 16);
    while (size > 0) {
      bytes.push(first | 0x80);
      first = size & 0x7f;
      size = Math.floor(size / 128);
    }
    bytes.push(first);
    parts.push(Buffer.from(bytes), deflateSync(object.data));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash('sha1').update(body).digest()]);
}
