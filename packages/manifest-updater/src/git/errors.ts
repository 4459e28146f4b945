import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';

/**
 * The push lost a race that re-applying could not resolve: a file (or a path inside it) that the change needs
 * no longer exists on the new head, or the retries ran out while other writers kept landing first.
 * Not retryable as is: look at the branch, then decide.
 */
export class PushConflictError extends GitOpsKitError {
  static override readonly kind: string = 'PushConflictError';
  /** The branch that moved. */
  readonly branch: string;
  /** The file that no longer fits, when that is the reason. */
  readonly file: string | undefined;
  /** Attempts made, the first included. */
  readonly attempts: number;
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & { branch: string; file?: string; attempts: number },
  ) {
    super(message, { code: 'PUSH_CONFLICT', retryable: false, ...options });
    this.branch = options.branch;
    this.file = options.file;
    this.attempts = options.attempts;
  }
}

/**
 * The connection broke after the push was sent, and the remote branch could not be read afterwards, so nobody
 * knows whether `commit` landed. Check the branch for `commit` before writing again.
 */
export class PushOutcomeUnknownError extends GitOpsKitError {
  static override readonly kind: string = 'PushOutcomeUnknownError';
  /** The commit that may or may not be on the remote branch. */
  readonly commit: string;
  readonly branch: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { commit: string; branch: string }) {
    super(message, { code: 'PUSH_OUTCOME_UNKNOWN', retryable: false, ...options });
    this.commit = options.commit;
    this.branch = options.branch;
  }
}

/**
 * A `file` would leave the repository: an absolute path, `..`, a NUL byte, a backslash, a path into `.git`, or a
 * path through (or to) a symbolic link or submodule in the tree. Rejected before anything was written.
 */
export class PathOutsideRepoError extends GitOpsKitError {
  static override readonly kind: string = 'PathOutsideRepoError';
  /** The offending path, as given (never resolved against a host directory). */
  readonly file: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { file: string }) {
    super(message, { code: 'PATH_OUTSIDE_REPO', retryable: false, ...options });
    this.file = options.file;
  }
}

/** A file the change needs does not exist on the branch (on the first attempt; after a race it is a conflict). */
export class FileNotFoundInRepoError extends GitOpsKitError {
  static override readonly kind: string = 'FileNotFoundInRepoError';
  readonly file: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { file: string }) {
    super(message, { code: 'FILE_NOT_FOUND', retryable: false, ...options });
    this.file = options.file;
  }
}

/** The branch to update does not exist on the remote. */
export class BranchNotFoundError extends GitOpsKitError {
  static override readonly kind: string = 'BranchNotFoundError';
  readonly branch: string;
  constructor(message: string, options: GitOpsKitErrorOptions & { branch: string }) {
    super(message, { code: 'BRANCH_NOT_FOUND', retryable: false, ...options });
    this.branch = options.branch;
  }
}

/**
 * The server broke the git protocol or refused the push for a reason other than a race (a hook declined it, a
 * protected branch, a malformed answer). `serverMessage` is the server's reason, redacted.
 */
export class GitProtocolError extends GitOpsKitError {
  static override readonly kind: string = 'GitProtocolError';
  readonly serverMessage: string | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { serverMessage?: string } = {}) {
    super(message, { code: 'GIT_PROTOCOL_ERROR', retryable: false, ...options });
    this.serverMessage = options.serverMessage;
    this.redactOwnFields();
  }
}

/**
 * The server does not speak the part of the git protocol a write-back needs: a dumb-HTTP-only server (no
 * `git-upload-pack`/`git-receive-pack` service), or one whose answers are not git's at all. `reason` says which.
 */
export class UnsupportedGitServerError extends GitOpsKitError {
  static override readonly kind: string = 'UnsupportedGitServerError';
  readonly reason: 'dumb-http' | 'not-git' | 'no-push-options';
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & { reason: 'dumb-http' | 'not-git' | 'no-push-options' },
  ) {
    super(message, { code: 'GIT_SERVER_UNSUPPORTED', retryable: false, ...options });
    this.reason = options.reason;
  }
}

/**
 * A server without shallow fetch (`shallow` not offered) made the write-back download whole history, and it
 * grew past `maxHistoryBytes`. Raise the limit, or enable shallow fetch on the server.
 */
export class GitFetchTooLargeError extends GitOpsKitError {
  static override readonly kind: string = 'GitFetchTooLargeError';
  readonly limitBytes: number;
  constructor(message: string, options: GitOpsKitErrorOptions & { limitBytes: number }) {
    super(message, { code: 'GIT_FETCH_TOO_LARGE', retryable: false, ...options });
    this.limitBytes = options.limitBytes;
  }
}

/**
 * The server redirected the first request somewhere this write-back will not follow: another origin (unless
 * `allowCrossOriginRedirects`), or a place that is not a git repository URL. `origin` is the target's origin only.
 */
export class GitRedirectRefusedError extends GitOpsKitError {
  static override readonly kind: string = 'GitRedirectRefusedError';
  readonly origin: string | undefined;
  constructor(message: string, options: GitOpsKitErrorOptions & { origin: string | undefined }) {
    super(message, { code: 'GIT_REDIRECT_REFUSED', retryable: false, ...options });
    this.origin = options.origin;
  }
}
