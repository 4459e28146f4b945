import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  HttpError,
  ResponseTooLargeError,
  TimeoutError,
} from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitProtocolError } from './errors.js';
import { encodePktLine, FLUSH_PKT } from './pkt-line.js';
import {
  discoverReceivePack,
  discoverUploadPack,
  gitHttpRequest,
  type SmartHttpTransport,
  supportsPartialFetch,
} from './smart-http.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
let handler: Handler = (_request, response) => response.end();
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function transport(overrides: Partial<SmartHttpTransport> = {}): SmartHttpTransport {
  return {
    url: baseUrl,
    authorization: 'Basic dXNlcjpzZWNyZXQtcGFzc3dvcmQ=',
    userAgent: 'git/2.0 (test)',
    timeoutMs: 2_000,
    maxResponseBytes: 1024 * 1024,
    signal: undefined,
    ...overrides,
  };
}

const advertise =
  (contentType: string, body: Buffer): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': contentType });
    response.end(body);
  };

describe('gitHttpRequest', () => {
  it('sends the Authorization header and the user agent', async () => {
    let seen: IncomingMessage['headers'] = {};
    handler = (request, response) => {
      seen = request.headers;
      response.end('ok');
    };
    const result = await gitHttpRequest(transport(), { method: 'GET', path: '/info/refs' });
    expect(result.body.toString()).toBe('ok');
    expect(seen.authorization).toBe('Basic dXNlcjpzZWNyZXQtcGFzc3dvcmQ=');
    expect(seen['user-agent']).toBe('git/2.0 (test)');
  });

  it('maps 401 and 403 to AuthenticationError, 5xx to a retryable HttpError, 3xx is not followed', async () => {
    for (const status of [401, 403]) {
      handler = (_request, response) => response.writeHead(status).end('no');
      const error = await gitHttpRequest(transport(), { method: 'GET', path: '/x' }).catch(
        (caught: unknown) => caught,
      );
      expect(AuthenticationError.isInstance(error)).toBe(true);
      expect((error as AuthenticationError).retryable).toBe(false);
    }
    handler = (_request, response) => response.writeHead(503).end('busy');
    const unavailable = await gitHttpRequest(transport(), { method: 'GET', path: '/x' }).catch(
      (caught: unknown) => caught,
    );
    expect(HttpError.isInstance(unavailable) && unavailable.status === 503 && unavailable.retryable).toBe(
      true,
    );
    handler = (_request, response) => response.writeHead(302, { location: 'http://example.invalid/' }).end();
    const redirect = await gitHttpRequest(transport(), { method: 'GET', path: '/x' }).catch(
      (caught: unknown) => caught,
    );
    expect(HttpError.isInstance(redirect) && redirect.status === 302).toBe(true);
  });

  it('caps the response size, times out, honours abort and reports refused connections', async () => {
    handler = (_request, response) => response.end(Buffer.alloc(4096));
    const large = await gitHttpRequest(transport({ maxResponseBytes: 1000 }), {
      method: 'GET',
      path: '/x',
    }).catch((caught: unknown) => caught);
    expect(ResponseTooLargeError.isInstance(large)).toBe(true);

    handler = () => {};
    const slow = await gitHttpRequest(transport({ timeoutMs: 100 }), { method: 'GET', path: '/x' }).catch(
      (caught: unknown) => caught,
    );
    expect(TimeoutError.isInstance(slow)).toBe(true);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await gitHttpRequest(transport({ signal: controller.signal }), {
      method: 'GET',
      path: '/x',
    }).catch((caught: unknown) => caught);
    expect(AbortError.isInstance(aborted)).toBe(true);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await gitHttpRequest(transport({ url: `http://127.0.0.1:${closedPort}/repo.git` }), {
      method: 'GET',
      path: '/x',
    }).catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(refused)).toBe(true);
    expect((refused as ConnectionError).causeCode).toBe('ECONNREFUSED');
    expect(JSON.stringify(refused)).not.toContain('dXNlcjpzZWNyZXQtcGFzc3dvcmQ');
  });
});

describe('advertisements', () => {
  it('reads a protocol v2 capability list', async () => {
    handler = advertise(
      'application/x-git-upload-pack-advertisement',
      Buffer.concat([
        encodePktLine('# service=git-upload-pack\n'),
        FLUSH_PKT,
        encodePktLine('version 2\n'),
        encodePktLine('ls-refs=unborn\n'),
        encodePktLine('fetch=shallow wait-for-done filter\n'),
        FLUSH_PKT,
      ]),
    );
    const advertisement = await discoverUploadPack(transport());
    expect(advertisement.protocol).toBe('v2');
    expect(advertisement.capabilities.get('fetch')).toBe('shallow wait-for-done filter');
    expect(supportsPartialFetch(advertisement)).toBe(true);
  });

  it('reads v0 refs and capabilities, and refuses a page that is not smart HTTP', async () => {
    const oid = 'a'.repeat(40);
    handler = advertise(
      'application/x-git-receive-pack-advertisement',
      Buffer.concat([
        encodePktLine('# service=git-receive-pack\n'),
        FLUSH_PKT,
        encodePktLine(`${oid} refs/heads/main\0report-status side-band-64k agent=git/2.39\n`),
        encodePktLine(`${'b'.repeat(40)} refs/heads/dev\n`),
        FLUSH_PKT,
      ]),
    );
    const receivePack = await discoverReceivePack(transport());
    expect([...receivePack.refs]).toEqual([
      ['refs/heads/main', oid],
      ['refs/heads/dev', 'b'.repeat(40)],
    ]);
    expect(receivePack.capabilities.has('report-status')).toBe(true);

    handler = advertise('text/html', Buffer.from('<html>login</html>'));
    await expect(discoverUploadPack(transport())).rejects.toBeInstanceOf(GitProtocolError);
  });
});
