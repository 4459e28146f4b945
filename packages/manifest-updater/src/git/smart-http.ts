import { gzipSync } from 'node:zlib';
import {
  AbortError,
  AuthenticationError,
  abortReasonToError,
  ConnectionError,
  GitOpsKitError,
  HttpError,
  ResponseTooLargeError,
  TimeoutError,
} from '@gitops-kit/core';
import { headerSafeUserAgent } from './capabilities.js';
import { GitProtocolError, GitRedirectRefusedError, UnsupportedGitServerError } from './errors.js';
import type { GitExchangeOptions, GitService, GitTransport } from './git-transport.js';
import { pktText, readPktLine } from './pkt-line.js';

/** Credentials as HTTP sends them; the secret parts are registered for redaction by the caller. */
export interface HttpCredentials {
  /** The `Authorization` value sent first (`Basic …` or `Bearer …`). */
  authorization: string;
  /** For a token: `Bearer <token>`, tried once when a 401 offers only `Bearer` (GitHub Apps, Azure DevOps). */
  bearerFallback?: string;
}

/** How to reach one repository over smart HTTP. */
export interface SmartHttpOptions {
  /** Repository URL without credentials and without a trailing slash. */
  url: string;
  credentials: HttpCredentials | undefined;
  userAgent: string;
  /** Per-request limit, in milliseconds. */
  timeoutMs: number;
  /** Largest response accepted, in bytes. */
  maxResponseBytes: number;
  signal: AbortSignal | undefined;
  /**
   * Follow a redirect of the first request to another origin (then without credentials); default false: only
   * the same origin and an http → https upgrade of the same host and port are followed.
   */
  allowCrossOriginRedirects?: boolean;
  /** Gzip upload-pack requests larger than this, as git does for its negotiation; default 64 KiB. */
  gzipThresholdBytes?: number;
}

const MAXIMUM_REDIRECTS = 5;

/** Shared by a transport and its detached copies: where the repository is after redirects, which credentials work. */
interface TransportState {
  url: string;
  origin: string;
  credentials: HttpCredentials | undefined;
}
const DEFAULT_GZIP_THRESHOLD_BYTES = 64 * 1024;

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body === null) return Buffer.alloc(0);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new ResponseTooLargeError(`git response exceeded ${maxBytes} bytes`, { limitBytes: maxBytes });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function causeCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

/** The auth schemes a `WWW-Authenticate` header offers (`Basic`, `Bearer`, …), lower-cased. */
export function authSchemesOf(header: string | null): string[] {
  if (header === null) return [];
  // Challenges are `scheme [params]`, comma-separated; a scheme is a token not followed by `=`.
  const schemes = [...header.matchAll(/(?:^|,)\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?=\s+[^=,]|\s*(?:,|$))/g)];
  return [...new Set(schemes.map((match) => (match[1] as string).toLowerCase()))];
}

interface HttpRequest {
  method: 'GET' | 'POST';
  /** Appended to the repository URL. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  maxResponseBytes?: number;
}

interface HttpAnswer {
  status: number;
  contentType: string;
  /** Set for 3xx answers (never followed here). */
  location: string | undefined;
  body: Buffer;
}

/**
 * Git over smart HTTP (gitprotocol-http(5)): `GET …/info/refs?service=…` for the advertisement, `POST …/<service>`
 * for each exchange. Follows the first request's redirects the way git's `http.followRedirects=initial` does (and
 * then talks to the new base URL), only within the origin unless allowed; never sends credentials to another
 * origin; answers a 401 that asks only for `Bearer` with the token as a bearer token; refuses dumb-HTTP servers.
 */
export class SmartHttpTransport implements GitTransport {
  readonly userAgent: string;
  readonly maxResponseBytes: number;
  readonly #options: SmartHttpOptions;
  readonly #state: TransportState;

