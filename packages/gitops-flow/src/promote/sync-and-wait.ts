import type { Application, ArgoCDClient, WaitCondition, WaitProgress } from '@gitops-kit/argocd-client';
import type { PromotionApplication, PromoteOptions } from './promote-options.js';
import type { PromotionEvent, PromotionStepName } from './promotion-events.js';
import type { StepRecorder } from './step-recorder.js';

/** What syncing and waiting need. */
export interface SyncAndWaitContext {
  client: ArgoCDClient;
  application: PromotionApplication;
  autoSync: boolean;
  timeoutMs: number;
  steps: StepRecorder;
  emit: (event: PromotionEvent) => void;
  signal: AbortSignal | undefined;
  sync?: PromoteOptions['sync'];
  conditions?: readonly WaitCondition[] | undefined;
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
  options: { skipSyncReason?: string | undefined } = {},
): Promise<Application> {
  const { client, application } = context;
  const scope = { project: application.project, appNamespace: application.appNamespace, signal: context.signal };
  const syncStep: PromotionStepName = waitStep === 'wait' ? 'sync' : 'rollback-sync';
  if (context.autoSync) {
    if (waitStep === 'wait') context.steps.skip(syncStep, 'auto-sync is on: waiting for the controller to deploy');
  } else if (options.skipSyncReason) {
    context.steps.skip(syncStep, options.skipSyncReason);
  } else {
    await context.steps.run(
      syncStep,
      revision ? `syncing to ${revision.slice(0, 12)}` : 'syncing',
      () =>
        client.applications.sync(application.name, {
          ...scope,
          ...(revision ? { revision } : {}),
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
    () =>
      client.applications.wait(application.name, {
        ...scope,
        conditions: context.conditions ?? ['operation', 'sync', 'health'],
        timeoutMs: context.timeoutMs,
        ...(revision ? { expectRevision: revision } : {}),
        onProgress: progressForwarder(context.emit, waitStep),
      }),
    (outcome) =>
      `${outcome.application.status?.sync?.status ?? 'Unknown'} and ${outcome.application.status?.health?.status ?? 'Unknown'}`,
  );
  return result.application;
}
