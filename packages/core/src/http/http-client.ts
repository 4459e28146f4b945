import { type Dispatcher, request as undiciRequest } from 'undici';
import type { ZodType, z } from 'zod';
import { GitOpsKitError } from '../errors/gitops-kit-error.js';
import { HttpError, type HttpErrorOptions } from '../errors/http-error.js';
import { AuthenticationError, ResponseParseError } from '../errors/transport-errors.js';
import { createRedactingLogger, defaultLogger, type Logger } from '../logger/logger.js';
import { redactUrl, registerSecret } from '../redaction/redactor.js';
import { retry } from '../retry/retry.js';
import { parseRetryAfterMs } from '../retry/retry-after.js';
import { isIdempotentMethod, type RetryOptions, resolveRetryOptions } from '../retry/retry-options.js';
import { createCallSignal } from '../timeouts/call-signal.js';
import { parseWithSchema } from '../validation/parse-with-schema.js';
import { CORE_VERSION } from '../version.js';
import { checkTlsOptions, createDispatcher } from './create-dispatcher.js';
import type {
  HttpClientOptions,
  HttpErrorResponseInfo,
  HttpHeaders,
  HttpRequestOptions,
  HttpResponse,
  HttpResponseInfo,
  HttpResponseType,
  HttpStreamOptions,
  HttpStreamResponse,
  TokenProvider,
} from './http-types.js';
import { cancelBody, type ReadableBody, readBodyPrefix, readBodyWithLimit } from './read-body.js';
import { buildRequestUrl, parseBaseUrl } from './request-url.js';
import { safeJsonParse } from './safe-json-parse.js';
import { toTransportError } from './transport-error.js';

/** Default per-attempt network timeouts, in milliseconds. */
export const DEFAULT_HTTP_TIMEOUTS: Readonly<{ connectMs: number; headersMs: number; bodyMs: number }> =
  Object.freeze({
    // undici's own default.
    connectMs: 10_000,
    // undici waits 300 s; API servers answer in well under a second, so a hung one should surface sooner.
    headersMs: 30_000,
    bodyMs: 30_000,
  });

/** Default limit for a whole `request()` call (every attempt and backoff sleep), in milliseconds. */
export const DEFAULT_CALL_TIMEOUT_MS = 120_000;

/** Default largest response body `request()` reads, in bytes (64 MiB: a big Argo CD application list fits). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** How much of an error response is read, in bytes; the rest is discarded. */
const ERROR_BODY_LIMIT_BYTES = 64 * 1024;

type UndiciResponse = Dispatcher.ResponseData;

/** Everything one call needs, resolved once. */
interface PreparedCall {
  method: string;
  url: URL;
  /** Redacted, for messages. */
  safeUrl: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  now: () => number;
  auth: { refreshed: boolean };
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const copy: Record<string, string> = {};
  if (!headers) return copy;
  for (const [name, value] of Object.entries(headers)) copy[name.toLowerCase()] = value;
  return copy;
}

function normaliseHeaders(headers: Record<string, string | string[] | undefined>): HttpHeaders {
  const copy: HttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) copy[name] = value;
  return copy;
}

function firstHeader(headers: HttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function mediaTypeOf(headers: HttpHeaders): string | undefined {
  const value = firstHeader(headers, 'content-type');
  const mediaType = value?.split(';')[0]?.trim().toLowerCase();
  return mediaType ? mediaType : undefined;
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType === 'text/json' || mediaType.endsWith('+json');
}

function contentLengthOf(headers: HttpHeaders): number | undefined {
  const value = firstHeader(headers, 'content-length');
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

function serialiseBody(body: unknown, headers: Record<string, string>): string | Uint8Array | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return body;
  }
  if (body instanceof Uint8Array) {
    headers['content-type'] ??= 'application/octet-stream';
    return body;
  }
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}

