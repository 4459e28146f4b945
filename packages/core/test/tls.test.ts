import { generate } from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, HttpClient, type Logger } from '../src/index.js';
import { type LoopbackServer, sendJson, startTlsServer } from './helpers/loopback-server.js';

interface Pems {
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
}

let ipCertificate: Pems;
let namedCertificate: Pems;

async function makeCertificate(
  altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }>,
): Promise<Pems> {
  const pems = await generate([{ name: 'commonName', value: 'gitops-kit test' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    clientCertificate: { cn: 'gitops-kit client', keyType: 'ec' },
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  if (!pems.clientcert || !pems.clientprivate) throw new Error('selfsigned made no client certificate');
  return { cert: pems.cert, key: pems.private, clientCert: pems.clientcert, clientKey: pems.clientprivate };
}

beforeAll(async () => {
  ipCertificate = await makeCertificate([{ type: 7, ip: '127.0.0.1' }]);
  namedCertificate = await makeCertificate([{ type: 2, value: 'argocd.internal.test' }]);
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function tlsServer(certificate: Pems, requireClientCertificate = false): Promise<LoopbackServer> {
  const server = await startTlsServer((_request, response) => sendJson(response, 200, { secure: true }), {
    key: certificate.key,
    cert: certificate.cert,
    ...(requireClientCertificate ? { clientCa: certificate.cert } : {}),
  });
  cleanups.push(() => server.close());
  return server;
}

function client(
  server: LoopbackServer,
  options: Partial<ConstructorParameters<typeof HttpClient>[0]> = {},
): HttpClient {
  const http = new HttpClient({
    baseUrl: server.url,
    proxy: false,
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  cleanups.push(() => http.close());
  return http;
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => {},
    info: () => {},
    warn: (message) => warnings.push(message),
    error: () => {},
  };
}

describe('TLS (F24)', () => {
  it('rejects a self-signed server by default, without retrying', async () => {
    const server = await tlsServer(ipCertificate);
    const error = await client(server)
      .request({ path: '/x' })
      .catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(error)).toBe(true);
    const connectionError = error as ConnectionError;
    expect(connectionError.retryable).toBe(false);
    expect(connectionError.causeCode).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    expect(connectionError.message).toContain('tls.ca');
    expect(server.requests).toHaveLength(0);
  });

  it('accepts the server when its CA is configured', async () => {
    const server = await tlsServer(ipCertificate);
    const { data } = await client(server, { tls: { ca: ipCertificate.cert } }).request({ path: '/x' });
    expect(data).toEqual({ secure: true });
  });

  it('checks the host name, and honours servername', async () => {
    const server = await tlsServer(namedCertificate);
    const wrongName = await client(server, { tls: { ca: namedCertificate.cert } })
      .request({ path: '/x' })
      .catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(wrongName)).toBe(true);
    expect((wrongName as ConnectionError).causeCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((wrongName as ConnectionError).retryable).toBe(false);
    const { data } = await client(server, {
      tls: { ca: namedCertificate.cert, servername: 'argocd.internal.test' },
    }).request({ path: '/x' });
    expect(data).toEqual({ secure: true });
  });

  it('accepts anything with insecureSkipVerify and warns exactly once', async () => {
    const server = await tlsServer(ipCertificate);
    const logger = recordingLogger();
    const http = client(server, { tls: { insecureSkipVerify: true }, logger });
    await http.request({ path: '/a' });
    await http.request({ path: '/b' });
    expect(server.requests).toHaveLength(2);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('insecureSkipVerify');
  });

  it('does not warn when verification is on', async () => {
    const server = await tlsServer(ipCertificate);
    const logger = recordingLogger();
    await client(server, { tls: { ca: ipCertificate.cert }, logger }).request({ path: '/a' });
    expect(logger.warnings).toEqual([]);
  });

  it('presents a client certificate for mutual TLS', async () => {
    const server = await tlsServer(ipCertificate, true);
    const refused = await client(server, { tls: { ca: ipCertificate.cert }, retry: false })
      .request({ path: '/x' })
      .catch((caught: unknown) => caught);
    expect(ConnectionError.isInstance(refused)).toBe(true);
    const { data } = await client(server, {
      tls: { ca: ipCertificate.cert, cert: ipCertificate.clientCert, key: ipCertificate.clientKey },
    }).request({ path: '/x' });
    expect(data).toEqual({ secure: true });
  });
});
