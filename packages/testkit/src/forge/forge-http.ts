import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ForgeSpecIssue, ForgeSpecOperation, ForgeSpecValidator } from './forge-spec-validator.js';

/** The request body limit of the forge emulators (1 MiB; forge API bodies are small). */
const MAXIMUM_BODY_BYTES = 1024 * 1024;

/** An error answer: status, JSON body, extra headers. */
export class ForgeHttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  constructor(status: number, body: unknown, headers: Record<string, string> = {}) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

/** What a route handler gets. */
export interface ForgeRequestContext {
  method: string;
  url: URL;
  params: Record<string, string>;
  body: Record<string, unknown>;
  headers: IncomingMessage['headers'];
}

/** What a route handler returns. */
export interface ForgeReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A route: method, a path pattern with `:name` segments, and the handler. */
export interface ForgeRoute {
  method: string;
  pattern: string;
  handler: (context: ForgeRequestContext) => Promise<ForgeReply> | ForgeReply;
}

/** A scripted fault on the next requests. */
export type ForgeFault =
  | { kind: 'rate-limit'; requests: number; retryAfterSeconds: number }
  | { kind: 'status'; requests: number; status: number; message?: string };

/** One request the emulator answered, for assertions. */
export interface ForgeRequestRecord {
  method: string;
  path: string;
  status: number;
}

/** How each forge words its errors and rate limits. */
export interface ForgeDialect {
  /** The error body for a status and message. */
  errorBody(status: number, message: string): unknown;
  /** Headers and status of a rate-limited answer. */
  rateLimited(retryAfterSeconds: number): {
    status: number;
    headers: Record<string, string>;
    message: string;
  };
  /** Whether the request carries the emulator's token. */
  authorized(headers: IncomingMessage['headers'], token: string): boolean;
  /** The message of the 400 for a body that is not a JSON object. */
  malformedJsonMessage: string;
  /** The forge's answer to a request its spec refuses (a missing or invalid field or parameter). */
  rejectRequest(issues: readonly ForgeSpecIssue[], body: Record<string, unknown>): ForgeHttpError;
}

/**
 * What the emulator does when it meets a request name the spec does not know, or is about to send a response that
 * does not match the spec: `throw` answers HTTP 500 with the issues (the test fails where the mismatch is), `record`
 * only appends it to `specViolations`.
 */
export type SpecViolationMode = 'throw' | 'record';

/** A request or response that does not match the forge's spec extract. */
export interface ForgeSpecViolation {
  method: string;
  path: string;
  /** The spec operation, when one matched. */
  operationId: string | undefined;
  /** `request` (names the spec does not define) or `response` (a reply of the emulator's own). */
  side: 'request' | 'response';
  status: number;
  issues: ForgeSpecIssue[];
}

/** The spec checks of a {@link ForgeHttpServer}. */
export interface ForgeSpecCheck {
  validator: ForgeSpecValidator;
  mode: SpecViolationMode;
}

/** The HTTP side both forge emulators share: routing, JSON, token check, faults, a request log. */
export class ForgeHttpServer {
  readonly #server: Server;
  readonly #routes: Array<ForgeRoute & { regex: RegExp; names: string[] }>;
  readonly #dialect: ForgeDialect;
  readonly #token: string;
  readonly faults: ForgeFault[] = [];
  readonly requests: ForgeRequestRecord[] = [];
  readonly specViolations: ForgeSpecViolation[] = [];
  /** Rewrites a reply just before it is checked and sent (tests of the spec check use it to break one). */
  replyHook: ((reply: ForgeReply, method: string, path: string) => ForgeReply) | undefined;
  url = '';
  readonly #spec: ForgeSpecCheck;

  readonly #stripPrefix: string | undefined;

