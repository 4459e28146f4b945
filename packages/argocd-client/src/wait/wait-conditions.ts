import type { Application } from '../schemas/application-schema.js';

/**
 * What `wait` waits for, as `argocd app wait` flags: `sync` (Synced), `health` (Healthy), `suspended`
 * (Suspended), `degraded` (Degraded), `operation` (no operation running, and one reconcile after it). The health
 * conditions are OR-ed, the others AND-ed. None given = `sync`, `health`, `operation` (the CLI default).
 */
export type WaitCondition = 'sync' | 'health' | 'operation' | 'suspended' | 'degraded';

/** The CLI's default when no condition flag is given (`getWatchOpts`). */
export const DEFAULT_WAIT_CONDITIONS: readonly WaitCondition[] = ['sync', 'health', 'operation'];

/** The result of checking one observed application against the wait conditions. */
export interface WaitEvaluation {
  /** Every requested condition holds. */
  ready: boolean;
  /** Whether an operation is running or its reconcile has not happened yet (`checkAppWaitConditions`). */
  operationInProgress: boolean;
  /** Human-readable reasons the wait is not done yet, empty when `ready`. */
  pending: string[];
  /** Set when the wait must fail now: the operation ended Failed/Error. */
  operationFailure: string | undefined;
}

/** Options that change how an application is judged. */
export interface EvaluateOptions {
  conditions: readonly WaitCondition[];
  /** Success only once `status.sync.revision` (or one of `revisions`) is this commit (full or ≥ 7-char prefix). */
  expectRevision?: string | undefined;
  /** Fail on a finished Failed/Error operation (default true when `operation` is requested). */
  failOnOperationFailure?: boolean | undefined;
}

function timeMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Whether `revision` is `expected` or, for a short SHA of at least 7 characters, starts with it. */
export function revisionMatches(revision: string | undefined, expected: string): boolean {
  if (!revision) return false;
  if (revision === expected) return true;
  return expected.length >= 7 && /^[0-9a-f]+$/i.test(expected) && revision.startsWith(expected);
}

/**
 * Argo CD's "operation in progress" test (`cmd/argocd/commands/app.go` `checkAppWaitConditions`): an operation is
 * set, or the last one has not finished, or (not a dry run) the controller has not reconciled since it finished —
 * so sync and health already reflect what the operation applied.
 */
export function isOperationInProgress(app: Application): boolean {
  if (app.operation) return true;
  const state = app.status?.operationState;
  if (!state) return false;
  const finishedAtMs = timeMs(state.finishedAt);
  if (finishedAtMs === undefined) return true;
  if (state.operation?.sync?.dryRun) return false;
  const reconciledAtMs = timeMs(app.status?.reconciledAt);
  return reconciledAtMs === undefined || reconciledAtMs < finishedAtMs;
}

/** The revisions the app is synced to (`status.sync.revision` and `revisions`). */
function syncedRevisions(app: Application): string[] {
  const sync = app.status?.sync;
  return [sync?.revision, ...(sync?.revisions ?? [])].filter((value): value is string => Boolean(value));
}

/** Checks an observed application against the wait conditions. */
export function evaluateWaitConditions(app: Application, options: EvaluateOptions): WaitEvaluation {
  const conditions = options.conditions.length > 0 ? options.conditions : DEFAULT_WAIT_CONDITIONS;
  const pending: string[] = [];
  const syncStatus = app.status?.sync?.status ?? 'Unknown';
  const healthStatus = app.status?.health?.status ?? 'Unknown';

  if (conditions.includes('sync') && syncStatus !== 'Synced') pending.push(`sync status is ${syncStatus}`);
  const wantedHealth = [
    conditions.includes('health') ? 'Healthy' : undefined,
    conditions.includes('suspended') ? 'Suspended' : undefined,
    conditions.includes('degraded') ? 'Degraded' : undefined,
  ].filter((value): value is string => value !== undefined);
  if (wantedHealth.length > 0 && !wantedHealth.includes(healthStatus)) {
    pending.push(`health is ${healthStatus}, waiting for ${wantedHealth.join(' or ')}`);
  }

  const operationInProgress = isOperationInProgress(app);
  const waitsForOperation = conditions.includes('operation');
  if (waitsForOperation && operationInProgress) {
    pending.push(
      app.operation || !app.status?.operationState?.finishedAt
        ? `operation ${app.status?.operationState?.phase ?? 'pending'}`
        : 'waiting for the reconcile after the operation',
    );
  }

  const revisions = syncedRevisions(app);
  const expected = options.expectRevision;
  if (expected !== undefined && !revisions.some((revision) => revisionMatches(revision, expected))) {
    pending.push(`synced revision is ${revisions[0] ?? 'unknown'}, waiting for ${expected}`);
  }

  let operationFailure: string | undefined;
  const state = app.status?.operationState;
  const failOn = options.failOnOperationFailure ?? waitsForOperation;
  if (
    failOn &&
    !app.operation &&
    state?.finishedAt &&
    (state.phase === 'Failed' || state.phase === 'Error')
  ) {
    const revision = state.syncResult?.revision ?? state.operation?.sync?.revision;
    // An old failure for another revision is history, not the operation we are waiting for.
    if (expected === undefined || revisionMatches(revision, expected)) {
      operationFailure = `operation ended ${state.phase}: ${state.message ?? 'no message'}`;
    }
  }

  return { ready: pending.length === 0, operationInProgress, pending, operationFailure };
}

/** The identity of a resource in `status.resources`, for transition tracking. */
export function resourceKey(resource: {
  group?: string | undefined;
  kind?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}): string {
  return `${resource.group ?? ''}/${resource.kind ?? ''}/${resource.namespace ?? ''}/${resource.name ?? ''}`;
}

/**
 * Tracks per-resource health across observations and reports a transition to Degraded from a state that was
 * neither Unknown nor Degraded (the CLI's `--health` fail-fast rule); an app or resource that is *already*
 * Degraded when first seen is not a transition.
 */
export class DegradedTransitionDetector {
  readonly #previous = new Map<string, string>();
  #lastTransition: string | undefined;

  /** The transition the latest {@link observe} found (so an `onProgress` hook can tell the wait is about to fail). */
  get lastTransition(): string | undefined {
    return this.#lastTransition;
  }

  /** Records `app` and returns a description of the first new Degraded transition, if any. */
  observe(app: Application): string | undefined {
    let transition: string | undefined;
    const check = (key: string, label: string, status: string | undefined): void => {
      if (status === undefined) return;
      const before = this.#previous.get(key);
      this.#previous.set(key, status);
      if (
        transition === undefined &&
        status === 'Degraded' &&
        before !== undefined &&
        before !== 'Degraded' &&
        before !== 'Unknown'
      ) {
        const message = label;
        transition = `${message} health has transitioned from ${before} to Degraded`;
      }
    };
    for (const resource of app.status?.resources ?? []) {
      const label = `${resource.kind ?? 'resource'} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name ?? ''}`;
      const message = resource.health?.message ? ` (${resource.health.message})` : '';
      check(resourceKey(resource), `${label}${message}`, resource.health?.status);
    }
    check('<application>', 'application', app.status?.health?.status);
    this.#lastTransition = transition;
    return transition;
  }
}
