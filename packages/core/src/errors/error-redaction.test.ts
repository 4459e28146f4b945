import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCanary } from '../../test/helpers/seeded-random.js';
import { createDispatcher } from '../http/create-dispatcher.js';
import { HttpClient } from '../http/http-client.js';
import { createRedactingLogger } from '../logger/logger.js';
import { defaultRedactor, REDACTED } from '../redaction/redactor.js';
import { GitOpsKitError } from './gitops-kit-error.js';
import { HttpError } from './http-error.js';
import { ConnectionError, ValidationError } from './transport-errors.js';

const registered: string[] = [];
afterEach(() => {
  for (const secret of registered.splice(0)) defaultRedactor.removeSecret(secret);
});

/** Every textual form of an error a user or a log pipeline could see, the cause chain included. */
function everythingAbout(error: unknown): string {
  const parts = [
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    inspect(error),
    JSON.stringify(error),
    String(error),
  ];
  for (let current: unknown = error, depth = 0; current !== undefined && depth < 10; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '', String(current));
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join('\n');
}

/** Every own field's value, as read by property access (`error.serverMessage`), along the cause chain. */
function fieldsOf(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    for (const value of Object.values(current)) parts.push(JSON.stringify(value) ?? '');
    current = current.cause;
  }
  return parts.join('\n');
}

/**
 * A subclass as a package outside core might write one: free-form fields assigned after `super()`, not redacted
 * by the subclass. Their printed forms must still be clean.
 */
class EchoingError extends GitOpsKitError {
  static override readonly kind: string = 'EchoingError';
  readonly serverText: string;
  readonly details: unknown;
  constructor(message: string, serverText: string, details: unknown, cause?: unknown) {
    super(message, { code: 'ECHO', cause });
    this.serverText = serverText;
    this.details = details;
  }
}

describe('every field of every error is redacted in every printed form', () => {
  it('redacts subclass fields, nested objects and the cause chain in JSON.stringify and util.inspect', () => {
    const token = makeCanary();
    const password = makeCanary();
    registered.push(password);
    defaultRedactor.addSecret(password);
    // The token is not registered: only the patterns (Authorization, Bearer, password keys) can find it.
    const echoed = `request had Authorization: Bearer ${token} and password=${password}`;
    const inner = new EchoingError('inner failed', `bearer ${token}`, { headers: { authorization: token } });
    const error = new EchoingError(
      'outer failed',
      echoed,
      [{ request: { password, note: `Bearer ${token}` } }],
      inner,
    );
    const text = everythingAbout(error);
    expect(text).not.toContain(token);
    expect(text).not.toContain(password);
    expect(text).toContain(REDACTED);
    // The structure survives: fields, code and the cause are still there.
    const json = JSON.parse(JSON.stringify(error));
    expect(json.code).toBe('ECHO');
    expect(json.cause.name).toBe('EchoingError');
    expect(json.details[0].request.password).toBe(REDACTED);
    expect(inspect(error)).toContain('outer failed');
    expect(inspect(error)).toContain('[cause]');
  });

  it('removes a secret registered after the error was built from toJSON and inspect', () => {
    const late = makeCanary();
    const error = new EchoingError('failed', `server said ${late}`, { echoed: late });
    registered.push(late);
    defaultRedactor.addSecret(late);
    expect(JSON.stringify(error)).not.toContain(late);
    expect(inspect(error, { depth: 10 })).not.toContain(late);
  });

  it('keeps cycles and deep nesting printable', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const error = new EchoingError('cyclic', 'x', cyclic);
    expect(JSON.parse(JSON.stringify(error)).details.self).toBe('[Circular]');
    expect(() => inspect(error)).not.toThrow();
  });
});

describe('URL-like text with userinfo is redacted, parseable or not', () => {
  it.each([
    ['ht!tp://admin:PASSWD-one@[bad', 'PASSWD-one'],
    ['https://ht!tp//admin:PASSWD-two@[bad', 'PASSWD-two'],
    ['connect to //admin:pa/ss-three@host failed', 'pa/ss-three'],
    ['git fetch https://x-token:glpat-four@gitlab.example.com/repo.git', 'glpat-four'],
  ])('%s', (text, password) => {
    const error = new ConnectionError(`GET ${text}: getaddrinfo ENOTFOUND`);
    expect(everythingAbout(error)).not.toContain(password);
  });

  it('leaves a port followed by a path with an @ alone', () => {
    expect(defaultRedactor.redact('GET https://h.test:8443/api/@scope/pkg')).toBe(
      'GET https://h.test:8443/api/@scope/pkg',
    );
  });
});

