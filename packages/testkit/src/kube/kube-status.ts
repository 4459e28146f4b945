import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';

/** One entry of `Status.details.causes`, as the API server reports a field problem. */
export interface KubeStatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The Kubernetes `Status` object (`meta/v1`) that every non-2xx response and every watch `ERROR` event carries. */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: KubeStatusCause[];
    retryAfterSeconds?: number;
  };
  code: number;
}

/** Details attached to a `Status` failure. */
export type KubeStatusDetails = NonNullable<KubeStatus['details']>;

/**
 * Builds a Kubernetes `Status` failure body.
 *
 * @example
 * ```ts
 * makeStatus(404, 'NotFound', 'pipelineruns.tekton.dev "x" not found', { name: 'x', group: 'tekton.dev', kind: 'pipelineruns' });
 * ```
 */
export function makeStatus(
  code: number,
  reason: string,
  message: string,
  details?: KubeStatusDetails,
): KubeStatus {
  const status: KubeStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details !== undefined) status.details = details;
  return status;
}

/**
 * A `Status` failure raised inside the emulator: the HTTP layer turns it into the response, and the in-process
 * scripting API (for example `emulator.createObject`) throws it to the test.
 *
 * @example
 * ```ts
 * try { kube.createObject(pipelineRun); } catch (error) { if (KubeEmulatorStatusError.isInstance(error)) console.log(error.status.code); }
 * ```
 */
export class KubeEmulatorStatusError extends GitOpsKitError {
  static override readonly kind: string = 'KubeEmulatorStatusError';
  /** The `Status` body the API server answers with. */
  readonly status: KubeStatus;

  /**
   * @param message what failed
   * @param options `status` is the Status body (its `code` becomes the HTTP status; default 500 InternalError)
   */
  constructor(message: string, options: GitOpsKitErrorOptions & { status?: KubeStatus } = {}) {
    const status = options.status ?? makeStatus(500, 'InternalError', message);
    super(`${status.reason} (${status.code}): ${message}`, {
      code: `KUBE_${status.reason.replace(/(?<!^)[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`,
      retryable: options.retryable ?? (status.code === 429 || status.code >= 500),
      cause: options.cause,
    });
    this.status = status;
  }
}

/** Shorthand to throw a Status failure from a handler. */
export function statusError(
  code: number,
  reason: string,
  message: string,
  details?: KubeStatusDetails,
): KubeEmulatorStatusError {
  return new KubeEmulatorStatusError(message, { status: makeStatus(code, reason, message, details) });
}

/** `<plural>.<group> "<name>" not found`, as the API server words it. */
export function notFound(plural: string, group: string, name: string): KubeEmulatorStatusError {
  const qualified = group === '' ? plural : `${plural}.${group}`;
  return statusError(404, 'NotFound', `${qualified} "${name}" not found`, { name, group, kind: plural });
}
