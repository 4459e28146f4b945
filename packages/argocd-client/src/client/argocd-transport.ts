import {
  AuthenticationError,
  HttpClient,
  type HttpClientOptions,
  type HttpErrorResponseInfo,
  type HttpResponseInfo,
  type Logger,
  registerSecret,
} from '@gitops-kit/core';
import type { ZodType, z } from 'zod';
import { ArgoCDApiError } from '../errors/argocd-api-error.js';
import { runtimeErrorSchema } from '../schemas/error-schema.js';
import { validateResponse } from '../schemas/fast-check.js';
import type { ArgoCDClientOptions, CallOptions } from './client-options.js';
import { normalizeServerUrl } from './client-options.js';
import type { SessionManager } from './session-manager.js';

/** Query values: arrays become repeated parameters. */
export type QueryValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | ReadonlyArray<string | number | boolean>;

/** One API call. `path` must already be built with `apiPath` (encoded parameters). */
export interface ApiCall<Schema extends ZodType | undefined = undefined> extends CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  schema?: Schema;
  responseType?: 'json' | 'text' | 'none';
  /** Whether the call may be repeated (defaults from the method: POST and PATCH are not). */
  idempotent?: boolean;
  /**
   * The call addresses one application and did not name its project: a 403 may mean "missing"
   * (`ArgoCDApiError.isNotFound()` then says true).
   */
  applicationWithoutProject?: boolean;
  /** Extra headers (e.g. `accept`). */
  headers?: Record<string, string>;
}

const RENEW_TOKEN_HEADER = 'grpc-metadata-renew-token';

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads `argocd.token=<jwt>` from `Set-Cookie` headers (the server renews session tokens there too). */
export function tokenFromSetCookie(value: string | string[] | undefined): string | undefined {
  for (const cookie of Array.isArray(value) ? value : value ? [value] : []) {
    const match = /^\s*argocd\.token=([^;]*)/.exec(cookie);
    if (match?.[1]) return decodeURIComponent(match[1]);
  }
  return undefined;
}

/** Builds an {@link ArgoCDApiError} from an error response (unary grpc-gateway body or anything else). */
export function apiErrorFromResponse(info: HttpErrorResponseInfo): Error | undefined {
  // 401s stay core AuthenticationErrors (raised after the single refresh the core transport allows).
  if (info.status === 401) return undefined;
  const parsed = runtimeErrorSchema.safeParse(info.bodyJson);
  const body = parsed.success ? parsed.data : undefined;
  const serverMessage = body?.message ?? body?.error ?? plainTextMessage(info);
  return new ArgoCDApiError(undefined, {
    ...info.httpErrorOptions,
    ...(body?.code === undefined ? {} : { grpcCode: body.code }),
    ...(serverMessage === undefined ? {} : { serverMessage }),
    ...(body?.details ? { details: body.details } : {}),
  });
}

function plainTextMessage(info: HttpErrorResponseInfo): string | undefined {
  if (info.bodyJson !== undefined) return undefined;
  const contentType = firstHeader(info.headers['content-type']) ?? '';
  if (contentType.includes('html'))
    return `non-JSON ${contentType.split(';')[0]} response (a proxy or a wrong server URL/root path?)`;
  const text = info.bodyText.replace(/\s+/g, ' ').trim();
  return text === '' ? undefined : text.slice(0, 200);
}

/**
 * The Argo CD wire rules on top of the core transport:
 * - `Content-Type: application/json` on every non-GET request, bodiless DELETEs included (else 415);
 * - error bodies become {@link ArgoCDApiError}s (HTTP status, gRPC code/name, message);
 * - renewed session tokens (`Grpc-Metadata-Renew-Token`, `Set-Cookie: argocd.token`) replace the current one;
 * - logins go through a second client without a token provider, so a login can never recurse into itself.
 */
