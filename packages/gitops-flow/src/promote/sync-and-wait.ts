import {
  type Application,
  type ArgoCDClient,
  DegradedTransitionDetector,
  type WaitCondition,
  WaitFailedError,
  type WaitProgress,
  type WaitResult,
  WaitTimeoutError,
} from '@gitops-kit/argocd-client';
import { GitOpsKitError } from '@gitops-kit/core';
import { deployRepositoryRevision, type HeadVerdict } from './confirm-revision.js';
import type { PromoteOptions, PromotionApplication } from './promote-options.js';
import type { PromotionEvent, PromotionStepName } from './promotion-events.js';
import type { StepRecorder } from './step-recorder.js';

/** What syncing and waiting need. */
export interface SyncAndWaitContext {
  client: ArgoCDClient;
  application: PromotionApplication;
  autoSync: boolean;
  /**
   * Multi-source apps: the 1-based positions of the sources that come from the deploy repository; the sync pins
   * those (`revisions` + `sourcePositions`), the others stay at their target revisions.
   */
  sourcePositions?: readonly number[] | undefined;
  timeoutMs: number;
  steps: StepRecorder;
  emit: (event: PromotionEvent) => void;
  signal: AbortSignal | undefined;
  sync?: PromoteOptions['sync'];
  conditions?: readonly WaitCondition[] | undefined;
}

/** How {@link syncAndWait} treats the revision. */
export interface SyncAndWaitOptions {
  /** Skip the sync with this reason (already deployed). */
  skipSyncReason?: string | undefined;
  /** Pin the wait to the revision (default true); false when other writers already pushed after us. */
  strictRevision?: boolean;
  /** Checks a newer branch head for our values; lets a pinned wait follow the branch when others push. */
  verifyHead?: ((resolved: string) => Promise<HeadVerdict>) | undefined;
  /**
   * The application as seen just before the sync. Its resource health starts the wait's health history, so a
   * resource that turns Degraded after our sync fails the wait fast even when the first observation of the wait
   * already shows it Degraded (the CLI would count that as "already Degraded" and keep waiting).
   */
  observedBefore?: Application | undefined;
}

/**
 * Waits pinned to our revision (`expectRevision`). If the app's revision moves on while we wait (another writer
 * pushed to the branch, and Argo CD only ever compares with the branch head), the newer head is checked for our
 * values: if they are there the wait continues unpinned; if not, the promotion was superseded.
 */
async function waitForRevision(
  context: SyncAndWaitContext,
  revision: string | undefined,
  waitStep: 'wait' | 'rollback-wait',
  options: SyncAndWaitOptions,
): Promise<WaitResult> {
  const { client, application } = context;
  const forward = progressForwarder(context.emit, waitStep);
  // One health history across the pinned wait and its unpinned continuation: a resource that turns Degraded
  // while the branch moves still fails the promotion fast.
  const healthHistory = new DegradedTransitionDetector();
  if (options.observedBefore) healthHistory.observe(options.observedBefore);
  const base = {
    project: application.project,
    appNamespace: application.appNamespace,
    conditions: context.conditions ?? (['operation', 'sync', 'health'] as const),
    timeoutMs: context.timeoutMs,
    healthHistory,
  };
  if (!revision || options.strictRevision === false) {
    return client.applications.wait(application.name, {
      ...base,
      signal: context.signal,
      onProgress: forward,
    });
  }
  const started = Date.now();
  const pinned = new AbortController();
  const signal = context.signal ? AbortSignal.any([context.signal, pinned.signal]) : pinned.signal;
  let movedTo: string | undefined;
  try {
    return await client.applications.wait(application.name, {
      ...base,
      expectRevision: revision,
      signal,
      onProgress: (progress) => {
        forward(progress);
        const seen = deployRepositoryRevision(progress.application, context.sourcePositions);
        // This observation fails the wait (a Degraded transition): let that failure through, do not abort.
        if (healthHistory.lastTransition && base.conditions.includes('health')) return;
        if (options.verifyHead && seen && seen !== revision && !movedTo) {
          movedTo = seen;
          pinned.abort();
        }
      },
    });
  } catch (error) {
    // Only our own abort (the branch moved) continues; a failure or timeout of the pinned wait is the answer.
    if (!movedTo || !pinned.signal.aborted || context.signal?.aborted || !options.verifyHead) throw error;
    if (WaitFailedError.isInstance(error) || WaitTimeoutError.isInstance(error)) throw error;
    const verdict = await options.verifyHead(movedTo);
    if (verdict === 'superseded') {
      throw new GitOpsKitError(
        `A later commit (${movedTo.slice(0, 12)}) changed the promoted values again while we waited`,
        { code: 'PROMOTION_SUPERSEDED', retryable: false },
      );
    }
    context.emit({
      type: 'warning',
      message: `the branch moved on to ${movedTo.slice(0, 12)} (other writers); it keeps our values, waiting on it`,
    });
    return client.applications.wait(application.name, {
      ...base,
      timeoutMs: Math.max(1, context.timeoutMs - (Date.now() - started)),
      signal: context.signal,
      onProgress: forward,
    });
  }
}