/** A short, single-line server message from a JSON error body (`message` or `error`), for the error text. */
function serverMessageOf(bodyJson: unknown): string | undefined {
  if (typeof bodyJson !== 'object' || bodyJson === null) return undefined;
  const record = bodyJson as Record<string, unknown>;
  const candidate = typeof record.message === 'string' ? record.message : record.error;
  if (typeof candidate !== 'string' || candidate.trim() === '') return undefined;
  const line = candidate.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function mergeRetry(
  clientRetry: Partial<RetryOptions> | false | undefined,
  callRetry: Partial<RetryOptions> | false | undefined,
): RetryOptions {
  if (callRetry === false || (clientRetry === false && callRetry === undefined)) {
    return resolveRetryOptions({ maxAttempts: 1 });
  }
  return resolveRetryOptions(clientRetry === false ? undefined : clientRetry, callRetry);
}

/**
 * The HTTP transport every gitops-kit client uses, on undici 7.
 *
 * - One keep-alive connection pool per client; TLS verification on unless `tls.insecureSkipVerify` (one warning).
 * - HTTPS_PROXY / HTTP_PROXY / NO_PROXY honoured by default through undici's `EnvHttpProxyAgent`.
 * - Bearer tokens from a `tokenProvider`, refreshed once per call after a 401; then `AuthenticationError`.
 * - Retries (full-jitter backoff, `Retry-After` within a bound) for idempotent methods only, unless told otherwise.
 * - Per-attempt connect/headers/body timeouts plus a per-call `timeoutMs` and `signal`.
 * - Bodies are capped (`maxResponseBytes`), JSON is checked against `Content-Type`, parsed without prototype
 *   pollution and optionally validated with a zod schema. Every error is typed and redacted.
 *
 * @example
 * ```ts
 * const http = new HttpClient({ baseUrl: 'https://argocd.example.com', tokenProvider: async () => token });
 * const { data } = await http.request({ path: '/api/v1/applications/demo', schema: applicationSchema });
 * await http.close();
 * ```
 */
export class HttpClient {
  readonly #base: { origin: string; pathPrefix: string };
  readonly #headers: Record<string, string>;
  readonly #tokenProvider: TokenProvider | undefined;
  readonly #timeouts: { connectMs: number; headersMs: number; bodyMs: number };
  readonly #timeoutMs: number;
  readonly #retry: Partial<RetryOptions> | false | undefined;
  readonly #maxResponseBytes: number;
  readonly #dispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  #closed = false;
  #destroyed = false;
  readonly #logger: Logger;
  readonly #onResponse: ((info: HttpResponseInfo) => void) | undefined;
  readonly #errorFromResponse: ((info: HttpErrorResponseInfo) => Error | undefined) | undefined;

  /**
   * @throws {ValidationError} when `baseUrl` is invalid, has credentials, a query or a fragment, or when `tls.ca`
   *   and `tls.insecureSkipVerify` are both set.
   * @throws {RangeError} when a timeout, size or retry option is out of range.
   */
  constructor(options: HttpClientOptions) {
    this.#base = parseBaseUrl(options.baseUrl);
    this.#logger = createRedactingLogger(options.logger ?? defaultLogger);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (/^(authorization|proxy-authorization|cookie)$/i.test(name))
        registerSecret(value.replace(/^\S+\s+/, ''));
    }
    this.#headers = {
      'user-agent': options.userAgent ?? `gitops-kit/${CORE_VERSION}`,
      ...lowerCaseKeys(options.headers),
    };
    this.#tokenProvider = options.tokenProvider;
    this.#timeouts = {
      connectMs: options.timeouts?.connectMs ?? DEFAULT_HTTP_TIMEOUTS.connectMs,
      headersMs: options.timeouts?.headersMs ?? DEFAULT_HTTP_TIMEOUTS.headersMs,
      bodyMs: options.timeouts?.bodyMs ?? DEFAULT_HTTP_TIMEOUTS.bodyMs,
    };
    for (const [name, value] of Object.entries(this.#timeouts)) {
      if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`timeouts.${name} must be >= 0`);
    }
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(this.#maxResponseBytes > 0)) throw new RangeError('maxResponseBytes must be > 0');
    this.#retry = options.retry;
    mergeRetry(this.#retry, undefined); // validates the table now rather than on the first call
    this.#onResponse = options.onResponse;
    this.#errorFromResponse = options.errorFromResponse;
    // Checked even with an injected dispatcher (which ignores `tls`): the contradiction is the caller's mistake.
    checkTlsOptions(options.tls);
    if (options.tls?.insecureSkipVerify === true) {
      this.#logger.warn(
        `gitops-kit: TLS certificate verification is disabled for ${this.#base.origin} (tls.insecureSkipVerify); anyone on the network path can read and change this traffic. Use only for testing.`,
      );
    }
    if (options.dispatcher) {
      this.#dispatcher = options.dispatcher;
      this.#ownsDispatcher = false;
    } else {
      this.#dispatcher = createDispatcher({
        tls: options.tls,
        connectTimeoutMs: this.#timeouts.connectMs,
        proxy: options.proxy ?? 'env',
      });
      this.#ownsDispatcher = true;
    }
  }

  /** The base URL (origin and path prefix). */
  get baseUrl(): string {
    return `${this.#base.origin}${this.#base.pathPrefix}`;
  }

  /**
   * Sends one request (retrying as configured) and reads the whole body.
   *
   * @returns Status, headers and `data`: parsed JSON (validated when `schema` is given), text, or `undefined`.
   * @throws {HttpError} for an error status (or the `errorFromResponse` hook's error).
   * @throws {AuthenticationError} for a 401 that a token refresh did not cure.
   * @throws {TimeoutError} when a connect/headers/body timeout or `timeoutMs` runs out.
   * @throws {AbortError} when `signal` aborts.
   * @throws {ConnectionError} when the connection fails (`causeCode` tells how).
   * @throws {ResponseTooLargeError} when the body exceeds `maxResponseBytes`.
   * @throws {ResponseParseError} when a JSON response is not JSON (HTML proxy pages, truncated bodies).
   * @throws {ResponseValidationError} when the JSON does not match `schema`.
   * @throws {ValidationError} when `path` is an absolute URL.
   * @example
   * ```ts
   * const { data } = await http.request({ path: '/api/v1/applications', query: { project: ['a', 'b'] }, schema });
   * ```
   */
  request<Schema extends ZodType>(
    options: HttpRequestOptions & { schema: Schema },
  ): Promise<HttpResponse<z.output<Schema>>>;
  request<T = unknown>(options: HttpRequestOptions): Promise<HttpResponse<T>>;
  async request(options: HttpRequestOptions): Promise<HttpResponse<unknown>> {
    const retryOptions = mergeRetry(this.#retry, options.retry);
    const prepared = this.#prepare(
      options,
      options.responseType ?? 'json',
      this.#timeouts.bodyMs,
      retryOptions,
    );
    const limitBytes = options.maxResponseBytes ?? this.#maxResponseBytes;
    const call = createCallSignal(options.signal, options.timeoutMs ?? this.#timeoutMs);
    try {
      return await retry(
        async ({ attempt, signal }) => {
          const response = await this.#send(prepared, attempt, signal);
          return await this.#readResponse(response, prepared, options, limitBytes, signal);
        },
        {
          ...retryOptions,
          signal: call.signal,
          idempotent: options.idempotent ?? isIdempotentMethod(prepared.method),
          onRetry: (info) => {
            this.#logger.debug(
              `gitops-kit: ${prepared.method} ${prepared.safeUrl} attempt ${info.attempt} failed (${describe(info.error)}); retrying in ${info.delayMs} ms`,
            );
            retryOptions.onRetry?.(info);
          },
        },
      );
    } finally {
      call.dispose();
    }
  }

  /**
   * Opens a long-lived streaming response (Server-Sent Events, a Kubernetes watch). Only the opening request is
   * retried; `timeoutMs` limits the wait for headers; the body has no timeout unless `idleTimeoutMs` is set.
   * The caller must iterate `body` to its end or call `close()`.
   *
   * @throws {HttpError} / {@link AuthenticationError} / {@link TimeoutError} / {@link AbortError} /
   *   {@link ConnectionError} as {@link HttpClient.request} does, while opening; the body iterator throws
   *   `ConnectionError`, `TimeoutError` (idle) or `AbortError`.
   * @example
   * ```ts
   * const stream = await http.stream({ path: '/api/v1/stream/applications', query: { name: 'demo' }, signal });
   * for await (const event of readServerSentEvents(stream.body, { signal })) handle(event);
   * ```
   */
  async stream(options: HttpStreamOptions): Promise<HttpStreamResponse> {
    const retryOptions = mergeRetry(this.#retry, options.retry);
    const idleTimeoutMs = options.idleTimeoutMs ?? 0;
    const prepared = this.#prepare(options, 'stream', idleTimeoutMs, retryOptions);
    const call = createCallSignal(options.signal, options.timeoutMs);
    let response: UndiciResponse;
    try {
      response = await retry(({ attempt, signal }) => this.#send(prepared, attempt, signal), {
        ...retryOptions,
        signal: call.signal,
        idempotent: options.idempotent ?? isIdempotentMethod(prepared.method),
      });
    } finally {
      // Only the wait for headers is limited; from here on only the caller's signal (or close) ends the body.
      call.dispose();
    }
    const raw = response.body;
    let closedByCaller = false;
    const context = {
      method: prepared.method,
      url: prepared.safeUrl,
      signal: options.signal,
      headersTimeoutMs: prepared.headersTimeoutMs,
      bodyTimeoutMs: idleTimeoutMs,
    };
    async function* chunks(): AsyncGenerator<Uint8Array, void, undefined> {
      try {
        for await (const chunk of raw as AsyncIterable<Uint8Array>) yield chunk;
      } catch (error) {
        if (closedByCaller) return;
        throw toTransportError(error, context);
      } finally {
        cancelBody(raw as ReadableBody);
      }
    }
    return {
      status: response.statusCode,
      headers: normaliseHeaders(response.headers),
      body: chunks(),
      close: () => {
        closedByCaller = true;
        cancelBody(raw as ReadableBody);
      },
    };
  }

  /**
   * Closes the client's own connection pool gracefully: requests in flight (and open streams) finish first. An
   * injected dispatcher is left open. Idempotent.
   *
   * @example
   * ```ts
   * await http.close();
   * ```
   */
  async close(): Promise<void> {
    if (!this.#ownsDispatcher || this.#closed) return;
    this.#closed = true;
    await this.#dispatcher.close();
  }

  /**
   * Closes the client's own connection pool at once, failing requests in flight and ending open streams. An
   * injected dispatcher is left alone. Idempotent.
   *
   * @example
   * ```ts
   * await http.destroy();
   * ```
   */
  async destroy(): Promise<void> {
    if (!this.#ownsDispatcher || this.#destroyed) return;
    this.#closed = true;
    this.#destroyed = true;
    await this.#dispatcher.destroy();
  }

  #prepare(
    options: HttpRequestOptions | HttpStreamOptions,
    responseType: HttpResponseType | 'stream',
    bodyTimeoutMs: number,
    retryOptions: RetryOptions,
  ): PreparedCall {
    const method = (options.method ?? 'GET').toUpperCase();
    const url = buildRequestUrl(this.#base, options.path, options.query);
    const headers: Record<string, string> = {
      accept: responseType === 'json' ? 'application/json' : '*/*',
      ...this.#headers,
      ...lowerCaseKeys(options.headers),
    };
    for (const name of ['authorization', 'proxy-authorization', 'cookie']) {
      const value = options.headers?.[name] ?? headers[name];
      if (value) registerSecret(value.replace(/^\S+\s+/, ''));
    }
    const body = serialiseBody(options.body, headers);
    return {
      method,
      url,
      safeUrl: redactUrl(url),
      headers,
      body,
      headersTimeoutMs: this.#timeouts.headersMs,
      bodyTimeoutMs,
      now: retryOptions.now,
      auth: { refreshed: false },
    };
  }

  /** One attempt up to the response headers; a 2xx response is returned with its body unread. */
  async #send(
    prepared: PreparedCall,
    attempt: number,
    signal: AbortSignal | undefined,
  ): Promise<UndiciResponse> {
    const context = {
      method: prepared.method,
      url: prepared.safeUrl,
      signal,
      headersTimeoutMs: prepared.headersTimeoutMs,
      bodyTimeoutMs: prepared.bodyTimeoutMs,
    };
    for (;;) {
      const headers = { ...prepared.headers };
      if (this.#tokenProvider && headers.authorization === undefined) {
        const token = await this.#token(prepared.auth.refreshed, signal);
        if (token) headers.authorization = `Bearer ${token}`;
      }
      let response: UndiciResponse;
      try {
        response = await undiciRequest(prepared.url, {
          method: prepared.method as Dispatcher.HttpMethod,
          headers,
          dispatcher: this.#dispatcher,
          headersTimeout: prepared.headersTimeoutMs,
          bodyTimeout: prepared.bodyTimeoutMs,
          ...(prepared.body === undefined ? {} : { body: prepared.body }),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw toTransportError(error, context);
      }
      const responseHeaders = normaliseHeaders(response.headers);
      this.#notify({
        status: response.statusCode,
        headers: responseHeaders,
        method: prepared.method,
        url: prepared.safeUrl,
      });
      if (response.statusCode >= 200 && response.statusCode < 300) return response;
      if (
        response.statusCode === 401 &&
        this.#tokenProvider &&
        !prepared.auth.refreshed &&
        prepared.headers.authorization === undefined
      ) {
        // One refresh per call: a second 401 means the new credentials are refused too, and looping could lock
        // the account (Argo CD refuses all logins after 5 failures in 300 s).
        prepared.auth.refreshed = true;
        await readBodyPrefix(response.body as ReadableBody, 0);
        this.#logger.debug(
          `gitops-kit: ${prepared.method} ${prepared.safeUrl} got 401; refreshing the token once`,
        );
        continue;
      }
      throw await this.#errorFor(response, responseHeaders, prepared, attempt);
    }
  }

  async #token(forceRefresh: boolean, signal: AbortSignal | undefined): Promise<string | undefined> {
    const provider = this.#tokenProvider;
    if (!provider) return undefined;
    let token: string | undefined;
    try {
      token = await provider(signal ? { forceRefresh, signal } : { forceRefresh });
    } catch (error) {
      if (GitOpsKitError.isInstance(error)) throw error;
      throw new AuthenticationError('The token provider failed to supply a token', { cause: error });
    }
    registerSecret(token);
    return token;
  }

  #notify(info: HttpResponseInfo): void {
    if (!this.#onResponse) return;
    try {
      this.#onResponse(info);
    } catch (error) {
      this.#logger.warn(`gitops-kit: the onResponse hook threw (${describe(error)}); ignoring it`);
    }
  }

  async #errorFor(
    response: UndiciResponse,
    headers: HttpHeaders,
    prepared: PreparedCall,
    attempt: number,
  ): Promise<Error> {
    const bodyText = await readBodyPrefix(response.body as ReadableBody, ERROR_BODY_LIMIT_BYTES);
    const mediaType = mediaTypeOf(headers);
    let bodyJson: unknown;
    if ((mediaType === undefined || isJsonMediaType(mediaType)) && /^\s*[[{"]/.test(bodyText)) {
      try {
        bodyJson = safeJsonParse(bodyText);
      } catch {
        bodyJson = undefined;
      }
    }
    const retryAfterMs = parseRetryAfterMs(headers['retry-after'], prepared.now());
    const requestId = firstHeader(headers, 'x-request-id') ?? firstHeader(headers, 'x-correlation-id');
    const status = response.statusCode;
    const httpErrorOptions: HttpErrorOptions = {
      status,
      method: prepared.method,
      url: prepared.url,
      body: bodyText,
      attempts: attempt,
      headers,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(requestId === undefined ? {} : { requestId }),
    };
    const custom = this.#errorFromResponse?.({
      status,
      headers,
      method: prepared.method,
      url: prepared.safeUrl,
      bodyText,
      bodyJson,
      retryAfterMs,
      attempt,
      httpErrorOptions,
    });
    if (custom) return custom;
    const serverMessage = serverMessageOf(bodyJson);
    const message = `${prepared.method} ${prepared.safeUrl} failed with HTTP ${status}${serverMessage ? `: ${serverMessage}` : ''}`;
    if (status === 401) {
      return new AuthenticationError(
        `${message}${this.#tokenProvider ? ' (after one token refresh)' : ''}; check the credentials`,
        { status, cause: new HttpError(message, httpErrorOptions) },
      );
    }
    return new HttpError(message, httpErrorOptions);
  }

  async #readResponse(
    response: UndiciResponse,
    prepared: PreparedCall,
    options: HttpRequestOptions,
    limitBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse<unknown>> {
    const headers = normaliseHeaders(response.headers);
    const status = response.statusCode;
    const responseType = options.responseType ?? 'json';
    const description = `${prepared.method} ${prepared.safeUrl}`;
    let buffer: Buffer;
    try {
      if (responseType === 'none') {
        await readBodyPrefix(response.body as ReadableBody, 0);
        return { status, headers, data: undefined };
      }
      buffer = await readBodyWithLimit(
        response.body as ReadableBody,
        limitBytes,
        contentLengthOf(headers),
        description,
      );
    } catch (error) {
      throw toTransportError(error, {
        method: prepared.method,
        url: prepared.safeUrl,
        signal,
        headersTimeoutMs: prepared.headersTimeoutMs,
        bodyTimeoutMs: prepared.bodyTimeoutMs,
      });
    }
    const text = buffer.toString('utf8');
    if (responseType === 'text') return { status, headers, data: text };
    let data: unknown;
    const mediaType = mediaTypeOf(headers);
    if (text.trim() === '') {
      data = undefined;
    } else if (mediaType !== undefined && !isJsonMediaType(mediaType)) {
      throw new ResponseParseError(
        `${description}: expected JSON but the server sent ${mediaType} (HTTP ${status}); a proxy, a login page or a wrong baseUrl may be in the way`,
        { status, contentType: mediaType, body: text },
      );
    } else {
      try {
        data = safeJsonParse(text);
      } catch (error) {
        throw new ResponseParseError(`${description}: the response is not valid JSON (HTTP ${status})`, {
          status,
          body: text,
          ...(mediaType === undefined ? {} : { contentType: mediaType }),
          cause: error instanceof Error ? new SyntaxError('invalid JSON') : undefined,
        });
      }
    }
    if (options.schema) data = parseWithSchema(options.schema, data, description);
    return { status, headers, data };
  }
}

function describe(error: unknown): string {
  if (GitOpsKitError.isInstance(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
