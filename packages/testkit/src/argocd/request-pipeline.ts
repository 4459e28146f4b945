import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GrpcCode,
  grpcCodeFromHttpStatus,
  httpStatusFromGrpcCode,
  httpStatusText,
  RpcStatusError,
  rpcError,
} from './grpc-status.js';
import { parseJsonBody, readRequestText, sendJson, sendPlainText, sendRpcError } from './http-io.js';
import { sessionCookie } from './routes-session.js';
import { type EmulatorState, type RouteContext, type Router, STREAMED } from './routing.js';
import type { EmulatorPrincipal } from './sessions.js';
import type { ArgoCDSwaggerValidator } from './swagger-validator.js';

/** One request the emulator answered, for assertions (no headers or bodies, so no secrets). */
export interface ArgoCDRequestRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  /** Whether the request carried a token (header or cookie). */
  authenticated: boolean;
  atMs: number;
}

/** Settings for {@link handleRequest}. */
export interface PipelineOptions {
  state: EmulatorState;
  router: Router;
  validator: ArgoCDSwaggerValidator | undefined;
  /** Decodes bodies with Go's null semantics (always present, even when validation is off). */
  decoder: Pick<ArgoCDSwaggerValidator, 'decodeBody'>;
  requireJsonContentType: boolean;
  records: ArgoCDRequestRecord[];
}

function tokenFrom(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization?.toLowerCase().startsWith('bearer ')) {
    const token = authorization.slice(7).trim();
    // server/server.go only takes the header when it looks like a JWT.
    if (token.split('.').length === 3) return token;
  }
  const cookies = (request.headers.cookie ?? '').split(';').map((cookie) => cookie.trim());
  return (
    cookies.find((cookie) => cookie.startsWith('argocd.token='))?.slice('argocd.token='.length) || undefined
  );
}

/** Server-streaming RPCs: watches and pod logs (grpc-gateway answers their errors with a stream error chunk). */
function isStreamPath(path: string): boolean {
  return (
    path.startsWith('/api/v1/stream/') || /^\/api\/v1\/applications\/[^/]+\/(pods\/[^/]+\/)?logs$/.test(path)
  );
}

/** Renders a failure the way grpc-gateway does: unary `{error, code, message}`, or a stream error chunk. */
function sendFailure(
  response: ServerResponse,
  path: string,
  error: RpcStatusError,
  headers: Record<string, string | string[]>,
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (isStreamPath(path)) {
    const httpCode = httpStatusFromGrpcCode(error.code);
    const body = {
      error: {
        grpc_code: error.code,
        http_code: httpCode,
        message: error.message,
        http_status: httpStatusText(httpCode),
        details: [],
      },
    };
    sendJson(response, httpCode, body, headers as Record<string, string>);
    return;
  }
  sendRpcError(response, error, headers as Record<string, string>);
}

/** Answers an injected status fault with exactly its HTTP status and a grpc-gateway body. */
function sendStatusFault(
  response: ServerResponse,
  fault: { status: number; message?: string; retryAfter?: string },
): void {
  const error = new RpcStatusError(
    grpcCodeFromHttpStatus(fault.status),
    fault.message ?? httpStatusText(fault.status).toLowerCase(),
  );
  const headers: Record<string, string> =
    fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {};
  sendRpcError(response, error, headers, fault.status);
}

/**
 * Runs one request through the emulator: faults, the 415 content-type rule, routing, authentication (with token
 * renewal headers), swagger body validation, the handler, and after-handling faults.
 */
