import {
  type HttpClient,
  ResponseParseError,
  readNdjsonLines,
  readServerSentEvents,
  safeJsonParse,
} from '@gitops-kit/core';
import { ArgoCDApiError } from '../errors/argocd-api-error.js';
import { streamChunkSchema } from '../schemas/stream-schemas.js';

/** The largest single stream message accepted (one application with a big status), in bytes. */
export const DEFAULT_STREAM_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** How to open an Argo CD stream. */
export interface OpenStreamOptions {
  path: string;
  query?: Record<string, string | number | boolean | undefined | readonly string[]>;
  signal?: AbortSignal | undefined;
  /** Reconnect-worthy silence: no byte (not even a keep-alive) for this long, in ms. Default 45 000 (3 SSE pings). */
  idleTimeoutMs?: number | undefined;
  /** Limit until the response headers arrive, in ms. Default 30 000. */
  openTimeoutMs?: number | undefined;
  maxLineBytes?: number | undefined;
}

/** Called with the response status once a stream is open (tests and metrics). */
export type StreamOpenListener = (info: { status: number; contentType: string | undefined }) => void;

/**
 * Opens an Argo CD stream (`/api/v1/stream/...`) and yields each `result`. Asks for Server-Sent Events
 * (`Accept: text/event-stream`) because only that mode carries the server's 15 s keep-alives through proxies; falls
 * back to NDJSON when the server answers with JSON. An in-band `{"error": …}` chunk is thrown as an
 * {@link ArgoCDApiError} with the stream error's HTTP status and gRPC code.
 *
 * @throws {ArgoCDApiError} for an error status or an in-band stream error.
 * @throws {TimeoutError} when the stream is silent for `idleTimeoutMs`.
 */
export async function* readArgoCDStream(
  http: HttpClient,
  options: OpenStreamOptions,
  onOpen?: StreamOpenListener,
): AsyncGenerator<unknown> {
  const stream = await http.stream({
    method: 'GET',
    path: options.path,
    query: options.query,
    headers: { accept: 'text/event-stream' },
    signal: options.signal,
    timeoutMs: options.openTimeoutMs ?? 30_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 45_000,
    retry: false,
  });
  const contentTypeHeader = stream.headers['content-type'];
  const contentType = (Array.isArray(contentTypeHeader) ? contentTypeHeader[0] : contentTypeHeader)
    ?.split(';')[0]
    ?.trim();
  onOpen?.({ status: stream.status, contentType });
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_STREAM_MAX_LINE_BYTES;
  const description = `GET ${options.path}`;
  try {
    if (contentType === 'text/event-stream') {
      for await (const event of readServerSentEvents(stream.body, { maxLineBytes, signal: options.signal })) {
        let value: unknown;
        try {
          value = safeJsonParse(event.data);
        } catch {
          throw new ResponseParseError(`${description}: a stream event is not valid JSON`, {
            status: stream.status,
          });
        }
        yield unwrapChunk(value, description);
      }
    } else {
      for await (const value of readNdjsonLines(stream.body, { maxLineBytes, signal: options.signal })) {
        yield unwrapChunk(value, description);
      }
    }
  } finally {
    stream.close();
  }
}

function unwrapChunk(value: unknown, description: string): unknown {
  const parsed = streamChunkSchema.safeParse(value);
  if (!parsed.success) throw new ResponseParseError(`${description}: a stream message is not a JSON object`);
  const error = parsed.data.error;
  if (error) {
    const status = error.http_code ?? 500;
    throw new ArgoCDApiError(undefined, {
      status,
      method: 'GET',
      url: description.slice(4),
      ...(error.grpc_code === undefined ? {} : { grpcCode: error.grpc_code }),
      ...(error.message === undefined ? {} : { serverMessage: error.message }),
      retryable: error.grpc_code === undefined || [2, 4, 8, 13, 14].includes(error.grpc_code),
    });
  }
  return parsed.data.result;
}