  /** `stripPrefix`: a path prefix served as if absent (GitHub Enterprise Server's `/api/v3`). */
  constructor(
    routes: ForgeRoute[],
    dialect: ForgeDialect,
    token: string,
    spec: ForgeSpecCheck,
    stripPrefix?: string,
  ) {
    this.#dialect = dialect;
    this.#spec = spec;
    this.#stripPrefix = stripPrefix;
    this.#token = token;
    this.#routes = routes.map((route) => {
      const names: string[] = [];
      // A `:name` matches one segment; GitLab project ids arrive URL-encoded (`team%2Fdeploy`), decoded later.
      const source = route.pattern.replace(/:(\w+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { ...route, regex: new RegExp(`^${source}$`), names };
    });
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch(() => {
        if (!response.headersSent) this.#send(response, 500, this.#dialect.errorBody(500, 'internal error'));
        else response.destroy();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The routes served: method and path pattern (`:name` for one segment). */
  get routes(): Array<{ method: string; pattern: string }> {
    return this.#routes.map((route) => ({ method: route.method, pattern: route.pattern }));
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = lastValueWins(new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`));
    const prefix = this.#stripPrefix;
    const path =
      prefix !== undefined && url.pathname.startsWith(`${prefix}/`)
        ? url.pathname.slice(prefix.length)
        : url.pathname;
    const method = request.method ?? 'GET';
    const record = (status: number) => this.requests.push({ method, path: url.pathname, status });
    const fault = this.faults[0];
    if (fault !== undefined) {
      fault.requests -= 1;
      if (fault.requests <= 0) this.faults.shift();
      if (fault.kind === 'rate-limit') {
        const limited = this.#dialect.rateLimited(fault.retryAfterSeconds);
        record(limited.status);
        this.#send(
          response,
          limited.status,
          this.#dialect.errorBody(limited.status, limited.message),
          limited.headers,
        );
        return;
      }
      record(fault.status);
      this.#send(
        response,
        fault.status,
        this.#dialect.errorBody(fault.status, fault.message ?? 'scripted failure'),
      );
      return;
    }
    if (!this.#dialect.authorized(request.headers, this.#token)) {
      record(401);
      this.#send(response, 401, this.#dialect.errorBody(401, '401 Unauthorized'));
      return;
    }
    let matched = false;
    for (const route of this.#routes) {
      const match = route.regex.exec(path);
      if (match === null) continue;
      matched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decodeURIComponent(match[index + 1] ?? '');
      });
      const operation = this.#spec.validator.match(method, path);
      try {
        const parsed = await readJsonObject(request, this.#dialect);
        const body = parsed ?? {};
        const issues =
          operation === undefined
            ? [notInSpec(method, path)]
            : this.#spec.validator.validateRequest(operation, url.searchParams, parsed);
        // What the forge refuses is refused in its words; names it ignores are the client's bug, reported.
        const refused = issues.filter((issue) => issue.kind !== 'unknown');
        if (refused.length > 0 && operation !== undefined) throw this.#dialect.rejectRequest(refused, body);
        if (
          issues.length > 0 &&
          this.#violation(response, record, method, path, operation, 'request', 0, issues)
        ) {
          return;
        }
        let reply = await route.handler({ method, url, params, body, headers: request.headers });
        if (this.replyHook !== undefined) reply = this.replyHook(reply, method, path);
        const status = reply.status ?? 200;
        if (this.#checkResponse(response, record, method, path, operation, status, reply.body)) return;
        record(status);
        this.#send(response, status, reply.body, reply.headers);
      } catch (error) {
        if (!(error instanceof ForgeHttpError)) throw error;
        if (this.#checkResponse(response, record, method, path, operation, error.status, error.body)) return;
        record(error.status);
        this.#send(response, error.status, error.body, error.headers);
      }
      return;
    }
    const status = matched ? 405 : 404;
    record(status);
    this.#send(
      response,
      status,
      this.#dialect.errorBody(status, matched ? '405 Method Not Allowed' : '404 Not Found'),
    );
  }

  /** Checks a reply against the spec; true when it was replaced by the violation answer. */
  #checkResponse(
    response: ServerResponse,
    record: (status: number) => void,
    method: string,
    path: string,
    operation: ForgeSpecOperation | undefined,
    status: number,
    body: unknown,
  ): boolean {
    if (operation === undefined) return false;
    const issues = this.#spec.validator.validateResponse(operation, status, body);
    return (
      issues.length > 0 &&
      this.#violation(response, record, method, path, operation, 'response', status, issues)
    );
  }

  /** Records a violation; in `throw` mode answers 500 with it and returns true. */
  #violation(
    response: ServerResponse,
    record: (status: number) => void,
    method: string,
    path: string,
    operation: ForgeSpecOperation | undefined,
    side: 'request' | 'response',
    status: number,
    issues: ForgeSpecIssue[],
  ): boolean {
    this.specViolations.push({ method, path, operationId: operation?.operationId, side, status, issues });
    if (this.#spec.mode !== 'throw') return false;
    const what = issues.map((issue) => `${issue.location} ${issue.message}`).join('; ');
    record(500);
    this.#send(
      response,
      500,
      this.#dialect.errorBody(500, `emulator spec violation (${side} of ${method} ${path}): ${what}`),
    );
    return true;
  }

  #send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    response.end(text);
  }
}

/**
 * A query with a repeated name keeps its last value, as Rack (under both GitLab and GitHub) parses
 * `state=closed&state=opened`; names ending in `[]` keep every value (Rack's arrays).
 */
function lastValueWins(url: URL): URL {
  const last = new Map<string, string>();
  const repeated = new Set<string>();
  for (const [name, value] of url.searchParams) {
    if (name.endsWith('[]')) continue;
    if (last.has(name)) repeated.add(name);
    last.set(name, value);
  }
  for (const name of repeated) url.searchParams.set(name, last.get(name) as string);
  return url;
}

function notInSpec(method: string, path: string): ForgeSpecIssue {
  return {
    location: 'path',
    field: path,
    kind: 'unknown',
    message: `${method} ${path} is served but not in the spec extract`,
  };
}

/** Reads a JSON object body (undefined when empty). @throws ForgeHttpError 400 for anything else. */
async function readJsonObject(
  request: IncomingMessage,
  dialect: ForgeDialect,
): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAXIMUM_BODY_BYTES) {
      throw new ForgeHttpError(413, dialect.errorBody(413, 'request body too large'));
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ForgeHttpError(400, dialect.errorBody(400, dialect.malformedJsonMessage));
}

/**
 * Pagination the way both forges do it: `page`/`per_page` (max 100; when absent GitLab serves 20, GitHub 30) and an
 * RFC 8288 `Link` header.
 */
export function paginate<T>(
  items: readonly T[],
  url: URL,
  defaultPerPage = 20,
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(
    100,
    Math.max(1, Number(url.searchParams.get('per_page') ?? defaultPerPage) || defaultPerPage),
  );
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string): string => {
    const next = new URL(url);
    next.searchParams.set('page', String(n));
    next.searchParams.set('per_page', String(perPage));
    return `<${url.protocol}//${url.host}${next.pathname}${next.search}>; rel="${rel}"`;
  };
  const links = [link(1, 'first'), link(pages, 'last')];
  if (page < pages) links.unshift(link(page + 1, 'next'));
  if (page > 1) links.unshift(link(page - 1, 'prev'));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: {
      link: links.join(', '),
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(pages),
      ...(page < pages ? { 'x-next-page': String(page + 1) } : { 'x-next-page': '' }),
    },
  };
}
