import { HttpError, type HttpErrorOptions } from '@gitops-kit/core';

/** One entry of a Kubernetes `Status.details.causes`. */
export interface KubernetesStatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The parsed `Status` body of a failed Kubernetes call (or of a watch `ERROR` event). */
export interface KubernetesStatus {
  code: number;
  reason: string;
  message: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: KubernetesStatusCause[];
    retryAfterSeconds?: number;
  };
}

/** Reads a `Status` object, tolerating missing fields. Returns undefined when `value` is not a Status. */
export function parseKubernetesStatus(value: unknown, fallbackCode: number): KubernetesStatus | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const object = value as Record<string, unknown>;
  if (object.kind !== 'Status') return undefined;
  const details = object.details as KubernetesStatus['details'] | undefined;
  const status: KubernetesStatus = {
    code: typeof object.code === 'number' ? object.code : fallbackCode,
    reason: typeof object.reason === 'string' ? object.reason : '',
    message: typeof object.message === 'string' ? object.message : '',
  };
  if (details && typeof details === 'object') status.details = details;
  return status;
}

/** Options of {@link KubernetesApiError}. */
export interface KubernetesApiErrorOptions extends HttpErrorOptions {
  status: number;
  kubeStatus?: KubernetesStatus;
}

/**
 * The Kubernetes API server refused a call; carries the `Status` body's `reason` (`NotFound`, `Conflict`,
 * `AlreadyExists`, `Invalid`, `Forbidden`, `Gone`, `Expired`, `TooManyRequests`…), `code` and `causes`.
 * Retryable for 429, 5xx and 409 `Conflict` on update is left to the caller.
 *
 * @example
 * ```ts
 * try { await client.pipelineRuns.get('nope'); }
 * catch (error) { if (KubernetesApiError.isNotFound(error)) console.log('gone'); else throw error; }
 * ```
 */
export class KubernetesApiError extends HttpError {
  static override readonly kind: string = 'KubernetesApiError';
  /** `Status.reason`, e.g. `NotFound`; empty when the server sent no Status body. */
  readonly reason: string;
  /** `Status.details.causes` (field validation errors). */
  readonly causes: readonly KubernetesStatusCause[];
  /** `Status.details` name/kind/group when present. */
  readonly details: { name?: string; group?: string; kind?: string } | undefined;

  constructor(message: string, options: KubernetesApiErrorOptions) {
    super(message, { ...options, code: options.code ?? 'KUBERNETES_API_ERROR' });
    this.reason = options.kubeStatus?.reason ?? '';
    this.causes = options.kubeStatus?.details?.causes ?? [];
    const details = options.kubeStatus?.details;
    this.details = details
      ? {
          ...(details.name === undefined ? {} : { name: details.name }),
          ...(details.kind === undefined ? {} : { kind: details.kind }),
          ...(details.group === undefined ? {} : { group: details.group }),
        }
      : undefined;
    // Status causes quote the rejected field values, which may be a token someone put in a param.
    this.redactOwnFields();
  }

  /** Whether `error` is a 404 / `NotFound`. */
  static isNotFound(error: unknown): error is KubernetesApiError {
    return KubernetesApiError.isInstance(error) && (error.status === 404 || error.reason === 'NotFound');
  }

  /** Whether `error` is a 409 `Conflict` (stale resourceVersion) or `AlreadyExists`. */
  static isConflict(error: unknown): error is KubernetesApiError {
    return KubernetesApiError.isInstance(error) && error.status === 409;
  }

  /** Whether `error` is 410 Gone / `Expired`: a watch or list resourceVersion too old. */
  static isGone(error: unknown): error is KubernetesApiError {
    return (
      KubernetesApiError.isInstance(error) &&
      (error.status === 410 || error.reason === 'Gone' || error.reason === 'Expired')
    );
  }
}

/** Builds the message for a Status: the server's message with reason, no body dump. */
export function kubernetesErrorMessage(
  method: string,
  url: string,
  status: number,
  kubeStatus?: KubernetesStatus,
): string {
  if (!kubeStatus) return `${method} ${url} failed with HTTP ${status}`;
  const reason = kubeStatus.reason ? ` (${kubeStatus.reason})` : '';
  return `${method} ${url} failed with HTTP ${status}${reason}: ${kubeStatus.message}`;
}
