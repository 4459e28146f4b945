import type { Readable } from 'node:stream';

/** The head of a CGI response: status from the `Status:` header (200 if absent) and the other headers. */
export interface CgiResponseHead {
  status: number;
  headers: Array<[string, string]>;
  /** Body bytes that arrived in the same chunks as the head. */
  bodyStart: Buffer;
}

const MAXIMUM_HEAD_BYTES = 64 * 1024;

function findHeadEnd(buffer: Buffer): { headEnd: number; bodyStart: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  const lf = buffer.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return undefined;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { headEnd: crlf, bodyStart: crlf + 4 };
  return { headEnd: lf, bodyStart: lf + 2 };
}

/** Parses CGI header lines (RFC 3875 §6): `Status: 404 Not Found` sets the status, the rest are passed on. */
export function parseCgiHead(head: string): Omit<CgiResponseHead, 'bodyStart'> {
  let status = 200;
  const headers: Array<[string, string]> = [];
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') {
      const parsed = Number.parseInt(value, 10);
      if (Number.isInteger(parsed) && parsed >= 100 && parsed <= 599) status = parsed;
    } else headers.push([name, value]);
  }
  return { status, headers };
}

/**
 * Reads a CGI program's stdout up to the blank line that ends its headers. The stream is paused afterwards so
 * the caller can pipe the rest of the body.
 *
 * @throws Error when the program ends (or sends 64 KiB) before finishing its headers.
 */
export function readCgiHead(stdout: Readable): Promise<CgiResponseHead> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      stdout.off('data', onData);
      stdout.off('end', onEnd);
      stdout.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const found = findHeadEnd(buffered);
      if (found === undefined) {
        if (buffered.length > MAXIMUM_HEAD_BYTES) {
          cleanup();
          reject(new Error('CGI response head exceeds 64 KiB'));
        }
        return;
      }
      cleanup();
      stdout.pause();
      resolve({
        ...parseCgiHead(buffered.subarray(0, found.headEnd).toString('latin1')),
        bodyStart: buffered.subarray(found.bodyStart),
      });
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error('CGI program ended before sending its response headers'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    stdout.on('data', onData);
    stdout.on('end', onEnd);
    stdout.on('error', onError);
  });
}
