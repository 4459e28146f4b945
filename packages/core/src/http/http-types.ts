import type { Dispatcher } from 'undici';
import type { ZodType } from 'zod';
import type { HttpErrorOptions } from '../errors/http-error.js';
import type { Logger } from '../logger/logger.js';
import type { RetryOptions } from '../retry/retry-options.js';

/**
 * Supplies the bearer token for a request. Called before every attempt with `forceRefresh: false` (return a cached
 * token), and at most once per call with `forceRefresh: true` after a 401 (obtain a new one, e.g. log in again).
 * Return `undefined` to send no `Authorization` header. Every token returned is registered for redaction.
 */
export type TokenProvider = (context: {
  forceRefresh: boolean;
  signal?: AbortSignal | undefined;
}) => Promise<string | undefined>;

/** TLS settings for HTTPS servers. Verification is on unless `insecureSkipVerify` is set. */
export interface HttpTlsOptions {
  /** Certificate authorities to trust instead of Node's bundle (PEM). */
  ca?: string | Buffer | Array<string | Buffer> | undefined;
  /** Client certificate (PEM) for mutual TLS. */
  cert?: string | Buffer | undefined;
  /** Client private key (PEM) for mutual TLS. */
  key?: string | Buffer | undefined;
  /** Passphrase of `key`. Registered for redaction. */
  passphrase?: string | undefined;
  /** The name to verify the server certificate against (SNI), when it differs from the URL host. */
  servername?: string | undefined;
  /** Skip certificate verification. Dangerous: logs one warning per client. Default `false`. */
  insecureSkipVerify?: boolean | undefined;
}

/** Per-attempt network timeouts, in milliseconds (`0` disables one). */
export interface HttpTimeouts {
  /** Establishing the TCP + TLS connection. Default 10 000 (undici's default). */
  connectMs?: number | undefined;
  /** From sending the request until the response headers arrive. Default 30 000. */
  headersMs?: number | undefined;
  /** The longest pause between two body chunks. Default 30 000. */
  bodyMs?: number | undefined;
}

/** Where requests go through a proxy: `'env'` reads HTTPS_PROXY/HTTP_PROXY/NO_PROXY; `false` never; or one URL. */
export type HttpProxySetting = 'env' | false | { url: string };

/** Response headers as undici reports them (lower-case names). */
export type HttpHeaders = Record<string, string | string[]>;

/** What {@link HttpClientOptions.onResponse} sees for every response, before its body is read. */
export interface HttpResponseInfo {
  status: number;
  /** Raw headers — they may hold credentials (`set-cookie`); never log them unredacted. */
  headers: HttpHeaders;
  method: string;
  /** The request URL, redacted. */
  url: string;
}

/** What {@link HttpClientOptions.errorFromResponse} is given for every error status. */
export interface HttpErrorResponseInfo extends HttpResponseInfo {
  /** The body as text, capped (64 KiB) — not redacted: parse it, do not log it. */
  bodyText: string;
  /** The body parsed as JSON when it is JSON (prototype-pollution safe), else `undefined`. */
  bodyJson: unknown;
  /** The server's `Retry-After`, parsed. */
  retryAfterMs: number | undefined;
  /** 1 for the first attempt. */
  attempt: number;
  /** Ready-made options for `new HttpError(message, options)` or a subclass. */
  httpErrorOptions: HttpErrorOptions;
}

/** Query values; arrays become repeated parameters, `undefined`/`null` are left out. */
export type HttpQueryValue =
  | string
  | number
  | boolean
  | null
  | undefined
  | ReadonlyArray<string | number | boolean>;

