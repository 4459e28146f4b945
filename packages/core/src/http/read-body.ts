import { ResponseTooLargeError } from '../errors/transport-errors.js';

/** The parts of undici's response body the reader uses. */
export interface ReadableBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

const ignoreError = (): void => {};

/**
 * Stops a body and releases its connection. undici emits an `error` event when an unread body is destroyed; a
 * listener is attached first so that event cannot become an uncaught exception.
 */
export function cancelBody(body: ReadableBody): void {
  body.on?.('error', ignoreError);
  body.destroy();
}

/**
 * Reads a whole body into one buffer, refusing to hold more than `limitBytes`: a `Content-Length` above the limit
 * is rejected before reading anything, and a body that grows past it (chunked, or a lying length) is cut off. In
 * both cases the body is destroyed so the connection is released.
 *
 * @throws {ResponseTooLargeError} when the body is or would be larger than `limitBytes`.
 */
export async function readBodyWithLimit(
  body: ReadableBody,
  limitBytes: number,
  contentLength: number | undefined,
  description: string,
): Promise<Buffer> {
  if (contentLength !== undefined && contentLength > limitBytes) {
    cancelBody(body);
    throw new ResponseTooLargeError(
      `${description}: the response declares ${contentLength} bytes, more than the ${limitBytes}-byte limit (maxResponseBytes)`,
      { limitBytes },
    );
  }
  const chunks: Uint8Array[] = [];
  let totalBytes = 0;
  for await (const chunk of body) {
    totalBytes += chunk.byteLength;
    if (totalBytes > limitBytes) {
      cancelBody(body);
      throw new ResponseTooLargeError(
        `${description}: the response is larger than the ${limitBytes}-byte limit (maxResponseBytes)`,
        { limitBytes },
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, totalBytes);
}

/**
 * Reads at most `limitBytes` of a body (for error responses, whose text only feeds a snippet) and destroys the
 * rest. Never throws for size; read errors are swallowed because the status already says what went wrong.
 */
export async function readBodyPrefix(body: ReadableBody, limitBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let totalBytes = 0;
  try {
    for await (const chunk of body) {
      const room = limitBytes - totalBytes;
      chunks.push(chunk.byteLength > room ? chunk.subarray(0, room) : chunk);
      totalBytes += Math.min(chunk.byteLength, room);
      if (totalBytes >= limitBytes) break;
    }
  } catch {
    // The connection broke while reading an error body; what was read is enough.
  } finally {
    cancelBody(body);
  }
  return Buffer.concat(chunks, totalBytes).toString('utf8');
}
