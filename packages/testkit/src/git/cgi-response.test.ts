import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCgiHead, readCgiHead } from './cgi-response.js';

describe('parseCgiHead', () => {
  it('takes the status from the Status header and passes the other headers on', () => {
    const head = parseCgiHead('Status: 404 Not Found\r\nContent-Type: text/plain\r\nExpires: never');
    expect(head.status).toBe(404);
    expect(head.headers).toEqual([
      ['Content-Type', 'text/plain'],
      ['Expires', 'never'],
    ]);
  });

  it('defaults to 200 and ignores an invalid status', () => {
    expect(parseCgiHead('Content-Type: x').status).toBe(200);
    expect(parseCgiHead('Status: banana').status).toBe(200);
  });
});

describe('readCgiHead', () => {
  it('finds the end of the head across chunks and keeps the body bytes that came with it', async () => {
    const stream = new PassThrough();
    const pending = readCgiHead(stream);
    stream.write('Status: 403 Forbid');
    stream.write('den\r\nContent-Type: a/b\r');
    stream.write('\n\r\nbody-start');
    const head = await pending;
    expect(head.status).toBe(403);
    expect(head.headers).toEqual([['Content-Type', 'a/b']]);
    expect(head.bodyStart.toString()).toBe('body-start');
  });

  it('accepts bare LF separators', async () => {
    const stream = new PassThrough();
    const pending = readCgiHead(stream);
    stream.end('Content-Type: x\n\nrest');
    expect((await pending).bodyStart.toString()).toBe('rest');
  });

  it('rejects when the program ends before its head is complete', async () => {
    const stream = new PassThrough();
    const pending = readCgiHead(stream);
    stream.end('Content-Type: x\r\n');
    await expect(pending).rejects.toThrow(/ended before/);
  });
});
