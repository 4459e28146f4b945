import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { collect, fromChunks, splitBytes } from '../../test/helpers/chunks.js';
import { makeCanary } from '../../test/helpers/seeded-random.js';
import {
  ResponseParseError,
  ResponseTooLargeError,
  ResponseValidationError,
} from '../errors/transport-errors.js';
import { readNdjsonLines } from './read-ndjson-lines.js';

const encoder = new TextEncoder();

describe('readNdjsonLines', () => {
  const events = [
    { type: 'ADDED', object: { metadata: { name: 'run-1', resourceVersion: '10' }, note: 'naïve ☃' } },
    { type: 'BOOKMARK', object: { metadata: { resourceVersion: '11' } } },
    { type: 'MODIFIED', object: { metadata: { name: 'run-1', resourceVersion: '12' }, emoji: '😀' } },
  ];
  const body = `${events.map((event) => JSON.stringify(event)).join('\r\n')}\n\n`;

  for (const mode of ['whole', 'bytes', 11, 12, 13, 14, 15] as const) {
    it(`yields every value whatever the chunking (${mode})`, async () => {
      expect(await collect(readNdjsonLines(fromChunks(splitBytes(encoder.encode(body), mode))))).toEqual(
        events,
      );
    });
  }

  it('validates each value with a schema', async () => {
    const schema = z.object({ type: z.enum(['ADDED', 'MODIFIED', 'BOOKMARK']) });
    const typed = await collect(readNdjsonLines(fromChunks([encoder.encode(body)]), { schema }));
    expect(typed.map((event) => event.type)).toEqual(['ADDED', 'BOOKMARK', 'MODIFIED']);
    const canary = makeCanary();
    const bad = encoder.encode(`${JSON.stringify({ type: canary })}\n`);
    const error = await collect(readNdjsonLines(fromChunks([bad]), { schema })).catch(
      (caught: unknown) => caught,
    );
    expect(ResponseValidationError.isInstance(error)).toBe(true);
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(canary);
  });

  it('reports a broken line by number without quoting it', async () => {
    const canary = makeCanary();
    const error = await collect(
      readNdjsonLines(fromChunks([encoder.encode(`{"a":1}\n{"secret":"${canary}"\n`)])),
    ).catch((caught: unknown) => caught);
    expect(ResponseParseError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('line 2');
    expect((error as Error).message).not.toContain(canary);
  });

  it('enforces the line cap', async () => {
    const big = encoder.encode(`${JSON.stringify({ data: 'x'.repeat(1000) })}\n`);
    await expect(
      collect(readNdjsonLines(fromChunks(splitBytes(big, 3)), { maxLineBytes: 512 })),
    ).rejects.toBeInstanceOf(ResponseTooLargeError);
  });

  it('drops __proto__ keys', async () => {
    const [value] = await collect(
      readNdjsonLines(fromChunks([encoder.encode('{"__proto__":{"polluted":1},"ok":true}\n')])),
    );
    expect(Object.assign({}, value)).toEqual({ ok: true });
  });
});
