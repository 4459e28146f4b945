import { ResponseTooLargeError } from '../errors/transport-errors.js';
import type { ByteSource } from './byte-source.js';
import { DEFAULT_MAX_LINE_BYTES, type ReadLinesOptions, readLines } from './read-lines.js';

/** One Server-Sent Event. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when the server sent none. */
  event: string;
  /** The `data:` lines joined with `\n`. */
  data: string;
  /** The last event id seen on this stream (the spec's "last event ID"), when the server sent one. */
  id?: string;
  /** The reconnection time the server asked for (`retry:`), in milliseconds, when it sent one. */
  retryMs?: number;
}

/** Options of {@link readServerSentEvents}. */
export interface ReadServerSentEventsOptions extends ReadLinesOptions {
  /** The largest event (all its data lines), in bytes. Default twice `maxLineBytes`. */
  maxEventBytes?: number | undefined;
}

/**
 * Parses a `text/event-stream` body following the WHATWG rules: `data:` lines accumulate (joined with `\n`),
 * `event:` names the type, `id:` sets the last event id (ignored when it contains NUL), `retry:` sets the
 * reconnection time when it is all digits, lines starting with `:` are comments (keep-alives), a blank line
 * dispatches the event, an event with no data is dropped, and an unterminated event at the end is discarded.
 *
 * @throws {ResponseTooLargeError} when a line exceeds `maxLineBytes` or an event exceeds `maxEventBytes`.
 * @throws {AbortError} when `signal` aborts.
 * @example
 * ```ts
 * for await (const { data } of readServerSentEvents(stream.body, { signal })) console.log(JSON.parse(data));
 * ```
 */
export async function* readServerSentEvents(
  source: ByteSource,
  options: ReadServerSentEventsOptions = {},
): AsyncGenerator<ServerSentEvent> {
  const maxEventBytes = options.maxEventBytes ?? 2 * (options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  let dataLines: string[] = [];
  let dataLength = 0;
  let eventType = '';
  let lastEventId = '';
  let retryMs: number | undefined;
  let firstLine = true;
  for await (const rawLine of readLines(source, options)) {
    // A byte order mark may only open the stream.
    const line = firstLine && rawLine.startsWith('\uFEFF') ? rawLine.slice(1) : rawLine;
    firstLine = false;
    if (line === '') {
      if (dataLines.length > 0) {
        const event: ServerSentEvent = { event: eventType || 'message', data: dataLines.join('\n') };
        if (lastEventId !== '') event.id = lastEventId;
        if (retryMs !== undefined) event.retryMs = retryMs;
        yield event;
      }
      dataLines = [];
      dataLength = 0;
      eventType = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        dataLength += Buffer.byteLength(value) + 1;
        if (dataLength > maxEventBytes) {
          throw new ResponseTooLargeError(
            `A server-sent event is larger than the ${maxEventBytes}-byte limit`,
            {
              limitBytes: maxEventBytes,
            },
          );
        }
        dataLines.push(value);
        break;
      case 'event':
        eventType = value;
        break;
      case 'id':
        if (!value.includes('\u0000')) lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) retryMs = Number(value);
        break;
      default:
        break;
    }
  }
}
