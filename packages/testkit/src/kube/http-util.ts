import type { IncomingMessage, ServerResponse } from 'node:http';
import { type KubeStatus, makeStatus, statusError } from './kube-status.js';

/** The API server's request body limit (3 MiB). */
export const MAXIMUM_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Reads a request body as text, rejecting bodies over the limit with 413. */
export async function readBodyText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAXIMUM_REQUEST_BODY_BYTES) {
      throw statusError(413, 'RequestEntityTooLarge', 'the request body is larger than the 3 MiB limit');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses a JSON request body. @throws KubeEmulatorStatusError 400 for invalid JSON. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const text = await readBodyText(request);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw statusError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}

/** Sends a JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

/** Sends a Status failure with its code as the HTTP status. */
export function sendStatus(
  response: ServerResponse,
  status: KubeStatus,
  headers: Record<string, string> = {},
): void {
  sendJson(response, status.code, status, headers);
}

/** Sends a Status failure built from parts. */
export function sendFailure(response: ServerResponse, code: number, reason: string, message: string): void {
  sendStatus(response, makeStatus(code, reason, message));
}
