import { defaultRedactor } from '../redaction/redactor.js';
import { GitOpsKitError, type GitOpsKitErrorOptions } from './gitops-kit-error.js';

/**
 * An operation ran out of time: a per-call `timeoutMs`, or undici's connect/headers/body timeout. Retryable:
 * the server may answer in time on another try.
 */
export class TimeoutError extends GitOpsKitError {
  static override readonly kind: string = 'TimeoutError';
  /** The limit that ran out, in milliseconds, when known. */
  readonly timeoutMs: number | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { timeoutMs?: number } = {}) {
    super(message, { code: 'TIMEOUT', retryable: true, ...options });
    this.timeoutMs = options.timeoutMs;
  }
}

/**
 * The caller aborted through an `AbortSignal`. Never retried. `name` is `AbortError`, as the platform's own
 * abort errors, so `error.name === 'AbortError'` checks keep working.
 */
export class AbortError extends GitOpsKitError {
  static override readonly kind: string = 'AbortError';
  constructor(message = 'The operation was aborted', options: GitOpsKitErrorOptions = {}) {
    super(message, { code: 'ABORTED', retryable: false, ...options });
  }
}

/** The connection failed or broke (refused, reset, DNS, TLS). Retryable unless it is a TLS verification failure. */
export class ConnectionError extends GitOpsKitError {
  static override readonly kind: string = 'ConnectionError';
  /** The low-level code (`ECONNRESET`, `UND_ERR_SOCKET`, `CERT_HAS_EXPIRED`…), when known. */
  readonly causeCode: string | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { causeCode?: string } = {}) {
    super(message, { code: 'CONNECTION_ERROR', retryable: true, ...options });
    this.causeCode = options.causeCode;
  }
}

/**
 * The response body is not what the content type promised (invalid JSON, an HTML page where JSON was expected).
 * Not retryable by itself; `bodySnippet` holds at most a short, redacted start of the body for diagnosis.
 */
export class ResponseParseError extends GitOpsKitError {
  static override readonly kind: string = 'ResponseParseError';
  readonly status: number | undefined;
  readonly contentType: string | undefined;
  /** The first characters of the body (capped at 256, redacted); never in `message`. */
  readonly bodySnippet: string | undefined;
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & { status?: number; contentType?: string; body?: string } = {},
  ) {
    const { body, ...rest } = options;
    super(message, { code: 'RESPONSE_PARSE_ERROR', retryable: false, ...rest });
    this.status = options.status;
    this.contentType = options.contentType;
    this.bodySnippet =
      body === undefined
        ? undefined
        : defaultRedactor.redact(body.length > 256 ? `${body.slice(0, 256)}…` : body);
  }
}

/** One problem a schema found; carries the path only, never the value found there. */
export interface ValidationIssue {
  path: ReadonlyArray<string | number>;
  message: string;
  code?: string;
}

/**
 * A response did not match the schema the SDK depends on. Carries the issue paths and the schema's messages,
 * never payload values.
 */
export class ResponseValidationError extends GitOpsKitError {
  static override readonly kind: string = 'ResponseValidationError';
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, options: GitOpsKitErrorOptions & { issues: readonly ValidationIssue[] }) {
    super(message, { code: 'RESPONSE_VALIDATION_ERROR', retryable: false, ...options });
    this.issues = defaultRedactor.redactValue(options.issues) as readonly ValidationIssue[];
  }
}

/** A response (or one line of a stream) was larger than the configured cap. The body was cancelled. */
export class ResponseTooLargeError extends GitOpsKitError {
  static override readonly kind: string = 'ResponseTooLargeError';
  readonly limitBytes: number;
  constructor(message: string, options: GitOpsKitErrorOptions & { limitBytes: number }) {
    super(message, { code: 'RESPONSE_TOO_LARGE', retryable: false, ...options });
    this.limitBytes = options.limitBytes;
  }
}

/** The server refused the credentials (401), or no valid credentials could be obtained. Not retried. */
export class AuthenticationError extends GitOpsKitError {
  static override readonly kind: string = 'AuthenticationError';
  readonly status: number | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { status?: number } = {}) {
    super(message, { code: 'AUTHENTICATION_FAILED', retryable: false, ...options });
    this.status = options.status;
  }
}

/** The caller's input is invalid (a name, a path, an option); rejected before anything was sent or written. */
export class ValidationError extends GitOpsKitError {
  static override readonly kind: string = 'ValidationError';
  /** Which input was invalid, e.g. `branch` or `options.timeoutMs`. */
  readonly field: string | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { field?: string } = {}) {
    super(message, { code: 'VALIDATION_ERROR', retryable: false, ...options });
    this.field = options.field;
  }
}
