import { HttpError, type HttpErrorOptions } from '@gitops-kit/core';
import { grpcCodeName } from './grpc-codes.js';

/** The server's message for a sync refused because an operation is running (`util/argo/argo.go`). */
export const OPERATION_IN_PROGRESS_MESSAGE = 'another operation is already in progress';

/** What an {@link ArgoCDApiError} is built from. */
export interface ArgoCDApiErrorOptions extends HttpErrorOptions {
  /** The numeric gRPC code from the error body (`code`, or `grpc_code` in a stream error). */
  grpcCode?: number;
  /** The server's message (`message`/`error`), redacted. */
  serverMessage?: string;
  /** `details` from the error body; deep-redacted when the error is built. */
  details?: readonly unknown[];
  /**
   * True when the request addressed one application without `project`: Argo CD then answers 403 both for a
   * forbidden app and for one that does not exist (`server/application/application.go`).
   */
  missingOrForbidden?: boolean;
}

/**
 * An error answer from the Argo CD API: the HTTP status plus, when the body is grpc-gateway JSON, the gRPC code,
 * its name and the server's message. Non-JSON bodies (415 "Invalid content type", proxy pages) give an error
 * with `grpcCode` undefined and a capped, redacted `bodySnippet`.
 *
 * @example
 * ```ts
 * try { await client.applications.get('demo'); }
 * catch (error) {
 *   if (ArgoCDApiError.isInstance(error) && error.isNotFound()) return undefined;
 *   throw error;
 * }
 * ```
 */
export class ArgoCDApiError extends HttpError {
  static override readonly kind: string = 'ArgoCDApiError';

  /** The numeric gRPC code, when the body carried one. */
  readonly grpcCode: number | undefined;
  /** `NotFound`, `PermissionDenied`, `FailedPrecondition`… */
  readonly grpcCodeName: string | undefined;
  /** The server's own message, redacted (registered secrets and credential patterns) when the error is built. */
  readonly serverMessage: string | undefined;
  /** `details` from the body (protobuf Any list), when present; every string in it redacted. */
  readonly details: readonly unknown[];
  /** See {@link ArgoCDApiErrorOptions.missingOrForbidden}. */
  readonly missingOrForbidden: boolean;

  /** @param message - Overrides the generated message (normally `undefined`). */
  constructor(message: string | undefined, options: ArgoCDApiErrorOptions) {
    const name = grpcCodeName(options.grpcCode);
    const method = options.method.toUpperCase();
    const path = pathOf(options.url);
    const summary = [`HTTP ${options.status}`, name].filter(Boolean).join(' ');
    const hint = options.missingOrForbidden && options.status === 403 ? hintForAmbiguous403 : '';
    super(
      message ??
        `Argo CD ${method} ${path} failed (${summary}): ${options.serverMessage ?? 'no error message in the response'}${hint}`,
      { code: 'ARGOCD_API_ERROR', ...options },
    );
    this.grpcCode = options.grpcCode;
    this.grpcCodeName = name;
    this.serverMessage = options.serverMessage;
    this.details = options.details ?? [];
    this.missingOrForbidden = options.missingOrForbidden ?? false;
    // The server's text may echo the request (an `Authorization` header, a login body): redact it at the cause.
    this.redactOwnFields();
  }

  /**
   * The object does not exist: HTTP 404 / gRPC NotFound, or a 403 on an application call made without `project`
   * (Argo CD hides existence from callers that did not name the project).
   */
  isNotFound(): boolean {
    return this.status === 404 || this.grpcCode === 5 || (this.status === 403 && this.missingOrForbidden);
  }

  /** The caller lacks the RBAC permission (403 / PermissionDenied). May also mean "missing" — see `isNotFound`. */
  isPermissionDenied(): boolean {
    return this.status === 403 || this.grpcCode === 7;
  }

  /** A sync/rollback was refused because another operation is running (400 FailedPrecondition). */
  isOperationInProgress(): boolean {
    return (this.serverMessage ?? '').toLowerCase().includes(OPERATION_IN_PROGRESS_MESSAGE);
  }

  /** 409: a stale `resourceVersion` (Aborted) or an object that already exists (AlreadyExists). */
  isConflict(): boolean {
    return this.status === 409 || this.grpcCode === 10 || this.grpcCode === 6;
  }

  /** The same error, marked as coming from an application call that did not name its project. */
  withMissingOrForbidden(): ArgoCDApiError {
    if (this.missingOrForbidden) return this;
    return new ArgoCDApiError(undefined, {
      status: this.status,
      method: this.method,
      url: this.url,
      attempts: this.attempts,
      headers: this.headers,
      retryable: this.retryable,
      missingOrForbidden: true,
      ...(this.bodySnippet === undefined ? {} : { body: this.bodySnippet }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.requestId === undefined ? {} : { requestId: this.requestId }),
      ...(this.grpcCode === undefined ? {} : { grpcCode: this.grpcCode }),
      ...(this.serverMessage === undefined ? {} : { serverMessage: this.serverMessage }),
      details: this.details,
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    });
  }

  /** 401: the token is missing, invalid or expired. */
  isUnauthenticated(): boolean {
    return this.status === 401 || this.grpcCode === 16;
  }
}

const hintForAmbiguous403 =
  ' (Argo CD answers 403 for a missing application when the request does not name its project; pass `project` to tell the two apart)';

function pathOf(url: string | URL): string {
  try {
    return new URL(String(url)).pathname;
  } catch {
    return String(url);
  }
}
