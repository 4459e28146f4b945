import { abortReasonToError } from '../timeouts/abort-reason.js';

/** A response body: any async iterable of bytes (undici's body, our stream body) or a web `ReadableStream`. */
export type ByteSource = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === 'function';
}

async function* fromReadableStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Cancel rather than just release, so the producer (and its socket) stops.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * Iterates a byte source and stops as soon as `signal` aborts, even while waiting for the next chunk; the source is
 * then closed (`return()` / `cancel()`), so its connection is released.
 *
 * @throws {AbortError} (or the signal's `TimeoutError`) when `signal` aborts.
 */
export async function* iterateBytes(source: ByteSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const iterable: AsyncIterable<Uint8Array> = isReadableStream(source) ? fromReadableStream(source) : source;
  const iterator = iterable[Symbol.asyncIterator]();
  let finished = false;
  let onAbort: (() => void) | undefined;
  const aborted = signal
    ? new Promise<never>((_resolve, reject) => {
        onAbort = () => reject(abortReasonToError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      })
    : undefined;
  // The race below may leave this promise rejected with nobody listening once the loop ends.
  aborted?.catch(() => {});
  try {
    for (;;) {
      if (signal?.aborted) throw abortReasonToError(signal);
      const next = iterator.next();
      const result = aborted ? await Promise.race([next, aborted]) : await next;
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (!finished) {
      // Do not await: a source blocked on a dead socket may never settle its return().
      Promise.resolve(iterator.return?.()).catch(() => {});
    }
  }
}
