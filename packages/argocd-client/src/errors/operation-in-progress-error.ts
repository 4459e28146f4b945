import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';

/** What an {@link OperationInProgressError} carries. */
export interface OperationInProgressErrorOptions extends GitOpsKitErrorOptions {
  applicationName: string;
  /** The operation that was running when we gave up (`app.operation`), when known. */
  runningOperation?: unknown;
}

/**
 * A sync or rollback could not start because another operation is running on the application and the caller did
 * not ask to wait for it (`waitForOperation`), or it did not finish before the deadline. Retryable: it may succeed
 * once the running operation ends.
 *
 * @example
 * ```ts
 * try { await client.applications.sync('demo'); }
 * catch (error) { if (OperationInProgressError.isInstance(error)) console.log(error.runningOperation); }
 * ```
 */
export class OperationInProgressError extends GitOpsKitError {
  static override readonly kind: string = 'OperationInProgressError';
  readonly applicationName: string;
  readonly runningOperation: unknown;

  constructor(message: string | undefined, options: OperationInProgressErrorOptions) {
    super(
      message ??
        `Cannot start an operation on application "${options.applicationName}": another operation is already in progress. Wait for it (sync with waitForOperation: true) or terminate it.`,
      { code: 'OPERATION_IN_PROGRESS', retryable: true, cause: options.cause },
    );
    this.applicationName = options.applicationName;
    this.runningOperation = options.runningOperation;
    // Server state (operation messages, parameters) may quote credentials: redacted at the cause.
    this.redactOwnFields();
  }
}