describe('HttpClient refuses malformed base URLs without echoing them', () => {
  it.each([
    'ht!tp://admin:PW-secret-1@[bad',
    'ftp://admin:PW-secret-2@h.test/',
    'h.test:8443',
    'https://h.test/a b:PW-secret-3@',
    'https:// admin:PW-secret-4@h.test',
    'https://admin:PW-secret-5@',
  ])('%s', (baseUrl) => {
    let thrown: unknown;
    try {
      new HttpClient({ baseUrl });
    } catch (error) {
      thrown = error;
    }
    expect(ValidationError.isInstance(thrown)).toBe(true);
    expect((thrown as ValidationError).field).toBe('baseUrl');
    expect(everythingAbout(thrown)).not.toMatch(/PW-secret/);
  });
});

describe('TLS options that contradict each other', () => {
  it('refuses a CA together with insecureSkipVerify, as client-go does', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(
      () => new HttpClient({ baseUrl: 'https://h.test', tls: { ca: pem, insecureSkipVerify: true } }),
    ).toThrow(ValidationError);
    expect(
      () => new HttpClient({ baseUrl: 'https://h.test', tls: { ca: [pem], insecureSkipVerify: true } }),
    ).toThrow(/tls\.ca and tls\.insecureSkipVerify cannot both be set/);
    // Each alone is fine.
    const withCa = new HttpClient({ baseUrl: 'https://h.test', tls: { ca: pem }, retry: false });
    const insecure = new HttpClient({
      baseUrl: 'https://h.test',
      tls: { insecureSkipVerify: true },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    return Promise.all([withCa.close(), insecure.close()]);
  });
});

describe('HttpError fields', () => {
  it('keeps url, headers and body snippet redacted as fields', () => {
    const token = makeCanary();
    const error = new HttpError(undefined, {
      status: 500,
      method: 'get',
      url: `https://u:${token}@h.test/x?access_token=${token}`,
      body: `{"error":"Authorization: Bearer ${token}"}`,
      headers: { authorization: `Bearer ${token}`, 'x-echo': `Bearer ${token}` },
    });
    expect(everythingAbout(error)).not.toContain(token);
    expect(fieldsOf(error)).not.toContain(token);
  });
});

describe('logger details', () => {
  it('redacts details nested deeper than a few levels instead of passing them on', () => {
    const token = makeCanary();
    const lines: unknown[] = [];
    const sink = {
      debug: () => {},
      info: () => {},
      warn: () => {},
      error: (...args: unknown[]) => lines.push(args),
    };
    const logger = createRedactingLogger(sink);
    let nested: Record<string, unknown> = { note: `Authorization: Bearer ${token}` };
    for (let level = 0; level < 8; level++) nested = { level, nested };
    logger.error('deep', nested);
    expect(JSON.stringify(lines)).not.toContain(token);
    expect(JSON.stringify(lines)).toContain('Bearer [REDACTED]');
  });
});

describe('malformed proxy URLs', () => {
  it('are a ValidationError that does not carry the URL (Node keeps it as `input` on its TypeError)', () => {
    const password = makeCanary();
    const malformed = `ht!tp://admin:${password}@[bad`;
    const attempts: Array<() => unknown> = [
      () => new HttpClient({ baseUrl: 'https://h.test', proxy: { url: malformed } }),
      () => new HttpClient({ baseUrl: 'https://h.test', proxy: { url: `ftp://admin:${password}@h.test` } }),
      () =>
        createDispatcher({ connectTimeoutMs: 1000, proxy: 'env', environment: { HTTPS_PROXY: malformed } }),
    ];
    for (const attempt of attempts) {
      let thrown: unknown;
      try {
        attempt();
      } catch (error) {
        thrown = error;
      }
      expect(ValidationError.isInstance(thrown), String(thrown)).toBe(true);
      expect((thrown as ValidationError).field).toBe('proxy');
      expect(everythingAbout(thrown)).not.toContain(password);
    }
  });
});
