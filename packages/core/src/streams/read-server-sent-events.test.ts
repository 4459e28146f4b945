import { describe, expect, it } from 'vitest';
import { collect, fromChunks, splitBytes } from '../../test/helpers/chunks.js';
import { AbortError, ResponseTooLargeError } from '../errors/transport-errors.js';
import { readServerSentEvents, type ServerSentEvent } from './read-server-sent-events.js';

const encoder = new TextEncoder();

const stream = [
  '\uFEFF: connected\r\n',
  '\r\n',
  'data: {"result":{"type":"ADDED"}}\r\n',
  '\r\n',
  'event: update\n',
  'id: 41\n',
  'data: line one\n',
  'data:line two ☃\n',
  'data\n',
  '\n',
  ':keep-alive\n\n',
  'retry: 2500\n',
  'id: 42\n',
  'unknown: ignored\n',
  'data:  two leading spaces keep one\n',
  '\n',
  'id\n',
  'data: id cleared\n\n',
  'event: empty\n\n',
  'retry: soon\n',
  'data: trailing event without blank line is dropped\n',
].join('');

const expected: ServerSentEvent[] = [
  { event: 'message', data: '{"result":{"type":"ADDED"}}' },
  { event: 'update', data: 'line one\nline two ☃\n', id: '41' },
  { event: 'message', data: ' two leading spaces keep one', id: '42', retryMs: 2500 },
  { event: 'message', data: 'id cleared', retryMs: 2500 },
];

describe('readServerSentEvents', () => {
  for (const mode of ['whole', 'bytes', 21, 22, 23, 24, 25, 26] as const) {
    it(`parses events, comments, multi-line data, id and retry (chunks: ${mode})`, async () => {
      expect(
        await collect(readServerSentEvents(fromChunks(splitBytes(encoder.encode(stream), mode)))),
      ).toEqual(expected);
    });
  }

  it('enforces the line and event caps', async () => {
    const longLine = encoder.encode(`data: ${'x'.repeat(200)}\n\n`);
    await expect(
      collect(readServerSentEvents(fromChunks([longLine]), { maxLineBytes: 100 })),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
    const manyLines = encoder.encode(`${'data: 0123456789\n'.repeat(50)}\n`);
    await expect(
      collect(readServerSentEvents(fromChunks([manyLines]), { maxLineBytes: 100, maxEventBytes: 300 })),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    async function* endless(): AsyncGenerator<Uint8Array> {
      for (let index = 0; index < 1000; index++) {
        yield encoder.encode(`data: ${index}\n\n`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const seen: string[] = [];
    const error = await (async () => {
      for await (const event of readServerSentEvents(endless(), { signal: controller.signal })) {
        seen.push(event.data);
        if (seen.length === 3) controller.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(AbortError.isInstance(error)).toBe(true);
    expect(seen).toEqual(['0', '1', '2']);
  });
});
