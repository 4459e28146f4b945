import { describe, expect, it } from 'vitest';
import { collect, fromChunks, splitBytes } from '../../test/helpers/chunks.js';
import { AbortError, ResponseTooLargeError } from '../errors/transport-errors.js';
import { readLines } from './read-lines.js';

const encoder = new TextEncoder();

const splitModes: Array<'whole' | 'bytes' | number> = ['whole', 'bytes', 1, 2, 3, 4, 5, 99, 1234];

describe('readLines', () => {
  const text = 'alpha\r\nbeta\ngamma\rdelta é ☃ 😀\r\n\r\nlast without newline';
  const expected = ['alpha', 'beta', 'gamma', 'delta é ☃ 😀', '', 'last without newline'];

  for (const mode of splitModes) {
    it(`splits CRLF, LF and CR lines and keeps UTF-8 intact (chunks: ${mode})`, async () => {
      const lines = await collect(readLines(fromChunks(splitBytes(encoder.encode(text), mode))));
      expect(lines).toEqual(expected);
    });
  }

  it('treats \\r at the end of one chunk and \\n at the start of the next as one terminator', async () => {
    const chunks = [
      encoder.encode('one\r'),
      encoder.encode('\ntwo\r'),
      encoder.encode(''),
      encoder.encode('\nthree'),
    ];
    expect(await collect(readLines(fromChunks(chunks)))).toEqual(['one', 'two', 'three']);
  });

  it('reads a web ReadableStream', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('a\nb'));
        controller.enqueue(encoder.encode('c\n'));
        controller.close();
      },
    });
    expect(await collect(readLines(stream))).toEqual(['a', 'bc']);
  });

  it('rejects a line over the byte cap, even when it arrives in pieces', async () => {
    const line = `${'x'.repeat(100)}\n`;
    await expect(
      collect(
        readLines(fromChunks(splitBytes(encoder.encode(`ok\n${line}`), 'bytes')), { maxLineBytes: 99 }),
      ),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(await collect(readLines(fromChunks([encoder.encode(line)]), { maxLineBytes: 100 }))).toHaveLength(
      1,
    );
  });

  it('stops with AbortError while waiting for a chunk and closes the source', async () => {
    async function* slowSource(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('first\n');
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      yield encoder.encode('never\n');
    }
    const controller = new AbortController();
    const seen: string[] = [];
    const startedMs = Date.now();
    const error = await (async () => {
      try {
        for await (const line of readLines(slowSource(), { signal: controller.signal })) {
          seen.push(line);
          setTimeout(() => controller.abort(), 20);
        }
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(AbortError.isInstance(error)).toBe(true);
    expect(seen).toEqual(['first']);
    expect(Date.now() - startedMs).toBeLessThan(2000);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let index = 0; index < 100; index++) yield encoder.encode(`line ${index}\n`);
      } finally {
        closed = true;
      }
    }
    for await (const line of readLines(source())) {
      if (line === 'line 2') break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(true);
  });
});
