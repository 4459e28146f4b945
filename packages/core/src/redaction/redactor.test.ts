import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeCanary } from '../../test/helpers/seeded-random.js';
import { GitOpsKitError } from '../errors/gitops-kit-error.js';
import { HttpError } from '../errors/http-error.js';
import { ConnectionError } from '../errors/transport-errors.js';
import { createRedactingLogger, type Logger } from '../logger/logger.js';
import { defaultRedactor, REDACTED, Redactor, redact, redactUrl, registerSecret } from './redactor.js';

const registered: string[] = [];
afterEach(() => {
  for (const secret of registered.splice(0)) defaultRedactor.removeSecret(secret);
});

function canary(): string {
  const secret = makeCanary();
  registered.push(secret);
  return secret;
}

/** Every textual form of an error a user or a log pipeline could see. */
function everythingAbout(error: unknown): string {
  const parts = [
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify(error),
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

describe('Redactor', () => {
  it('removes registered secrets and their encoded forms', () => {
    const redactor = new Redactor();
    const secret = 'p@ss word/with+chars';
    redactor.addSecret(secret);
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]) {
      const text = redactor.redact(`before ${form} after`);
      expect(text).toBe(`before ${REDACTED} after`);
      expect(redactor.containsSecret(`x${form}x`)).toBe(true);
    }
    redactor.removeSecret(secret);
    expect(redactor.redact(`x ${secret}`)).toContain(secret);
  });

  it('ignores secrets too short to redact safely', () => {
    const redactor = new Redactor();
    redactor.addSecret('ab');
    redactor.addSecret(undefined);
    expect(redactor.redact('ab cab')).toBe('ab cab');
  });

  it('removes credentials found by pattern without registration', () => {
    const token = makeCanary();
    const cases = [
      `Authorization: Bearer ${token}`,
      `{"authorization":"Basic ${token}"}`,
      `Cookie: argocd.token=${token}; other=1`,
      `https://user:${token}@git.example.com/repo.git`,
      `https://${token}@git.example.com/repo.git`,
      `GET /api?access_token=${token}&x=1`,
      `password=${token}`,
      `"client_secret": "${token}"`,
      `jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIke${token}.c2lnbmF0dXJlMTIz`,
    ];
    for (const text of cases) expect(new Redactor().redact(text), text).not.toContain(token);
  });

  it('redacts URLs structurally', () => {
    const token = makeCanary();
    const url = redactUrl(`https://me:${token}@argocd.example.com/api/v1/apps?token=${token}&name=demo`);
    expect(url).not.toContain(token);
    expect(url).toContain('name=demo');
    expect(url).toContain('argocd.example.com/api/v1/apps');
    expect(redactUrl('not a url password=hunter22')).not.toContain('hunter22');
  });

  it('redacts sensitive headers by name', () => {
    const token = makeCanary();
    const headers = defaultRedactor.redactHeaders({
      Authorization: `Bearer ${token}`,
      'set-cookie': [`argocd.token=${token}`],
      'content-type': 'application/json',
      missing: undefined,
    });
    expect(JSON.stringify(headers)).not.toContain(token);
    expect(headers['content-type']).toBe('application/json');
    expect('missing' in headers).toBe(false);
  });
});

describe('the canary never escapes an error or a log', () => {
  it('is absent from messages, stacks, cause chains, JSON and inspect output', () => {
    const secret = canary();
    registerSecret(secret);
    const root = Object.assign(new Error(`socket failed while sending token ${secret}`), {
      code: 'ECONNRESET',
    });
    const middle = new Error(`wrapped: ${secret}`, { cause: root });
    const errors: unknown[] = [
      new GitOpsKitError(`failed with ${secret}`, { cause: middle }),
      new ConnectionError(`connect to https://x:${secret}@h.test failed`, {
        cause: middle,
        causeCode: 'ECONNRESET',
      }),
      new HttpError(undefined, {
        status: 500,
        method: 'get',
        url: `https://h.test/x?token=${secret}`,
        body: `{"error":"bad token ${secret}"}`,
        headers: { authorization: `Bearer ${secret}`, 'x-echo': secret },
        cause: `string cause ${secret}`,
      }),
    ];
    for (const error of errors) {
      const text = everythingAbout(error);
      expect(text).not.toContain(secret);
      expect(text).toContain(REDACTED);
    }
    const connection = errors[1] as ConnectionError;
    expect((connection.cause as Error & { code?: string }).message).toContain('wrapped');
    expect(((connection.cause as Error).cause as Error & { code?: string }).code).toBe('ECONNRESET');
  });

  it('is absent from every log level, in messages and structured details', () => {
    const secret = canary();
    registerSecret(secret);
    const lines: string[] = [];
    const sink: Logger = {
      debug: (...args) => lines.push(inspect(args, { depth: 10 })),
      info: (...args) => lines.push(inspect(args, { depth: 10 })),
      warn: (...args) => lines.push(inspect(args, { depth: 10 })),
      error: (...args) => lines.push(inspect(args, { depth: 10 })),
    };
    const logger = createRedactingLogger(sink);
    logger.debug(`token ${secret}`);
    logger.info('details', { headers: { authorization: `Bearer ${secret}` }, nested: [{ note: secret }] });
    logger.warn('error', new Error(`failed with ${secret}`));
    logger.error('raw', { password: 'hunter2-other' }, secret);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).not.toContain(secret);
    expect(lines.join('\n')).not.toContain('hunter2-other');
  });

  it('default logger keeps debug and info silent', async () => {
    const { defaultLogger } = await import('../logger/logger.js');
    const spies = [vi.spyOn(console, 'debug'), vi.spyOn(console, 'info'), vi.spyOn(console, 'log')];
    defaultLogger.debug('quiet');
    defaultLogger.info('quiet');
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    defaultLogger.warn('loud');
    expect(warn).toHaveBeenCalledOnce();
  });

  it('redact() uses the shared registry', () => {
    const secret = canary();
    registerSecret(secret);
    expect(redact(`a ${secret} b`)).toBe(`a ${REDACTED} b`);
  });
});
