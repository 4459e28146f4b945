import {
  HttpClient,
  type HttpClientOptions,
  type HttpErrorResponseInfo,
  type HttpQueryValue,
  parseWithSchema,
  registerSecret,
  ValidationError,
} from '@gitops-kit/core';
import type { ZodType, z } from 'zod';
import type { ForgeCallOptions, ForgeKind } from './change-request.js';
import { ForgeApiError, RateLimitError } from './forge-errors.js';
import { nextPageUrl, rateLimitDelayMs } from './pagination.js';

/** Options both forge clients take besides `url` and `token`. */
export type ForgeTransportOptions = Pick<
  HttpClientOptions,
  'tls' | 'timeouts' | 'timeoutMs' | 'retry' | 'proxy' | 'dispatcher' | 'logger' | 'userAgent'
>;

/** One request to a forge. */
interface ForgeRequest<S extends ZodType | undefined> {
  method?: string;
  path: string;
  query?: Record<string, HttpQueryValue>;
  body?: unknown;
  schema?: S;
}

/** The largest page both forges serve. */
const PAGE_SIZE = 100;
/** A guard against a forge whose `Link` header never ends (100 000 items). */
const MAXIMUM_PAGES = 1_000;

/**
 * core's `HttpClient` with what both forges share: bearer token (registered for redaction), the forge's error
 * body turned into {@link ForgeApiError} with its own message, rate limits into {@link RateLimitError} carrying the
 * time to the reset (so core's retry waits for it when it is short), and `Link`-header pagination.
 */
export class ForgeTransport {
  readonly #http: HttpClient;
  readonly #forge: ForgeKind;
  readonly #base: URL;