/** Options of {@link HttpClient}. */
export interface HttpClientOptions {
  /** Base URL, possibly with a path prefix (`https://argocd.example.com/argocd`). No credentials in it. */
  baseUrl: string | URL;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** The `User-Agent`; default `gitops-kit/<version>`. */
  userAgent?: string | undefined;
  /** Supplies bearer tokens; may refresh once after a 401. */
  tokenProvider?: TokenProvider | undefined;
  /** TLS settings. */
  tls?: HttpTlsOptions | undefined;
  /** Per-attempt connect/headers/body timeouts. */
  timeouts?: HttpTimeouts | undefined;
  /** Default limit for a whole call (all attempts and backoff sleeps), in ms. Default 120 000; 0 disables. */
  timeoutMs?: number | undefined;
  /** Default retry table overrides, or `false` for a single attempt. */
  retry?: Partial<RetryOptions> | false | undefined;
  /** The largest response body read, in bytes. Default 64 MiB. */
  maxResponseBytes?: number | undefined;
  /** Proxy use. Default `'env'` (a proxy only when HTTPS_PROXY/HTTP_PROXY is set; NO_PROXY honoured). */
  proxy?: HttpProxySetting | undefined;
  /** An undici dispatcher to use instead of the client's own (tests, custom pools); `tls`/`proxy` are then ignored. */
  dispatcher?: Dispatcher | undefined;
  /** Where warnings and debug lines go; every line is redacted. */
  logger?: Logger | undefined;
  /** Called for every response (e.g. to pick up a renewed token from a header). Must not throw. */
  onResponse?: ((info: HttpResponseInfo) => void) | undefined;
  /**
   * Maps an error response to a domain error (e.g. an `HttpError` subclass); return `undefined` for the default
   * (`AuthenticationError` for 401, `HttpError` otherwise).
   */
  errorFromResponse?: ((info: HttpErrorResponseInfo) => Error | undefined) | undefined;
}

/** How a response body is read. */
export type HttpResponseType = 'json' | 'text' | 'none';

/** Options of one {@link HttpClient.request}. */
export interface HttpRequestOptions {
  /** Default `GET`. */
  method?: string | undefined;
  /** Path below the base URL (`/api/v1/applications`). Absolute URLs are refused. */
  path: string;
  query?: Record<string, HttpQueryValue> | undefined;
  headers?: Record<string, string> | undefined;
  /** A string or bytes are sent as they are; anything else as JSON. */
  body?: unknown;
  /** Aborts the call (never retried). */
  signal?: AbortSignal | undefined;
  /** Limit for the whole call, all attempts included, in ms (overrides the client's). */
  timeoutMs?: number | undefined;
  /** Retry overrides for this call, or `false` for one attempt. */
  retry?: Partial<RetryOptions> | false | undefined;
  /** Default `'json'`. */
  responseType?: HttpResponseType | undefined;
  /** Validates the JSON body; the result type follows the schema. */
  schema?: ZodType | undefined;
  /** Whether the call may be repeated; defaults from the method (GET, HEAD, OPTIONS, PUT, DELETE, TRACE). */
  idempotent?: boolean | undefined;
  /** Overrides the client's `maxResponseBytes`. */
  maxResponseBytes?: number | undefined;
}

/** A completed response. */
export interface HttpResponse<T> {
  status: number;
  headers: HttpHeaders;
  data: T;
}

/** Options of {@link HttpClient.stream}. */
export interface HttpStreamOptions {
  method?: string | undefined;
  path: string;
  query?: Record<string, HttpQueryValue> | undefined;
  headers?: Record<string, string> | undefined;
  body?: unknown;
  /** Aborts the request and, later, the body. */
  signal?: AbortSignal | undefined;
  /** Limit until the response headers arrive, in ms (overrides the client's `timeoutMs`). */
  timeoutMs?: number | undefined;
  /** The longest silence between two chunks of the body, in ms; default 0 (none: long-lived streams). */
  idleTimeoutMs?: number | undefined;
  /** Retries of the opening request only, or `false`. */
  retry?: Partial<RetryOptions> | false | undefined;
  idempotent?: boolean | undefined;
}

/** An open streaming response. Iterate `body` or call `close()`; one of the two must happen. */
export interface HttpStreamResponse {
  status: number;
  headers: HttpHeaders;
  /** The body chunks; errors are typed (`ConnectionError`, `TimeoutError`, `AbortError`). */
  body: AsyncIterable<Uint8Array>;
  /** Stops the stream and releases the connection; iteration then ends quietly. */
  close(): void;
}
