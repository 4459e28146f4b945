import type { Application, ArgoCDClient, WaitCondition } from '@gitops-kit/argocd-client';
import { GitOpsKitError } from '@gitops-kit/core';
import { writeBack } from '@gitops-kit/manifest-updater';
import { confirmRevision } from './confirm-revision.js';
import type { FailurePolicy, PromotionApplication, PromotionRepository } from './promote-options.js';
import { type PromotionEdit, type RecordedFileTexts, toRevertChanges } from './promotion-changes.js';
import type { PromotionEvent } from './promotion-events.js';
import type { RollbackRecord } from './promotion-report.js';
import type { StepRecorder } from './step-recorder.js';
import { syncAndWait } from './sync-and-wait.js';

/** What the failure policy needs to know. */
export interface FailurePolicyContext {
  policy: FailurePolicy;
  client: ArgoCDClient;
  application: PromotionApplication;
  autoSync: boolean;
  /** Multi-source apps: the positions of the deploy repository's sources (see `SyncAndWaitContext`). */
  sourcePositions?: readonly number[] | undefined;
  /** The revision that failed. */
  failedRevision: string | undefined;
  edits: readonly PromotionEdit[];
  /** Each changed file's text before and after the promotion (a byte-exact revert when nobody changed it since). */
  fileTexts: ReadonlyMap<string, RecordedFileTexts>;
  repository: PromotionRepository | undefined;
  /** Helm parameters before a helm-parameters promotion changed them. */
  previousHelmParameters: Array<{ name: string; value: string }> | undefined;
  mode: 'git' | 'helm-parameters';
  timeoutMs: number;
  steps: StepRecorder;
  emit: (event: PromotionEvent) => void;
  signal: AbortSignal | undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Argo CD history rollback: to the newest entry that is not the failed revision (a failed sync adds none). */
async function rollbackInArgoCD(context: FailurePolicyContext): Promise<RollbackRecord> {
  const { client, application } = context;
  if (context.autoSync) {
    return {
      policy: 'argocd-rollback',
      outcome: 'refused',
      detail:
        'Argo CD refuses a rollback while auto-sync is enabled; use the git-revert policy (or turn auto-sync off)',
    };
  }
  const scope = {
    project: application.project,
    appNamespace: application.appNamespace,
    signal: context.signal,
  };
  const history = await client.applications.history(application.name, scope);
  // Multi-source entries carry `revisions` (one per source) instead of `revision`.
  const deployed = (entry: (typeof history)[number]) => [entry.revision, ...(entry.revisions ?? [])];
  const target = [...history]
    .reverse()
    .find((entry) => !deployed(entry).includes(context.failedRevision ?? ''));
  if (!target || target.id === undefined) {
    return { policy: 'argocd-rollback', outcome: 'failed', detail: 'No earlier deployment in the history' };
  }
  await context.steps.run(
    'rollback',
    `rolling back to history entry ${target.id}`,
    () => client.applications.rollback(application.name, { ...scope, id: Number(target.id) }),
    () => `rollback to history ${target.id} (${target.revision ?? 'unknown revision'}) started`,
  );
  // After a rollback the app is OutOfSync with git by design; wait for the operation and health only.
  const conditions: WaitCondition[] = ['operation', 'health'];
  await context.steps.run(
    'rollback-wait',
    'waiting for the rollback',
    () =>
      client.applications.wait(application.name, {
        ...scope,
        conditions,
        timeoutMs: context.timeoutMs,
      }),
    (result: { application: Application }) =>
      `rolled back: ${result.application.status?.health?.status ?? 'Unknown'}`,
  );
  return {
    policy: 'argocd-rollback',
    outcome: 'succeeded',
    historyId: Number(target.id),
    ...(target.revision || target.revisions?.length
      ? { revision: target.revision || (target.revisions ?? []).join(',') }
      : {}),
  };
}

/** The GitOps-native rollback: write the old values back (same race handling), then deploy that commit. */
async function revertInGit(context: FailurePolicyContext): Promise<RollbackRecord> {
  const { client, application, repository } = context;
  if (context.mode === 'helm-parameters') {
    const previous = context.previousHelmParameters ?? [];
    await context.steps.run(
      'rollback',
      'restoring the previous Helm parameters',
      () =>
        client.applications.setHelmParameters(
          application.name,
          Object.fromEntries(previous.map((parameter) => [parameter.name, parameter.value])),
          { project: application.project, appNamespace: application.appNamespace, signal: context.signal },
        ),
      () => `restored ${previous.length} Helm parameter(s)`,
    );
    await syncAndWait(context, undefined, 'rollback-wait');
    return { policy: 'git-revert', outcome: 'succeeded', detail: 'previous Helm parameters restored' };
  }
  if (!repository)
    throw new GitOpsKitError('git-revert needs the deploy repository', { code: 'INVALID_STATE' });
  const changes = toRevertChanges(context.edits, context.fileTexts, (edit) =>
    context.emit({
      type: 'warning',
      message: `${edit.file}: ${edit.path} did not exist before the promotion; the file changed since, so the revert leaves the key in place`,
    }),
  );
  if (changes.length === 0) {
    return { policy: 'git-revert', outcome: 'not-needed', detail: 'the promotion changed nothing to revert' };
  }
  const result = await context.steps.run(
    'rollback',
    'writing the previous values back to git',
    () =>
      writeBack({
        url: repository.url,
        branch: repository.branch,
        ...(repository.auth ? { auth: repository.auth } : {}),
        ...(repository.ssh ? { ssh: repository.ssh } : {}),
        ...(repository.author ? { author: repository.author } : {}),
        message: `revert: roll back {summary} after a failed deployment of ${application.name}\n\n{changes}`,
        changes,
        ...(context.signal ? { signal: context.signal } : {}),
      }),
    (outcome) => (outcome.commit ? `reverted in ${outcome.commit.slice(0, 12)}` : 'values were already back'),
  );
  // Image updaters and other writers may push over a revert (argocd-image-updater #1249): say so once.
  context.emit({
    type: 'warning',
    message: 'Other writers to the deploy repo (image updaters, pipelines) may push the failed value again',
  });
  const revision = result.commit ?? result.parent;
  const confirmed = await confirmRevision(client, application, revision, {
    timeoutMs: context.timeoutMs,
    signal: context.signal,
    sourcePositions: context.sourcePositions,
  });
  await syncAndWait(context, confirmed.revision, 'rollback-wait', {
    strictRevision: confirmed.revision === revision,
  });
  return {
    policy: 'git-revert',
    outcome: 'succeeded',
    ...(result.commit ? { commit: result.commit } : {}),
    revision,
  };
}

/**
 * Runs the failure policy and reports what it did; a rollback that fails is reported, not thrown, so the report
 * still says why the deployment failed in the first place.
 */
export async function applyFailurePolicy(context: FailurePolicyContext): Promise<RollbackRecord> {
  if (context.policy === 'none') return { policy: 'none', outcome: 'not-needed' };
  try {
    return context.policy === 'argocd-rollback'
      ? await rollbackInArgoCD(context)
      : await revertInGit(context);
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    return { policy: context.policy, outcome: 'failed', detail: describeError(error) };
  }
}
