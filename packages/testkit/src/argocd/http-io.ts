import type { IncomingMessage, ServerResponse } from 'node:http';
import { GrpcCode, type RpcStatusError, rpcError } from './grpc-status.js';

const MAXIMUM_REQUEST_BODY_BYTES = 16 * 1024 * 1024;

/** Reads a request body (bounded) and returns it as text. */
export async function readRequestText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAXIMUM_REQUEST_BODY_BYTES) {
      throw rpcError(GrpcCode.ResourceExhausted, 'grpc: received message larger than max');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON request body the way grpc-gateway does: an empty body decodes to nothing. */
export function parseJsonBody(text: string): unknown {
  if (text.trim().length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw rpcError(
      GrpcCode.InvalidArgument,
      `invalid character in request body: ${(error as Error).message}`,
    );
  }
}

/** Writes a JSON response with Argo CD's content type. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

/** Writes a plain-text response (routing errors, 415) like Go's http.Error. */
export function sendPlainText(response: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Writes a grpc-gateway unary error body `{error, code, message, details}`. */
export function sendRpcError(
  response: ServerResponse,
  error: RpcStatusError,
  headers: Record<string, string> = {},
  httpStatus: number = error.httpStatus,
): void {
  sendJson(
    response,
    httpStatus,
    { error: error.message, code: error.code, message: error.message, details: [] },
    headers,
  );
}