/** Forwards the waiter's observations as progress events (only resources that are not yet done). */
export function progressForwarder(
  emit: (event: PromotionEvent) => void,
  step: 'wait' | 'rollback-wait',
): (progress: WaitProgress) => void {
  return (progress) => {
    emit({
      type: 'progress',
      step,
      syncStatus: progress.syncStatus,
      healthStatus: progress.healthStatus,
      operationPhase: progress.operationPhase,
      revision: progress.application.status?.sync?.revision,
      pending: progress.resources
        .filter((resource) => resource.syncStatus !== 'Synced' || resource.healthStatus !== 'Healthy')
        .filter((resource) => resource.healthStatus !== undefined || resource.syncStatus !== undefined)
        .map((resource) => ({
          kind: resource.kind,
          name: resource.name,
          syncStatus: resource.syncStatus,
          healthStatus: resource.healthStatus,
        })),
    });
  };
}

/**
 * Deploys `revision`: syncs to it unless the app syncs itself (then the controller's operation at that revision is
 * what we wait for), and waits like `argocd app wait` for operation, sync and health at that revision.
 */
export async function syncAndWait(
  context: SyncAndWaitContext,
  revision: string | undefined,
  waitStep: Extract<PromotionStepName, 'wait' | 'rollback-wait'>,
  options: SyncAndWaitOptions = {},
): Promise<Application> {
  const { client, application } = context;
  const scope = {
    project: application.project,
    appNamespace: application.appNamespace,
    signal: context.signal,
  };
  const syncStep: PromotionStepName = waitStep === 'wait' ? 'sync' : 'rollback-sync';
  if (context.autoSync) {
    if (waitStep === 'wait')
      context.steps.skip(syncStep, 'auto-sync is on: waiting for the controller to deploy');
  } else if (options.skipSyncReason) {
    context.steps.skip(syncStep, options.skipSyncReason);
  } else {
    await context.steps.run(
      syncStep,
      revision ? `syncing to ${revision.slice(0, 12)}` : 'syncing',
      () =>
        client.applications.sync(application.name, {
          ...scope,
          ...(revision && context.sourcePositions?.length
            ? {
                revisions: context.sourcePositions.map(() => revision),
                sourcePositions: [...context.sourcePositions],
              }
            : revision
              ? { revision }
              : {}),
          ...context.sync,
          waitForOperation: true,
          operationWaitTimeoutMs: context.timeoutMs,
        }),
      () => (revision ? `sync to ${revision.slice(0, 12)} started` : 'sync started'),
    );
  }
  const result = await context.steps.run(
    waitStep,
    'waiting for the operation, sync and health',
    () => waitForRevision(context, revision, waitStep, options),
    (outcome) =>
      `${outcome.application.status?.sync?.status ?? 'Unknown'} and ${outcome.application.status?.health?.status ?? 'Unknown'}`,
  );
  return result.application;
}