export async function handleRequest(
  options: PipelineOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { state, router, validator } = options;
  const method = (request.method ?? 'GET').toUpperCase();
  const url = new URL(request.url ?? '/', 'http://emulator.invalid');
  const path = url.pathname;
  const record: ArgoCDRequestRecord = {
    method,
    path,
    query: url.search,
    status: 0,
    authenticated: tokenFrom(request) !== undefined,
    atMs: state.clock(),
  };
  options.records.push(record);
  response.on('finish', () => {
    record.status = response.statusCode;
  });
  const { faults } = state;

  const delay = faults.take(['delay'], method, path);
  // A delayed answer is abandoned when the client goes away, so long delays never outlive the test.
  const gone = new AbortController();
  response.on('close', () => gone.abort());
  const pause = (ms: number) =>
    sleep(ms, undefined, { signal: gone.signal }).then(
      () => true,
      () => false,
    );
  if (delay && (delay.phase ?? 'headers') === 'headers' && !(await pause(delay.delayMs))) return;
  const raw = faults.take(['raw'], method, path);
  if (raw) {
    request.resume();
    const headers: Record<string, string | number> = { ...(raw.headers ?? { 'Content-Type': 'text/html' }) };
    if (!raw.chunked) headers['Content-Length'] = Buffer.byteLength(raw.body);
    response.writeHead(raw.status, headers);
    if (raw.chunked) {
      // Writing before end() makes Node use chunked encoding instead of a Content-Length.
      response.write(raw.body);
      response.end();
    } else {
      response.end(raw.body);
    }
    return;
  }
  const early = faults.take(['status', 'reset'], method, path, (fault) => fault.afterHandling !== true);
  if (early) {
    if (early.kind === 'reset') {
      request.socket.destroy();
      return;
    }
    request.resume();
    sendStatusFault(response, early);
    return;
  }

  // server/server.go enforceContentTypes: every non-GET needs application/json, DELETE included.
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (options.requireJsonContentType && method !== 'GET' && contentType !== 'application/json') {
    request.resume();
    sendPlainText(response, 415, 'Invalid content type');
    return;
  }

  const matched = router.match(method, path);
  if (!matched) {
    request.resume();
    sendPlainText(response, 404, 'Not Found');
    return;
  }

  const responseHeaders: Record<string, string | string[]> = {};
  try {
    let principal: EmulatorPrincipal | undefined;
    const token = tokenFrom(request);
    if (token) {
      try {
        const verified = state.sessions.verify(token, state.clock());
        principal = verified.principal;
        if (verified.renewedToken) {
          // server/server.go: renewed login tokens go back as a cookie and as the renew-token gRPC header.
          responseHeaders['Set-Cookie'] = sessionCookie(verified.renewedToken, state.tls);
          responseHeaders['Grpc-Metadata-Renew-Token'] = verified.renewedToken;
        }
      } catch (error) {
        if (matched.route.auth === 'required') throw error;
      }
    }
    if (!principal && matched.route.auth === 'required')
      throw rpcError(GrpcCode.Unauthenticated, 'no session information');

    const text = await readRequestText(request);
    // Go's encoding/json ignores nulls: every handler sees the body the real gateway would decode.
    const body = options.decoder.decodeBody(method, path, parseJsonBody(text));
    if (validator) {
      const validation = validator.validateRequest({ method, path, query: url.searchParams, body });
      const bodyIssue = validation.issues.find((issue) => issue.location === 'body');
      if (bodyIssue) throw rpcError(GrpcCode.InvalidArgument, bodyIssue.message);
    }

    const context: RouteContext = {
      state,
      method,
      path,
      params: matched.params,
      query: url.searchParams,
      body,
      principal,
      request,
      response,
      responseHeaders,
    };
    const result = await matched.route.handler(context);
    if (result === STREAMED) return;

    const late = faults.take(['status', 'reset'], method, path, (fault) => fault.afterHandling === true);
    if (late) {
      if (late.kind === 'reset') {
        request.socket.destroy();
        return;
      }
      sendStatusFault(response, late);
      return;
    }
    if (delay && delay.phase === 'body') {
      const textBody = JSON.stringify(result ?? {});
      response.writeHead(200, { 'Content-Type': 'application/json', ...responseHeaders });
      response.flushHeaders();
      if (!(await pause(delay.delayMs))) return;
      response.end(textBody);
      return;
    }
    sendJson(response, 200, result ?? {}, responseHeaders as Record<string, string>);
  } catch (error) {
    request.resume();
    const failure =
      error instanceof RpcStatusError
        ? error
        : rpcError(GrpcCode.Unknown, (error as Error).message ?? String(error));
    sendFailure(response, path, failure, responseHeaders);
  }
}
