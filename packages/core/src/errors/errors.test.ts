import { describe, expect, it } from 'vitest';
import { GitOpsKitError, sanitizeCause } from './gitops-kit-error.js';
import { HttpError, MAXIMUM_BODY_SNIPPET_LENGTH, toBodySnippet } from './http-error.js';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  ResponseParseError,
  ResponseTooLargeError,
  ResponseValidationError,
  TimeoutError,
  ValidationError,
} from './transport-errors.js';

describe('error classes', () => {
  it('have stable codes, names and retryability', () => {
    const table: Array<[GitOpsKitError, string, string, boolean]> = [
      [new GitOpsKitError('x'), 'GitOpsKitError', 'GITOPS_KIT_ERROR', false],
      [new TimeoutError('x'), 'TimeoutError', 'TIMEOUT', true],
      [new AbortError(), 'AbortError', 'ABORTED', false],
      [new ConnectionError('x'), 'ConnectionError', 'CONNECTION_ERROR', true],
      [
        new ConnectionError('x', { retryable: false, causeCode: 'CERT_HAS_EXPIRED' }),
        'ConnectionError',
        'CONNECTION_ERROR',
        false,
      ],
      [new ResponseParseError('x'), 'ResponseParseError', 'RESPONSE_PARSE_ERROR', false],
      [
        new ResponseValidationError('x', { issues: [] }),
        'ResponseValidationError',
        'RESPONSE_VALIDATION_ERROR',
        false,
      ],
      [
        new ResponseTooLargeError('x', { limitBytes: 1 }),
        'ResponseTooLargeError',
        'RESPONSE_TOO_LARGE',
        false,
      ],
      [new AuthenticationError('x'), 'AuthenticationError', 'AUTHENTICATION_FAILED', false],
      [new ValidationError('x'), 'ValidationError', 'VALIDATION_ERROR', false],
      [
        new HttpError(undefined, { status: 503, method: 'get', url: 'https://h.test/' }),
        'HttpError',
        'HTTP_ERROR',
        true,
      ],
      [
        new HttpError(undefined, { status: 404, method: 'get', url: 'https://h.test/' }),
        'HttpError',
        'HTTP_ERROR',
        false,
      ],
      [
        new HttpError(undefined, { status: 501, method: 'get', url: 'https://h.test/' }),
        'HttpError',
        'HTTP_ERROR',
        false,
      ],
    ];
    for (const [error, name, code, retryable] of table) {
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error).toBeInstanceOf(Error);
      expect(GitOpsKitError.isInstance(error)).toBe(true);
    }
  });

  it('brand checks follow the class hierarchy', () => {
    class ThingError extends HttpError {
      static override readonly kind: string = 'ThingError';
    }
    const thing = new ThingError('x', { status: 400, method: 'GET', url: 'https://h.test' });
    expect(ThingError.isInstance(thing)).toBe(true);
    expect(HttpError.isInstance(thing)).toBe(true);
    expect(thing instanceof HttpError).toBe(true);
    expect(TimeoutError.isInstance(thing)).toBe(false);
    expect(thing instanceof TimeoutError).toBe(false);
    expect(thing.name).toBe('ThingError');
  });

  it('recognises an error from another copy of the package by its brand', () => {
    const foreign = new Error('from a duplicate install');
    Object.defineProperty(foreign, Symbol.for('gitops-kit.error'), { value: true });
    Object.defineProperty(foreign, Symbol.for('gitops-kit.error.kinds'), {
      value: ['TimeoutError', 'GitOpsKitError'],
    });
    expect(TimeoutError.isInstance(foreign)).toBe(true);
    expect(foreign instanceof GitOpsKitError).toBe(true);
    expect(HttpError.isInstance(foreign)).toBe(false);
    expect(GitOpsKitError.isInstance({ message: 'plain' })).toBe(false);
    expect(GitOpsKitError.isInstance(null)).toBe(false);
  });

  it('HttpError upper-cases the method, redacts the URL and caps the snippet', () => {
    const error = new HttpError(undefined, {
      status: 500,
      method: 'patch',
      url: 'https://u:p4ssw0rd@h.test/a?token=abc123456&x=1',
      body: 'b'.repeat(MAXIMUM_BODY_SNIPPET_LENGTH * 3),
      retryAfterMs: 1000,
    });
    expect(error.method).toBe('PATCH');
    expect(error.url).not.toContain('p4ssw0rd');
    expect(error.url).not.toContain('abc123456');
    expect(error.message).toBe(`PATCH ${error.url} failed with HTTP 500`);
    expect(error.bodySnippet?.length).toBeLessThan(MAXIMUM_BODY_SNIPPET_LENGTH + 50);
    expect(error.retryAfterMs).toBe(1000);
    expect(toBodySnippet(undefined)).toBeUndefined();
  });

  it('keeps the low-level code of a foreign cause', () => {
    const cause = Object.assign(new Error('reset'), { code: 'ECONNRESET', syscall: 'read', errno: -104 });
    const copy = sanitizeCause(cause) as Error & { code?: string; syscall?: string };
    expect(copy).not.toBe(cause);
    expect(copy.code).toBe('ECONNRESET');
    expect(copy.syscall).toBe('read');
    expect(sanitizeCause(undefined)).toBeUndefined();
  });

  it('serialises to JSON with code, retryable and the cause', () => {
    const error = new TimeoutError('slow', { cause: new Error('inner'), timeoutMs: 5 });
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'TimeoutError',
      code: 'TIMEOUT',
      retryable: true,
      message: 'slow',
      timeoutMs: 5,
    });
    expect(json.cause).toEqual({ name: 'Error', message: 'inner' });
  });
});
