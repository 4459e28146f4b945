import type { IncomingMessage, ServerResponse } from 'node:http';
import { statusError } from '../kube-status.js';
import { type OpenApiDocument, openApiDocuments } from './openapi-documents.js';

function accepts(request: IncomingMessage, mediaType: string): boolean {
  const accept = request.headers.accept ?? '';
  if (accept === '') return true;
  return accept.split(',').some((entry) => {
    const type = entry.split(';')[0]?.trim() ?? '';
    return type === mediaType || type === '*/*' || type === 'application/*';
  });
}

function sendDocument(request: IncomingMessage, response: ServerResponse, document: OpenApiDocument): void {
  // Only the JSON form is served; a client that accepts nothing else (the protobuf-only Accept of client-go's
  // OpenAPISchema) gets 406, as the API server answers an unsupported Accept.
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
 * Serves `/openapi/v2` (one swagger 2 document), `/openapi/v3` (the index: each group-version's path with its
 * `serverRelativeURL`, hash included, as client-go's cached OpenAPI v3 client expects) and
 * `/openapi/v3/<api/v1 | apis/group/version>` (OpenAPI 3.0 per group-version).
 *
 * @throws KubeEmulatorStatusError 404 for an unknown document, 406 when the client does not accept JSON.
 */
export function handleOpenApi(path: string, request: IncomingMessage, response: ServerResponse): void {
  const documents = openApiDocuments();
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '/openapi/v2') {
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
