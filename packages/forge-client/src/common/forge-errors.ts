import { GitOpsKitError, HttpError, type HttpErrorOptions } from '@gitops-kit/core';
import type { ChangeRequestRef } from './change-request.js';

/** What a forge error carries besides the HTTP details. */
export interface ForgeApiErrorOptions extends HttpErrorOptions {
  forge: 'gitlab' | 'github';
  /** The forge's own message (`message` of the JSON body), redacted. */
  serverMessage?: string;
}

/**
 * The forge answered with an error status. `serverMessage` is the forge's own text; tokens never appear (the
 * client registers them for redaction and core redacts at construction).
 */
export class ForgeApiError extends HttpError {
  static override readonly kind: string = 'ForgeApiError';
  readonly forge: 'gitlab' | 'github';
  readonly serverMessage: string | undefined;
  constructor(message: string, options: ForgeApiErrorOptions) {
    super(message, { ...options, code: options.code ?? 'FORGE_API_ERROR' });
    this.forge = options.forge;
    this.serverMessage = options.serverMessage;
    this.redactOwnFields();
  }
}

/** The options to rebuild `error` as a more specific forge error (same request, status and message; `error` as cause). */
export function forgeErrorOptions(error: ForgeApiError): ForgeApiErrorOptions {
  return {
    forge: error.forge,
    status: error.status,
    method: error.method,
    url: error.url,
    ...(error.serverMessage === undefined ? {} : { serverMessage: error.serverMessage }),
    cause: error,
  };
}

/** The forge's rate limit is exhausted and the reset is further away than the retry budget allows. */
export class RateLimitError extends ForgeApiError {
  static override readonly kind: string = 'RateLimitError';
  constructor(message: string, options: ForgeApiErrorOptions) {
    super(message, { ...options, code: 'FORGE_RATE_LIMITED', retryable: true });
  }
}

/** A change request for the same source and target branch is already open (GitLab 409, GitHub 422). */
export class ChangeRequestExistsError extends ForgeApiError {
  static override readonly kind: string = 'ChangeRequestExistsError';
  constructor(message: string, options: ForgeApiErrorOptions) {
    super(message, { ...options, code: 'FORGE_CHANGE_REQUEST_EXISTS', retryable: false });
  }
}

/** The forge refuses the merge now: draft, closed, checks pending or failed, approvals missing (HTTP 405). */
export class NotMergeableError extends ForgeApiError {
  static override readonly kind: string = 'NotMergeableError';
  constructor(message: string, options: ForgeApiErrorOptions) {
    super(message, { ...options, code: 'FORGE_NOT_MERGEABLE', retryable: false });
  }
}

/** The source branch moved past the commit the merge was pinned to (HTTP 409). */
export class HeadChangedError extends ForgeApiError {
  static override readonly kind: string = 'HeadChangedError';
  constructor(message: string, options: ForgeApiErrorOptions) {
    super(message, { ...options, code: 'FORGE_HEAD_CHANGED', retryable: false });
  }
}

/**
 * The forge refused the token's user's approval: GitHub never takes one from the pull request's author (422);
 * GitLab answers 401 to a user who may not approve — the author while "Prevent approval by author" is on (GitLab's
 * default), or someone who is not an eligible approver — the same status as for a token it does not accept.
 *
 * @example
 * ```ts
 * try {
 *   await forge.changeRequests.approve(mr);
 * } catch (error) {
 *   if (ApprovalRefusedError.isInstance(error)) console.log('ask another reviewer to approve', mr.webUrl);
 * }
 * ```
 */
export class ApprovalRefusedError extends ForgeApiError {
  static override readonly kind: string = 'ApprovalRefusedError';
  constructor(message: string, options: ForgeApiErrorOptions) {
    super(message, { ...options, code: 'FORGE_APPROVAL_REFUSED', retryable: false });
  }
}

/** The change request cannot merge because its source conflicts with the target. */
export class ChangeRequestConflictError extends GitOpsKitError {
  static override readonly kind: string = 'ChangeRequestConflictError';
  readonly ref: ChangeRequestRef;
  constructor(ref: ChangeRequestRef, detail: string, cause?: unknown) {
    super(
      `change request ${ref.project}#${ref.number} conflicts with its target branch (${detail}); ` +
        'rebase or resolve the conflict, then merge again',
      { code: 'FORGE_CHANGE_REQUEST_CONFLICT', retryable: false, cause },
    );
    this.ref = ref;
  }
}

/** The change request was closed without being merged while it was waited for. */
export class ChangeRequestClosedError extends GitOpsKitError {
  static override readonly kind: string = 'ChangeRequestClosedError';
  readonly ref: ChangeRequestRef;
  constructor(ref: ChangeRequestRef) {
    super(`change request ${ref.project}#${ref.number} was closed without being merged`, {
      code: 'FORGE_CHANGE_REQUEST_CLOSED',
      retryable: false,
    });
    this.ref = ref;
  }
}

/** The change request was not merged within the wait's time limit. */
export class MergeWaitTimeoutError extends GitOpsKitError {
  static override readonly kind: string = 'MergeWaitTimeoutError';
  readonly ref: ChangeRequestRef;
  readonly timeoutMs: number;
  constructor(ref: ChangeRequestRef, timeoutMs: number) {
    super(`change request ${ref.project}#${ref.number} was not merged within ${timeoutMs} ms`, {
      code: 'FORGE_MERGE_WAIT_TIMEOUT',
      retryable: true,
    });
    this.ref = ref;
    this.timeoutMs = timeoutMs;
  }
}

/** A merge that waits for the checks found one of them failed. */
export class ChecksFailedError extends GitOpsKitError {
  static override readonly kind: string = 'ChecksFailedError';
  readonly ref: ChangeRequestRef;
  readonly sha: string;
  readonly failed: string[];
  constructor(ref: ChangeRequestRef, sha: string, statuses: ReadonlyArray<{ name: string; state: string }>) {
    const failed = statuses.filter((s) => s.state === 'failed' || s.state === 'canceled').map((s) => s.name);
    super(
      `checks failed on ${sha.slice(0, 12)} of change request ${ref.project}#${ref.number}: ${failed.join(', ')}`,
      {
        code: 'FORGE_CHECKS_FAILED',
        retryable: false,
      },
    );
    this.ref = ref;
    this.sha = sha;
    this.failed = failed;
  }
}