  constructor(
    forge: ForgeKind,
    baseUrl: string,
    token: string,
    headers: Record<string, string>,
    options: ForgeTransportOptions,
  ) {
    if (typeof token !== 'string' || token.trim() === '') {
      throw new ValidationError(`${forge} client: token must be a non-empty string`);
    }
    registerSecret(token);
    this.#forge = forge;
    try {
      this.#base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    } catch {
      // Node's TypeError keeps the input (`error.input`), password included: it is not kept as the cause.
      throw new ValidationError(
        `${forge} client: url is not a valid URL; expected http(s)://host[:port][/path], e.g. https://${forge}.example.com`,
        { field: 'url' },
      );
    }
    this.#http = new HttpClient({
      ...options,
      baseUrl: this.#base,
      headers: { ...headers, authorization: `Bearer ${token}` },
      errorFromResponse: (info) => this.#errorFrom(info),
    });
  }

  /** Sends one request and returns the validated body (or `undefined` for an empty one). */
  async request<S extends ZodType | undefined = undefined>(
    request: ForgeRequest<S>,
    options: ForgeCallOptions = {},
  ): Promise<S extends ZodType ? z.infer<S> : unknown> {
    const response = await this.#http.request({
      method: request.method ?? 'GET',
      path: request.path,
      query: request.query,
      body: request.body,
      schema: request.schema,
      responseType: 'json',
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
    });
    return response.data as S extends ZodType ? z.infer<S> : unknown;
  }

  /** Reads every page of a list (`per_page=100`, following `Link: rel="next"`), up to `limit` items. */
  async list<S extends ZodType>(
    path: string,
    query: Record<string, HttpQueryValue>,
    itemSchema: S,
    limit: number | undefined,
    options: ForgeCallOptions = {},
  ): Promise<Array<z.infer<S>>> {
    const items: Array<z.infer<S>> = [];
    let page: { path: string; query: Record<string, HttpQueryValue> } | undefined = {
      path,
      query: { ...query, per_page: PAGE_SIZE },
    };
    // A page seen before means the `Link` chain loops: stop with an error instead of reading it again.
    const seen = new Set<string>();
    for (let count = 0; page !== undefined; count++) {
      const key = pageKey(page.path, page.query);
      if (seen.has(key) || count >= MAXIMUM_PAGES) {
        throw this.#paginationError(
          page.path,
          seen.has(key)
            ? 'its next-page link points back to a page already read'
            : `it has more than ${MAXIMUM_PAGES} pages`,
        );
      }
      seen.add(key);
      const response = await this.#http.request({
        path: page.path,
        query: page.query,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        retry: options.retry,
      });
      if (!Array.isArray(response.data)) {
        throw new ForgeApiError(`${this.#forge}: ${page.path} did not answer with a list`, {
          forge: this.#forge,
          status: response.status,
          method: 'GET',
          url: new URL(page.path, this.#base),
          code: 'FORGE_UNEXPECTED_RESPONSE',
        });
      }
      for (const [index, item] of response.data.entries()) {
        items.push(parseWithSchema(itemSchema, item, `GET ${page.path} item ${index}`) as z.infer<S>);
        if (limit !== undefined && items.length >= limit) return items;
      }
      const next = nextPageUrl(response.headers['link']);
      page = this.#relativePage(next);
      if (next !== undefined && page === undefined) {
        // Following it would send the token to another origin; stopping would return part of the list as all of it.
        throw this.#paginationError(path, 'its next-page link leads outside the forge API (not followed)');
      }
    }
    return items;
  }

  #paginationError(path: string, why: string): ForgeApiError {
    return new ForgeApiError(`${this.#forge}: the list at ${path} cannot be read whole: ${why}`, {
      forge: this.#forge,
      status: 200,
      method: 'GET',
      url: new URL(path.replace(/^\//, ''), this.#base),
      code: 'FORGE_UNEXPECTED_RESPONSE',
      retryable: false,
    });
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  /** A next-page URL as a path below the base; a link to another origin is not followed (the token would go there). */
  #relativePage(
    next: string | undefined,
  ): { path: string; query: Record<string, HttpQueryValue> } | undefined {
    if (next === undefined) return undefined;
    const url = new URL(next, this.#base);
    if (url.origin !== this.#base.origin || !url.pathname.startsWith(this.#base.pathname)) return undefined;
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    return { path: url.pathname.slice(this.#base.pathname.length - 1), query };
  }

  #errorFrom(info: HttpErrorResponseInfo): Error | undefined {
    if (info.status === 401) return undefined; // core's AuthenticationError
    const serverMessage = forgeMessage(info.bodyJson) ?? (info.bodyText.trim().slice(0, 300) || undefined);
    const options = {
      ...info.httpErrorOptions,
      forge: this.#forge,
      ...(serverMessage === undefined ? {} : { serverMessage }),
    };
    const message = `${info.method} ${info.url} failed with HTTP ${info.status}${serverMessage ? `: ${serverMessage}` : ''}`;
    const limitedMs = rateLimitDelayMs(info.headers, info.retryAfterMs);
    // GitHub signals its primary and secondary limits with 403 (or 429) and these headers; GitLab with 429.
    if (info.status === 429 || (info.status === 403 && limitedMs !== undefined)) {
      return new RateLimitError(`${message} (rate limited)`, {
        ...options,
        ...(limitedMs === undefined ? {} : { retryAfterMs: limitedMs }),
      });
    }
    return new ForgeApiError(message, options);
  }
}

/** One page's identity: its path and its query, in order, without the parameters that are not sent. */
function pageKey(path: string, query: Record<string, HttpQueryValue>): string {
  const parameters = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => `${name}=${String(value)}`)
    .sort();
  return `${path}?${parameters.join('&')}`;
}

/**
 * The forge's own error text: GitLab sends `{"message": "…"}`, `{"message": {"field": ["…"]}}` or
 * `{"error": "…"}`; GitHub `{"message": "…", "errors": [{"message": "…"}]}`.
 */
export function forgeMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const parts: string[] = [];
  const message = record['message'] ?? record['error'];
  if (typeof message === 'string') parts.push(message);
  else if (Array.isArray(message)) parts.push(message.map(String).join('; '));
  else if (typeof message === 'object' && message !== null) {
    for (const [field, value] of Object.entries(message)) {
      parts.push(`${field} ${Array.isArray(value) ? value.map(String).join(', ') : String(value)}`);
    }
  }
  if (Array.isArray(record['errors'])) {
    for (const entry of record['errors']) {
      if (typeof entry === 'string') parts.push(entry);
      else if (
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as { message?: unknown }).message === 'string'
      ) {
        parts.push((entry as { message: string }).message);
      }
    }
  }
  return parts.length === 0 ? undefined : parts.join('; ');
}
