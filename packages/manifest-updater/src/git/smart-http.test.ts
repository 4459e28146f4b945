import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  HttpError,
  ResponseTooLargeError,
  TimeoutError,
} from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitRedirectRefusedError, UnsupportedGitServerError } from './errors.js';
import { encodePktLine, FLUSH_PKT } from './pkt-line.js';
import { discoverReceivePack } from './receive-pack.js';
import { authSchemesOf, type SmartHttpOptions, SmartHttpTransport } from './smart-http.js';
import { discoverUploadPack, supportsPartialFetch } from './upload-pack.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;
let handler: Handler = (_request, response) => response.end();
let server: Server;
let baseUrl: string;
let otherHandler: Handler = (_request, response) => response.end();
let other: Server;
let otherOrigin: string;

async function listen(serve: (request: IncomingMessage, response: ServerResponse) => void): Promise<Server> {
  const created = createServer(serve);
  await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve));
  return created;
}

beforeAll(async () => {
  server = await listen((request, response) => handler(request, response));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`;
  other = await listen((request, response) => otherHandler(request, response));
  otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const running of [server, other]) {
    running.closeAllConnections();
    await new Promise((resolve) => running.close(resolve));
  }
});

const BASIC = 'Basic dXNlcjpzZWNyZXQtcGFzc3dvcmQ=';

function transport(overrides: Partial<SmartHttpOptions> = {}): SmartHttpTransport {
  return new SmartHttpTransport({
    url: baseUrl,
    credentials: { authorization: BASIC, bearerFallback: 'Bearer secret-password' },
    userAgent: 'gitops-kit/test',
    timeoutMs: 2_000,
    maxResponseBytes: 1024 * 1024,
    signal: undefined,
    ...overrides,
  });
}

const V0_UPLOAD_PACK = Buffer.concat([
  encodePktLine('# service=git-upload-pack\n'),
  FLUSH_PKT,
  encodePktLine(`${'a'.repeat(40)} HEAD\0multi_ack side-band-64k agent=x/1\n`),
  FLUSH_PKT,
]);

const advertise =
  (contentType: string, body: Buffer): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': contentType });
    response.end(body);
  };

describe('SmartHttpTransport', () => {
  it('sends the Authorization header and a header-safe user agent, and strips the service preamble', async () => {
    let seen: IncomingMessage['headers'] = {};
    handler = (request, response) => {
      seen = request.headers;
      advertise('application/x-git-upload-pack-advertisement', V0_UPLOAD_PACK)(request, response);
    };
    const body = await transport({ userAgent: 'my bot\r\nX-Injected: 1 (ünï)' }).advertise(
      'git-upload-pack',
      {
        protocolV2: true,
      },
    );
    expect(body.toString('latin1').startsWith('0')).toBe(true);
    expect(body.toString()).not.toContain('# service=');
    expect(seen.authorization).toBe(BASIC);
    expect(seen['git-protocol']).toBe('version=2');
    expect(seen['x-injected']).toBeUndefined();
    expect(seen['user-agent']).toBe('my bot..X-Injected: 1 (.n.)');
  });

  it('maps 401 (naming the schemes asked for) and 403 to AuthenticationError, 5xx to a retryable HttpError', async () => {
    handler = (_request, response) =>
      response.writeHead(401, { 'www-authenticate': 'Basic realm="git", charset="UTF-8"' }).end('no');
    const refused = await transport()
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toMatch(
      /refused the credentials \(HTTP 401\) \(the server asks for basic\)/,
    );
    const anonymous = await transport({ credentials: undefined })
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect((anonymous as Error).message).toMatch(/requires credentials/);
    handler = (_request, response) => response.writeHead(403).end('no');
    const forbidden = await transport()
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(AuthenticationError.isInstance(forbidden) && forbidden.retryable === false).toBe(true);
    handler = (_request, response) => response.writeHead(503).end('busy');
    const unavailable = await transport()
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(HttpError.isInstance(unavailable) && unavailable.status === 503 && unavailable.retryable).toBe(
      true,
    );
    for (const error of [refused, anonymous, forbidden, unavailable]) {
      expect(JSON.stringify(error)).not.toContain('dXNlcjpzZWNyZXQtcGFzc3dvcmQ');
      expect(String((error as Error).message)).not.toContain('secret-password');
    }
  });

  it('answers a 401 that asks only for Bearer with the token as a bearer token, and keeps using it', async () => {
    const seen: Array<string | undefined> = [];
    handler = (request, response) => {
      seen.push(request.headers.authorization);
      if (request.headers.authorization !== 'Bearer secret-password') {
        response.writeHead(401, { 'www-authenticate': 'Bearer realm="https://auth.example/token"' }).end();
        return;
      }
      advertise('application/x-git-upload-pack-advertisement', V0_UPLOAD_PACK)(request, response);
    };
    const connection = transport();
    await connection.advertise('git-upload-pack', { protocolV2: false });
    await connection.advertise('git-upload-pack', { protocolV2: false });
    expect(seen).toEqual([BASIC, 'Bearer secret-password', 'Bearer secret-password']);
  });

  it('follows a redirect of the first request within the origin and talks to the new base URL', async () => {
    const paths: string[] = [];
    handler = (request, response) => {
      paths.push(`${request.method} ${request.url} ${request.headers.authorization ?? '-'}`);
      if (request.url?.startsWith('/repo.git/info/refs')) {
        response.writeHead(301, { location: '/moved/repo.git/info/refs?service=git-upload-pack' }).end();
        return;
      }
      if (request.url?.startsWith('/moved/repo.git/info/refs')) {
        advertise('application/x-git-upload-pack-advertisement', V0_UPLOAD_PACK)(request, response);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' }).end('0008NAK\n');
    };
    const connection = transport();
    await connection.advertise('git-upload-pack', { protocolV2: false });
    expect(connection.url).toBe(baseUrl.replace('/repo.git', '/moved/repo.git'));
    await connection.exchange('git-upload-pack', Buffer.from('0000'), { protocolV2: false });
    expect(paths).toEqual([
      `GET /repo.git/info/refs?service=git-upload-pack ${BASIC}`,
      `GET /moved/repo.git/info/refs?service=git-upload-pack ${BASIC}`,
      `POST /moved/repo.git/git-upload-pack ${BASIC}`,
    ]);
  });

  it('refuses a redirect to another origin unless allowed, and then never sends the credentials there', async () => {
    const seenThere: Array<string | undefined> = [];
    otherHandler = (request, response) => {
      seenThere.push(request.headers.authorization);
      advertise('application/x-git-upload-pack-advertisement', V0_UPLOAD_PACK)(request, response);
    };
    handler = (_request, response) =>
      response
        .writeHead(302, { location: `${otherOrigin}/elsewhere.git/info/refs?service=git-upload-pack` })
        .end();
    const refused = await transport()
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(GitRedirectRefusedError.isInstance(refused)).toBe(true);
    expect((refused as GitRedirectRefusedError).origin).toBe(otherOrigin);
    expect(seenThere).toEqual([]);
    const allowed = transport({ allowCrossOriginRedirects: true });
    await allowed.advertise('git-upload-pack', { protocolV2: false });
    expect(allowed.url).toBe(`${otherOrigin}/elsewhere.git`);
    expect(seenThere).toEqual([undefined]);
    // A POST is never redirected (git follows only the initial request, http.followRedirects=initial).
    handler = (_request, response) => response.writeHead(307, { location: `${otherOrigin}/x` }).end();
    const posted = await transport()
      .exchange('git-receive-pack', Buffer.from('0000'), { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(HttpError.isInstance(posted) && posted.status === 307).toBe(true);
    expect(seenThere).toEqual([undefined]);
  });

  it('follows an http → https redirect on the same host and port (credentials may go there over TLS)', async () => {
    const sameHostTls = `${baseUrl.replace('http:', 'https:').replace(/\/repo\.git$/, '')}`;
    handler = (_request, response) =>
      response
        .writeHead(301, { location: `${sameHostTls}/repo.git/info/refs?service=git-upload-pack` })
        .end();
    const connection = transport();
    const error = await connection
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    // Followed (the server there speaks no TLS, so the connection fails), not refused.
    expect(ConnectionError.isInstance(error)).toBe(true);
    expect(connection.url).toBe(`${sameHostTls}/repo.git`);
  });

  it('an http → https redirect to another port is another origin: refused, or followed without credentials', async () => {
    handler = (_request, response) =>
      response
        .writeHead(301, {
          location: `${otherOrigin.replace('http:', 'https:')}/repo.git/info/refs?service=git-upload-pack`,
        })
        .end();
    const refused = await transport()
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(GitRedirectRefusedError.isInstance(refused)).toBe(true);
  });

  it('refuses a dumb-HTTP-only server and a page that is not git, each with a typed error saying which', async () => {
    handler = (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/plain' })
        .end(`${'c'.repeat(40)}\trefs/heads/main\n${'d'.repeat(40)}\trefs/tags/v1\n`);
    const dumb = await transport()
      .advertise('git-receive-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(UnsupportedGitServerError.isInstance(dumb)).toBe(true);
    expect((dumb as UnsupportedGitServerError).reason).toBe('dumb-http');
    expect((dumb as Error).message).toMatch(/dumb HTTP/);
    handler = advertise('text/html', Buffer.from('<html>login</html>'));
    const html = await transport()
      .advertise('git-upload-pack', { protocolV2: true })
      .catch((caught: unknown) => caught);
    expect((html as UnsupportedGitServerError).reason).toBe('not-git');
  });

  it('gzips a large upload-pack request, and sends it plain when the server answers 415', async () => {
    const received: Array<{ encoding: string | undefined; body: Buffer }> = [];
    let refuseGzip = false;
    handler = (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const encoding = request.headers['content-encoding'];
        received.push({ encoding, body: Buffer.concat(chunks) });
        if (encoding === 'gzip' && refuseGzip) {
          response.writeHead(415).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' }).end('0008NAK\n');
      });
    };
    const body = Buffer.from('0032want 0123456789012345678901234567890123456789\n'.repeat(2000));
    await transport().exchange('git-upload-pack', body, { protocolV2: true });
    expect(received[0]?.encoding).toBe('gzip');
    expect(gunzipSync(received[0]?.body as Buffer).equals(body)).toBe(true);
    refuseGzip = true;
    await transport().exchange('git-upload-pack', body, { protocolV2: true });
    expect(received.slice(1).map((entry) => entry.encoding)).toEqual(['gzip', undefined]);
    expect(received[2]?.body.equals(body)).toBe(true);
    // A push is never gzipped: its pack is compressed already.
    await transport()
      .exchange('git-receive-pack', body, { protocolV2: false })
      .catch(() => undefined);
    expect(received[3]?.encoding).toBeUndefined();
  });

  it('caps the response size, times out, honours abort and reports refused connections', async () => {
    handler = (_request, response) =>
      response
        .writeHead(200, { 'content-type': 'application/x-git-upload-pack-result' })
        .end(Buffer.alloc(4096));
    const large = await transport({ maxResponseBytes: 1000 })
      .exchange('git-upload-pack', Buffer.from('0000'), { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(ResponseTooLargeError.isInstance(large)).toBe(true);
    const capped = await transport()
      .exchange('git-upload-pack', Buffer.from('0000'), { protocolV2: false, maxResponseBytes: 1000 })
      .catch((caught: unknown) => caught);
    expect(ResponseTooLargeError.isInstance(capped)).toBe(true);

    handler = () => {};
    const slow = await transport({ timeoutMs: 100 })
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(TimeoutError.isInstance(slow)).toBe(true);

    const controller = new AbortController();
    const aborting = transport({ signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const aborted = await aborting
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(AbortError.isInstance(aborted)).toBe(true);
    // A detached copy ignores the caller's abort and keeps its own deadline.
    handler = advertise('application/x-git-upload-pack-advertisement', V0_UPLOAD_PACK);
    await expect(
      aborting.detached(1_000).advertise('git-upload-pack', { protocolV2: false }),
    ).resolves.toBeInstanceOf(Buffer);

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refusedConnection = await transport({ url: `http://127.0.0.1:${closedPort}/repo.git` })
      .advertise('git-upload-pack', { protocolV2: false })
      .catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(refusedConnection)).toBe(true);
    expect((refusedConnection as ConnectionError).causeCode).toBe('ECONNREFUSED');
    expect(JSON.stringify(refusedConnection)).not.toContain('dXNlcjpzZWNyZXQtcGFzc3dvcmQ');
  });

  it('reads the schemes of a WWW-Authenticate header', () => {
    expect(authSchemesOf('Basic realm="a, b", Bearer realm="x", error="invalid_token"')).toEqual([
      'basic',
      'bearer',
    ]);
    expect(authSchemesOf('Negotiate')).toEqual(['negotiate']);
    expect(authSchemesOf(null)).toEqual([]);
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

  it('reads v0 refs and capabilities', async () => {
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
  });
});
