import { ResponseTooLargeError } from '../errors/transport-errors.js';
import { type ByteSource, iterateBytes } from './byte-source.js';

/** Default cap on one line, in bytes (16 MiB: a large Argo CD application event fits). */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Options of {@link readLines}. */
export interface ReadLinesOptions {
  /** The longest line accepted, in bytes, terminator excluded. Default {@link DEFAULT_MAX_LINE_BYTES}. */
  maxLineBytes?: number | undefined;
  /** Stops reading (and closes the source) when aborted. */
  signal?: AbortSignal | undefined;
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Splits a byte stream into text lines. A line ends at `\n`, `\r\n` or a lone `\r` (the Server-Sent Events rule,
 * which also covers NDJSON), wherever chunk boundaries fall — inside `\r\n` or inside a multi-byte UTF-8 character
 * (lines are split on bytes first and decoded whole). A last line without a terminator is yielded too.
 *
 * @param source - The body.
 * @param options - Line cap and signal.
 * @returns The lines, without terminators.
 * @throws {ResponseTooLargeError} when a line is longer than `maxLineBytes` (the source is closed).
 * @throws {AbortError} when `signal` aborts.
 * @example
 * ```ts
 * for await (const line of readLines(response.body, { maxLineBytes: 65_536 })) console.log(line);
 * ```
 */
export async function* readLines(source: ByteSource, options: ReadLinesOptions = {}): AsyncGenerator<string> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!(maxLineBytes > 0)) throw new RangeError('maxLineBytes must be > 0');
  let parts: Uint8Array[] = [];
  let lineBytes = 0;
  let skipLineFeed = false;

  const append = (piece: Uint8Array): void => {
    if (piece.byteLength === 0) return;
    lineBytes += piece.byteLength;
    if (lineBytes > maxLineBytes) {
      throw new ResponseTooLargeError(
        `A streamed line is longer than the ${maxLineBytes}-byte limit (maxLineBytes)`,
        { limitBytes: maxLineBytes },
      );
    }
    parts.push(piece);
  };
  const takeLine = (): string => {
    const only = parts.length === 1 ? parts[0] : undefined;
    // Buffer decoding replaces invalid UTF-8 with U+FFFD just as TextDecoder does, and is faster on short lines.
    const line = only
      ? Buffer.from(only.buffer, only.byteOffset, only.byteLength).toString('utf8')
      : Buffer.concat(parts, lineBytes).toString('utf8');
    parts = [];
    lineBytes = 0;
    return line;
  };

  for await (const chunk of iterateBytes(source, options.signal)) {
    let start = 0;
    if (skipLineFeed && chunk.byteLength > 0) {
      if (chunk[0] === LINE_FEED) start = 1;
      skipLineFeed = false;
    }
    // Native indexOf finds terminators far faster than a byte loop; remember each search until it is passed.
    let nextLineFeed = chunk.indexOf(LINE_FEED, start);
    let nextCarriageReturn = chunk.indexOf(CARRIAGE_RETURN, start);
    while (nextLineFeed !== -1 || nextCarriageReturn !== -1) {
      const index =
        nextCarriageReturn === -1 || (nextLineFeed !== -1 && nextLineFeed < nextCarriageReturn)
          ? nextLineFeed
          : nextCarriageReturn;
      append(chunk.subarray(start, index));
      yield takeLine();
      start = index + 1;
      if (index === nextCarriageReturn) {
        if (start < chunk.byteLength) {
          if (chunk[start] === LINE_FEED) start++;
        } else {
          skipLineFeed = true;
        }
      }
      if (nextLineFeed !== -1 && nextLineFeed < start) nextLineFeed = chunk.indexOf(LINE_FEED, start);
      if (nextCarriageReturn !== -1 && nextCarriageReturn < start) {
        nextCarriageReturn = chunk.indexOf(CARRIAGE_RETURN, start);
      }
    }
    append(chunk.subarray(start));
  }
  if (lineBytes > 0) yield takeLine();
}
