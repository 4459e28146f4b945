import { seededRandom } from './seeded-random.js';

/** Splits bytes into chunks: all at once, byte by byte, or at seeded random points (1–7 bytes each). */
export function splitBytes(bytes: Uint8Array, mode: 'whole' | 'bytes' | number): Uint8Array[] {
  if (mode === 'whole') return [bytes];
  if (mode === 'bytes') return Array.from(bytes, (byte) => Uint8Array.of(byte));
  const random = seededRandom(mode);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; ) {
    const size = Math.min(bytes.length - start, 1 + Math.floor(random() * 7));
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

/** An async iterable over the given chunks. */
export async function* fromChunks(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

/** Collects an async iterable into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
