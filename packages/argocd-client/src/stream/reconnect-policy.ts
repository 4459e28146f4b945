import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  computeBackoffDelayMs,
  GitOpsKitError,
  HttpError,
  ResponseParseError,
  TimeoutError,
} from '@gitops-kit/core';
import { ArgoCDApiError } from '../errors/argocd-api-error.js';

/** How a long-lived stream reconnects. */
export interface ReconnectOptions {
  /** First backoff ceiling, in ms (full jitter below it). Default 250. */
  baseDelayMs?: number;
  /** Largest backoff, in ms. Default 10 000. */
  maxDelayMs?: number;
  /** Reconnects in a row without receiving anything before giving up. Default 20. */
  maxConsecutiveFailures?: number;
  /** Random source for jitter (inject a seeded one in tests). */
  random?: () => number;
}

/** Resolved {@link ReconnectOptions}. */
export type ResolvedReconnectOptions = Required<Omit<ReconnectOptions, 'random'>> & { random: () => number };

/** Fills defaults. */
export function resolveReconnectOptions(options: ReconnectOptions | undefined): ResolvedReconnectOptions {
  return {
    baseDelayMs: options?.baseDelayMs ?? 250,
    maxDelayMs: options?.maxDelayMs ?? 10_000,
    maxConsecutiveFailures: options?.maxConsecutiveFailures ?? 20,
    random: options?.random ?? Math.random,
  };
}

/** The jittered delay before reconnect number `failures` (1-based). */
export function reconnectDelayMs(failures: number, options: ResolvedReconnectOptions): number {
  return computeBackoffDelayMs(Math.max(1, failures), options);
}

/**
 * Whether a stream failure is worth a reconnect: broken connections, idle timeouts, 5xx/429, in-band Unavailable
 * and friends, a clean end (`undefined`). Never: an abort, a refused token (argo-cd#9527: retrying an expired token
 * forever is how `argocd app wait` hangs), 403/404, or a bad request.
 */
export function isReconnectable(error: unknown): boolean {
  if (error === undefined) return true;
  if (AbortError.isInstance(error) || AuthenticationError.isInstance(error)) return false;
  if (ArgoCDApiError.isInstance(error)) {
    if (error.status === 401 || error.grpcCode === 16) return false;
    return error.retryable;
  }
  if (HttpError.isInstance(error)) return error.retryable;
  if (ConnectionError.isInstance(error) || TimeoutError.isInstance(error)) return true;
  if (ResponseParseError.isInstance(error)) return true; // a truncated line when the connection dropped
  if (GitOpsKitError.isInstance(error)) return error.retryable;
  return false;
}
