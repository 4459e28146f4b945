import { defaultRedactor } from '../redaction/redactor.js';
import { GitOpsKitError, type GitOpsKitErrorOptions } from './gitops-kit-error.js';

/** The longest body snippet an error keeps, in characters. */
export const MAXIMUM_BODY_SNIPPET_LENGTH = 512;

/** Statuses that are worth repeating (the AWS and undici tables plus 408 and 425). */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/** What an {@link HttpError} is built from. */
export interface HttpErrorOptions extends GitOpsKitErrorOptions {
  status: number;
  method: string;
  url: string | URL;
  /** The response body, or part of it; kept capped and redacted, never whole. */
  body?: string;
  /** The server's `Retry-After`, already parsed. */
  retryAfterMs?: number;
  /** A request id header the server sent (`x-request-id`, `x-amz-request-id`…). */
  requestId?: string;
  /** How many attempts were made before giving up. */
  attempts?: number;
  /** The response headers, redacted before they are kept. */
  headers?: Record<string, string | string[] | undefined>;
}

/** Caps and redacts a response body so it can travel in an error. */
export function toBodySnippet(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const capped =
    body.length > MAXIMUM_BODY_SNIPPET_LENGTH
      ? `${body.slice(0, MAXIMUM_BODY_SNIPPET_LENGTH)}… (${body.length - MAXIMUM_BODY_SNIPPET_LENGTH} more characters)`
      : body;
  return defaultRedactor.redact(capped);
}

/**
 * The server answered with an error status. `url` is redacted, `bodySnippet` is capped and redacted.
 *
 * Retryable for 408, 425, 429 and 5xx except 501.
 */
export class HttpError extends GitOpsKitError {
  static override readonly kind: string = 'HttpError';

  readonly status: number;
  readonly method: string;
  readonly url: string;
  readonly bodySnippet: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;
  readonly attempts: number;
  readonly headers: Record<string, string | string[]>;

  constructor(message: string | undefined, options: HttpErrorOptions) {
    const url = defaultRedactor.redactUrl(options.url);
    const method = options.method.toUpperCase();
    super(message ?? `${method} ${url} failed with HTTP ${options.status}`, {
      code: options.code ?? 'HTTP_ERROR',
      retryable: options.retryable ?? RETRYABLE_HTTP_STATUSES.has(options.status),
      cause: options.cause,
    });
    this.status = options.status;
    this.method = method;
    this.url = url;
    this.bodySnippet = toBodySnippet(options.body);
    this.retryAfterMs = options.retryAfterMs;
    this.requestId = options.requestId;
    this.attempts = options.attempts ?? 1;
    this.headers = defaultRedactor.redactHeaders(options.headers ?? {});
    this.redactOwnFields();
  }
}