  constructor(options: SmartHttpOptions, state?: TransportState) {
    this.#options = options;
    this.userAgent = options.userAgent;
    this.maxResponseBytes = options.maxResponseBytes;
    this.#state = state ?? {
      url: options.url,
      origin: new URL(options.url).origin,
      credentials: options.credentials === undefined ? undefined : { ...options.credentials },
    };
  }

  /** The repository URL, after any redirect of the first request. */
  get url(): string {
    return this.#state.url;
  }

  detached(timeoutMs: number): GitTransport {
    return new SmartHttpTransport(
      { ...this.#options, signal: undefined, timeoutMs: Math.min(timeoutMs, this.#options.timeoutMs) },
      this.#state,
    );
  }

  async advertise(service: GitService, options: GitExchangeOptions): Promise<Buffer> {
    let answer = await this.#request({
      method: 'GET',
      path: `/info/refs?service=${service}`,
      headers: options.protocolV2 ? { 'git-protocol': 'version=2' } : {},
    });
    for (let hop = 0; answer.status >= 300 && answer.status < 400; hop += 1) {
      if (hop >= MAXIMUM_REDIRECTS || answer.location === undefined) {
        throw new HttpError(`${this.url}: too many redirects`, {
          status: answer.status,
          method: 'GET',
          url: this.url,
        });
      }
      this.#adoptRedirect(answer.location);
      answer = await this.#request({
        method: 'GET',
        path: `/info/refs?service=${service}`,
        headers: options.protocolV2 ? { 'git-protocol': 'version=2' } : {},
      });
    }
    if (answer.contentType.startsWith(`application/x-${service}-advertisement`)) {
      return this.#withoutServicePreamble(answer.body, service);
    }
    // A dumb server serves info/refs as a static file: `oid<TAB>ref` lines, text/plain (gitprotocol-http(5)).
    const dumb = /^[0-9a-f]{40}\t\S/.test(answer.body.toString('latin1', 0, 64)) || answer.body.length === 0;
    throw new UnsupportedGitServerError(
      dumb
        ? `${this.url} only offers git's dumb HTTP protocol, which cannot push or fetch partially; enable smart HTTP (git http-backend) on the server`
        : `${this.url} does not answer like a git server (content type ${JSON.stringify(answer.contentType)})`,
      { reason: dumb ? 'dumb-http' : 'not-git' },
    );
  }

  async exchange(service: GitService, body: Buffer, options: GitExchangeOptions): Promise<Buffer> {
    const headers: Record<string, string> = {
      'content-type': `application/x-${service}-request`,
      accept: `application/x-${service}-result`,
      ...(options.protocolV2 ? { 'git-protocol': 'version=2' } : {}),
    };
    // git gzips its upload-pack negotiation (remote-curl.c); a pack for receive-pack is compressed already.
    const threshold = this.#options.gzipThresholdBytes ?? DEFAULT_GZIP_THRESHOLD_BYTES;
    const gzip = service === 'git-upload-pack' && body.length > threshold;
    const maxResponseBytes = options.maxResponseBytes ?? this.maxResponseBytes;
    let answer = await this.#request({
      method: 'POST',
      path: `/${service}`,
      headers: gzip ? { ...headers, 'content-encoding': 'gzip' } : headers,
      body: gzip ? gzipSync(body) : body,
      maxResponseBytes,
    });
    if (gzip && answer.status === 415) {
      // The server does not take compressed bodies: send it as is.
      answer = await this.#request({ method: 'POST', path: `/${service}`, headers, body, maxResponseBytes });
    }
    if (answer.status !== 200) {
      throw new HttpError(`POST ${this.url}/${service} failed with HTTP ${answer.status}`, {
        status: answer.status,
        method: 'POST',
        url: `${this.url}/${service}`,
        body: answer.body.toString('utf8'),
      });
    }
    if (!answer.contentType.startsWith(`application/x-${service}-result`)) {
      throw new UnsupportedGitServerError(
        `${this.url}/${service} answered with ${JSON.stringify(answer.contentType)}, not a git result`,
        { reason: 'not-git' },
      );
    }
    return answer.body;
  }

  #adoptRedirect(location: string): void {
    const from = new URL(this.url);
    let target: URL;
    try {
      target = new URL(location, `${this.url}/info/refs`);
    } catch {
      throw new GitRedirectRefusedError(`${this.url} redirected to an invalid location`, {
        origin: undefined,
      });
    }
    const suffix = target.pathname.lastIndexOf('/info/refs');
    if (suffix < 0 || (target.protocol !== 'http:' && target.protocol !== 'https:')) {
      throw new GitRedirectRefusedError(
        `${this.url} redirected to ${target.origin}, which is not a git repository URL`,
        {
          origin: target.origin,
        },
      );
    }
    const sameOrigin = target.origin === this.#state.origin;
    // http → https on the same host and port (the default ports, 80 → 443, or one explicit port) is the usual
    // "force TLS" redirect; credentials may follow it. Another port may be another service of that host, which is
    // another origin (as curl, under git, has held since CVE-2022-27774).
    const upgrade =
      from.protocol === 'http:' &&
      target.protocol === 'https:' &&
      target.hostname === from.hostname &&
      target.port === from.port;
    if (!sameOrigin && !upgrade) {
      if (this.#options.allowCrossOriginRedirects !== true) {
        throw new GitRedirectRefusedError(
          `${this.url} redirected to another origin (${target.origin}); pass allowCrossOriginRedirects to follow it (credentials are never sent there)`,
          { origin: target.origin },
        );
      }
      this.#state.credentials = undefined;
    }
    this.#state.origin = target.origin;
    this.#state.url = `${target.origin}${target.pathname.slice(0, suffix)}`.replace(/\/+$/, '');
  }

  #withoutServicePreamble(body: Buffer, service: GitService): Buffer {
    try {
      const { line, next } = readPktLine(body, 0);
      if (pktText(line) !== `# service=${service}`) return body;
      const flush = readPktLine(body, next);
      return body.subarray(flush.line.kind === 'flush' ? flush.next : next);
    } catch (error) {
      throw new GitProtocolError(`${this.url} sent a malformed advertisement`, { cause: error });
    }
  }

  async #request(request: HttpRequest): Promise<HttpAnswer> {
    const answer = await this.#send(request, this.#state.credentials?.authorization);
    if (answer.status !== 401) return answer;
    const schemes = authSchemesOf(answer.wwwAuthenticate);
    const credentials = this.#state.credentials;
    if (
      credentials?.bearerFallback !== undefined &&
      credentials.authorization !== credentials.bearerFallback &&
      schemes.includes('bearer') &&
      !schemes.includes('basic')
    ) {
      const retried = await this.#send(request, credentials.bearerFallback);
      if (retried.status !== 401) {
        credentials.authorization = credentials.bearerFallback;
        return retried;
      }
    }
    const describe = `${request.method} ${this.url}${request.path.replace(/\?.*$/, '')}`;
    const offered = schemes.length === 0 ? '' : ` (the server asks for ${schemes.join(', ')})`;
    throw new AuthenticationError(
      credentials === undefined
        ? `${describe}: the server requires credentials (HTTP 401)${offered}; pass auth`
        : `${describe}: the server refused the credentials (HTTP 401)${offered}; check auth`,
      { status: 401 },
    );
  }

  async #send(
    request: HttpRequest,
    authorization: string | undefined,
  ): Promise<HttpAnswer & { wwwAuthenticate: string | null }> {
    const signalOfCaller = this.#options.signal;
    if (signalOfCaller?.aborted) throw abortReasonToError(signalOfCaller);
    const timeoutMs = this.#options.timeoutMs;
    const timeoutSignal = AbortSignal.timeout(timeoutMs);
    const signal = signalOfCaller ? AbortSignal.any([signalOfCaller, timeoutSignal]) : timeoutSignal;
    const target = `${this.url}${request.path}`;
    const headers: Record<string, string> = {
      'user-agent': headerSafeUserAgent(this.userAgent),
      ...request.headers,
    };
    if (authorization !== undefined) headers.authorization = authorization;
    const describe = `${request.method} ${this.url}${request.path.replace(/\?.*$/, '')}`;
    try {
      const response = await fetch(target, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
        // Redirects are followed by `advertise` only, after checking the origin (credentials must not leak).
        redirect: 'manual',
      });
      const wwwAuthenticate = response.headers.get('www-authenticate');
      const contentType = response.headers.get('content-type') ?? '';
      const location = response.headers.get('location') ?? undefined;
      if (response.status === 401 || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => {});
        return { status: response.status, contentType, location, body: Buffer.alloc(0), wwwAuthenticate };
      }
      if (response.status === 403) {
        await response.body?.cancel().catch(() => {});
        throw new AuthenticationError(
          `${describe}: access denied (HTTP 403); the credentials lack permission for this repository`,
          { status: 403 },
        );
      }
      if (response.status === 415 && request.headers?.['content-encoding'] === 'gzip') {
        await response.body?.cancel().catch(() => {});
        return { status: 415, contentType, location, body: Buffer.alloc(0), wwwAuthenticate };
      }
      if (response.status < 200 || response.status >= 300) {
        const body = (await readCapped(response, 64 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
        throw new HttpError(`${describe} failed with HTTP ${response.status}`, {
          status: response.status,
          method: request.method,
          url: target,
          body,
        });
      }
      const body = await readCapped(response, request.maxResponseBytes ?? this.maxResponseBytes);
      return { status: response.status, contentType, location, body, wwwAuthenticate };
    } catch (error) {
      if (GitOpsKitError.isInstance(error)) throw error;
      if (signalOfCaller?.aborted) throw abortReasonToError(signalOfCaller);
      if (timeoutSignal.aborted) {
        throw new TimeoutError(`${describe} timed out after ${timeoutMs} ms`, { timeoutMs, cause: error });
      }
      if (error instanceof Error && error.name === 'AbortError')
        throw new AbortError(undefined, { cause: error });
      const causeCode = causeCodeOf(error);
      throw new ConnectionError(`${describe}: connection failed${causeCode ? ` (${causeCode})` : ''}`, {
        cause: error,
        ...(causeCode === undefined ? {} : { causeCode }),
      });
    }
  }
}
