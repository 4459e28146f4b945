import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusError } from '../kube-status.js';
import { type OpenApiDocument, openApiDocuments } from './openapi-documents.js';

/** The media type client-go's discovery client asks /openapi/v2 for. */
const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** The first of `offered` that the Accept header allows, in the header's order (none → the first offered). */
function negotiate(request: IncomingMessage, offered: string[]): string | undefined {
  const accept = request.headers.accept ?? '';
  if (accept.trim() === '') return offered[0];
  for (const entry of accept.split(',')) {
    const type = entry.split(';')[0]?.trim() ?? '';
    if (type === '*/*' || type === 'application/*') return offered[0];
    if (offered.includes(type)) return type;
  }
  return undefined;
}

function accepts(request: IncomingMessage, mediaType: string): boolean {
  return negotiate(request, [mediaType]) !== undefined;
}

function sendDocument(request: IncomingMessage, response: ServerResponse, document: OpenApiDocument): void {
  // A client that accepts none of the served forms gets 406, as the API server answers an unsupported Accept.
  if (!accepts(request, 'application/json')) {
    throw statusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
  }
  const etag = `"${document.hash}"`;
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, { etag });
    response.end();
    return;
  }
  response.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(document.json)),
    etag,
  });
  response.end(document.json);
}

/**
 * Serves `/openapi/v2` (one swagger 2 document, as JSON or as gnostic protobuf per Accept), `/openapi/v3` (the index: each group-version's path with its
 * `serverRelativeURL`, hash included, as client-go's cached OpenAPI v3 client expects) and
 * `/openapi/v3/<api/v1 | apis/group/version>` (OpenAPI 3.0 per group-version).
 *
 * @throws KubeEmulatorStatusError 404 for an unknown document, 406 when the client does not accept JSON.
 */
export function handleOpenApi(path: string, request: IncomingMessage, response: ServerResponse): void {
  const documents = openApiDocuments();
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/openapi/v2') {
    if (negotiate(request, ['application/json', OPENAPI_V2_PROTOBUF]) === OPENAPI_V2_PROTOBUF) {
      // kube-openapi answers this Accept with `application/octet-stream`: the '@' in the requested type is not
      // valid in a Content-Type, and client-go's mime parsing would refuse it.
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(documents.v2Protobuf.length),
        etag: `"${documents.v2.hash}"`,
      });
      response.end(documents.v2Protobuf);
      return;
    }
    sendDocument(request, response, documents.v2);
    return;
  }
  if (trimmed === '/openapi/v3') {
    const paths = Object.fromEntries(
      [...documents.v3].map(([key, document]) => [
        key,
        { serverRelativeURL: `/openapi/v3/${key}?hash=${document.hash}` },
      ]),
    );
    const json = JSON.stringify({ paths });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(json)),
    });
    response.end(json);
    return;
  }
  const document = documents.v3.get(trimmed.replace(/^\/openapi\/v3\//, ''));
  if (document === undefined || !trimmed.startsWith('/openapi/v3/'))
    throw statusError(404, 'NotFound', 'the server could not find the requested resource');
  sendDocument(request, response, document);
}
