import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { ConnectionError, silentLogger, ValidationError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDApiError, ArgoCDClient, normalizeServerUrl } from '../src/index.js';
import { canaryPassword } from './helpers.js';

// A server that misbehaves the way the issue describes: its 500 error body (grpc-gateway shape: error, code,
// message, details) echoes the request it got — the Authorization header, the session cookie and the login body
// with the password.

const password = canaryPassword();
const sessionToken = `session-${randomBytes(16).toString('hex')}`;
let loginBody = '';
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.method === 'POST' && request.url === '/api/v1/session') {
        loginBody = body;
        response.writeHead(200, {
          'content-type': 'application/json',
          'set-cookie': `argocd.token=${sessionToken}; path=/; HttpOnly`,
        });
        response.end(JSON.stringify({ token: sessionToken }));
        return;
      }
      const echoed = `Authorization: ${request.headers.authorization}; Cookie: argocd.token=${sessionToken}; login ${loginBody}`;
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          error: `internal error while handling ${echoed}`,
          code: 13,
          message: `internal error while handling ${echoed}`,
          details: [
            {
              '@type': 'type.googleapis.com/debug.Request',
              headers: {
                Authorization: request.headers.authorization,
                cookie: `argocd.token=${sessionToken}`,
              },
              body: loginBody,
              note: `token was ${sessionToken}, password was ${password}`,
            },
          ],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Every form of an error anyone could print or ship: fields, JSON, inspect, String, the cause chain. */
function everythingAbout(error: unknown): string {
  const parts: string[] = [
    JSON.stringify(error),
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    inspect(error),
    String(error),
  ];
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    parts.push(current.message, current.stack ?? '', String(current), JSON.stringify(current));
    for (const value of Object.values(current)) parts.push(JSON.stringify(value) ?? String(value));
    current = current.cause;
  }
  return parts.join('\n');
}

describe('an error body that echoes credentials', () => {
  it('leaves no token, cookie or password in any field or printed form of ArgoCDApiError', async () => {
    const client = new ArgoCDClient({
      server: url,
      auth: { username: 'admin', password },
      retry: false,
      logger: silentLogger,
    });
    try {
      const error = await client.applications.get('web').catch((caught: unknown) => caught);
      expect(ArgoCDApiError.isInstance(error)).toBe(true);
      const apiError = error as ArgoCDApiError;
      expect(apiError.status).toBe(500);
      expect(apiError.grpcCodeName).toBe('Internal');
      // The server really echoed both secrets (so the test would see a leak).
      expect(loginBody).toContain(password);
      const text = everythingAbout(apiError);
      expect(text).not.toContain(sessionToken);
      expect(text).not.toContain(password);
      // Still useful: the server's words around the secrets are kept.
      expect(apiError.serverMessage).toContain(
        'internal error while handling Authorization: Bearer [REDACTED]',
      );
      expect(apiError.details).toHaveLength(1);
      expect(JSON.stringify(apiError.details)).toContain('debug.Request');
    } finally {
      await client.close();
    }
  });
});

describe('malformed server URLs', () => {
  const secret = `PW-${randomBytes(6).toString('hex')}`;
  it.each([
    `ht!tp://admin:${secret}@[bad`,
    `ftp://admin:${secret}@argocd.example.com`,
    `https://argocd.example.com/a b:${secret}@x`,
    `https://admin:${secret}@argocd.example.com`,
    `admin:${secret}@argocd.example.com`,
    `https://argocd.example.com/?token=${secret}`,
  ])('%s is refused at construction without the password', (server) => {
    let thrown: unknown;
    try {
      new ArgoCDClient({ server, logger: silentLogger });
    } catch (error) {
      thrown = error;
    }
    expect(ValidationError.isInstance(thrown)).toBe(true);
    expect((thrown as ValidationError).field).toBe('server');
    expect(everythingAbout(thrown)).not.toContain(secret);
    // The same rule applies to the environment (ARGOCD_SERVER) path.
    expect(() => ArgoCDClient.fromEnv({ ARGOCD_SERVER: server })).toThrow(ValidationError);
  });

  it('keeps accepting what the argocd CLI accepts', () => {
    expect(normalizeServerUrl('argocd.example.com')).toBe('https://argocd.example.com');
    expect(normalizeServerUrl('argocd.example.com:8080', { plaintext: true })).toBe(
      'http://argocd.example.com:8080',
    );
    expect(normalizeServerUrl(' HTTPS://Argocd.Example.com/argocd/ ')).toBe(
      'https://argocd.example.com/argocd',
    );
    expect(normalizeServerUrl('[::1]:8443')).toBe('https://[::1]:8443');
  });

  it('a server that parses but cannot be reached is a ConnectionError without credentials', async () => {
    const client = new ArgoCDClient({
      server: 'https://argocd.invalid',
      auth: { username: 'admin', password },
      retry: false,
      logger: silentLogger,
    });
    try {
      const error = await client.applications.get('web').catch((caught: unknown) => caught);
      expect(ConnectionError.isInstance(error)).toBe(true);
      expect(everythingAbout(error)).not.toContain(password);
    } finally {
      await client.close();
    }
  });
});

describe('TLS options', () => {
  it('refuses tls.ca together with tls.insecureSkipVerify, as the core transport and tekton-client do', () => {
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    let thrown: unknown;
    try {
      new ArgoCDClient({ server: url, tls: { ca, insecureSkipVerify: true }, logger: silentLogger });
    } catch (error) {
      thrown = error;
    }
    expect(ValidationError.isInstance(thrown)).toBe(true);
    expect((thrown as ValidationError).field).toBe('tls');
  });
});
