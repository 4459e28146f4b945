import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (
  request: SeenRequest,
  response: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

/** A bounded loopback HTTP server for tests: records requests, delegates to a handler, closes every socket. */
export class TestServer {
  readonly requests: SeenRequest[] = [];
  readonly server: Server;
  #handler: Handler;
  #port = 0;

  constructor(handler: Handler) {
    this.#handler = handler;
    this.server = createServer((raw, response) => {
      const chunks: Buffer[] = [];
      raw.on('data', (chunk: Buffer) => chunks.push(chunk));
      raw.on('end', () => {
        const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
        const seen: SeenRequest = {
          method: raw.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: raw.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(seen);
        Promise.resolve(this.#handler(seen, response, raw)).catch((error: unknown) => {
          response.statusCode = 500;
          response.end(String(error));
        });
      });
    });
  }

  setHandler(handler: Handler): void {
    this.#handler = handler;
  }

  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.#port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Stops listening and destroys open sockets (so the next connection is refused). */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export function statusBody(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
}