export class ArgoCDTransport {
  readonly http: HttpClient;
  readonly #loginHttp: HttpClient;
  readonly baseUrl: string;

  constructor(options: ArgoCDClientOptions, session: SessionManager, logger: Logger) {
    this.baseUrl = normalizeServerUrl(options.server);
    const onResponse = (info: HttpResponseInfo): void => {
      const renewed =
        firstHeader(info.headers[RENEW_TOKEN_HEADER]) ?? tokenFromSetCookie(info.headers['set-cookie']);
      if (renewed && renewed !== session.currentToken && !info.url.endsWith('/api/v1/session')) {
        registerSecret(renewed);
        logger.debug('argocd: picked up a renewed session token');
        session.setToken(renewed);
      }
    };
    const shared: HttpClientOptions = {
      baseUrl: this.baseUrl,
      userAgent: options.userAgent ?? 'gitops-kit-argocd-client',
      logger,
      onResponse,
      errorFromResponse: apiErrorFromResponse,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
    };
    this.http = new HttpClient({ ...shared, tokenProvider: session.provide });
    this.#loginHttp = new HttpClient({
      ...shared,
      logger: { ...logger, warn: () => {} }, // the insecure-TLS warning is already logged once by `http`
      retry: false, // a login is never repeated blindly (lock-out after 5 failures)
    });
  }

  /** Sends one API call and returns the (validated) body. */
  async call<Schema extends ZodType>(call: ApiCall<Schema> & { schema: Schema }): Promise<z.output<Schema>>;
  async call<T = unknown>(call: ApiCall): Promise<T>;
  async call(call: ApiCall<ZodType | undefined>): Promise<unknown> {
    const method = call.method ?? 'GET';
    try {
      const response = await this.http.request({
        method,
        path: call.path,
        query: call.query,
        headers: { ...(method === 'GET' ? {} : { 'content-type': 'application/json' }), ...call.headers },
        body: call.body,
        signal: call.signal,
        timeoutMs: call.timeoutMs,
        retry: call.retry,
        responseType: call.responseType ?? 'json',
        ...(call.idempotent === undefined ? {} : { idempotent: call.idempotent }),
      });
      // Validated here rather than by the core transport: the compiled fast path returns the parsed JSON itself.
      return call.schema
        ? validateResponse(call.schema, response.data, `${method} ${call.path}`)
        : response.data;
    } catch (error) {
      throw withMissingOrForbidden(error, call.applicationWithoutProject === true);
    }
  }

  /** `POST /api/v1/session` without any token. Returns the session token. */
  async login(credentials: { username: string; password: string }, signal?: AbortSignal): Promise<string> {
    registerSecret(credentials.password);
    try {
      const response = await this.#loginHttp.request<{ token?: unknown }>({
        method: 'POST',
        path: '/api/v1/session',
        headers: { 'content-type': 'application/json' },
        body: { username: credentials.username, password: credentials.password },
        signal,
      });
      const token = response.data?.token;
      if (typeof token !== 'string' || token === '') {
        throw new AuthenticationError('Argo CD accepted the login but returned no session token.');
      }
      registerSecret(token);
      return token;
    } catch (error) {
      if (ArgoCDApiError.isInstance(error) && (error.status === 401 || error.grpcCode === 16)) {
        throw new AuthenticationError(
          `Argo CD login as "${credentials.username}" was refused: ${error.serverMessage ?? 'invalid credentials'}`,
          { status: 401, cause: error },
        );
      }
      throw error;
    }
  }

  /** Closes both connection pools (an injected dispatcher is left open). */
  async close(): Promise<void> {
    await Promise.all([this.http.close(), this.#loginHttp.close()]);
  }
}

function withMissingOrForbidden(error: unknown, applicationWithoutProject: boolean): unknown {
  if (!applicationWithoutProject || !ArgoCDApiError.isInstance(error) || error.status !== 403) return error;
  return error.withMissingOrForbidden();
}
