import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { type KubeStatus, makeStatus, statusError } from './kube-status.js';
import { decodeKubernetesProtobuf } from './protobuf-body.js';

/** The API server's request body limit (3 MiB). */
export const MAXIMUM_REQUEST_BODY_BYTES = 3 * 1024 * 1024;

/** Reads a request body as text, rejecting bodies over the limit with 413. */
export async function readBodyText(request: IncomingMessage): Promise<string> {
  return (await readBodyBuffer(request)).toString('utf8');
}

/** Reads a request body, rejecting bodies over the limit with 413. */
export async function readBodyBuffer(request: IncomingMessage): Promise<Buffer> {
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
  return Buffer.concat(chunks);
}

const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** The media types a create or update body may have (the API server's serializers). */
const BODY_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE];

/**
 * Reads and parses a create/update body: JSON, YAML or (for the built-in kinds kubectl's typed clients send
 * that way) Kubernetes protobuf, as the API server accepts all three. Any other media type is answered with 415
 * UnsupportedMediaType, as the API server answers a media type it has no serializer for.
 *
 * @throws KubeEmulatorStatusError 415 for another media type, 400 for a body that does not parse.
 */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const mediaType = (request.headers['content-type'] ?? 'application/json')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (mediaType === PROTOBUF_MEDIA_TYPE) return decodeKubernetesProtobuf(await readBodyBuffer(request));
  if (mediaType !== undefined && mediaType !== '' && !BODY_MEDIA_TYPES.includes(mediaType)) {
    throw statusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${BODY_MEDIA_TYPES.join(', ')}`,
    );
  }
  const text = await readBodyText(request);
  try {
    return mediaType === 'application/yaml' ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch {
    throw statusError(
      400,
      'BadRequest',
      `the request body is not valid ${mediaType === 'application/yaml' ? 'YAML' : 'JSON'}`,
    );
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
