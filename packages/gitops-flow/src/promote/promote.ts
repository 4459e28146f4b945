import {
  type Application,
  ArgoCDClient,
  type ArgoCDClientOptions,
  WaitFailedError,
  WaitTimeoutError,
} from '@gitops-kit/argocd-client';
import {
  AbortError,
  abortReasonToError,
  GitOpsKitError,
  silentLogger,
  ValidationError,
} from '@gitops-kit/core';
import { writeBack } from '@gitops-kit/manifest-updater';
import { diagnoseApplication } from '../diagnosis/diagnose-application.js';
import { applyFailurePolicy } from './apply-failure-policy.js';
import { confirmRevision } from './confirm-revision.js';
import type { PromoteOptions } from './promote-options.js';
import { ChangeRecorder, toWriteBackChanges, validatePromotionChanges } from './promotion-changes.js';
import { PromotionError, PromotionInterruptedError } from './promotion-error.js';
import type { PromotionEvent, PromotionStepName } from './promotion-events.js';
import type { PromotionReport, PromotionTransition } from './promotion-report.js';
import { StepRecorder } from './step-recorder.js';
import { syncAndWait } from './sync-and-wait.js';
import { headVerifier } from './verify-head.js';

/** Default wait for operation, sync and health: 10 minutes. */
export const DEFAULT_PROMOTION_TIMEOUT_MS = 600_000;
/** Default wait for Argo CD to see a pushed commit: 2 minutes. */
export const DEFAULT_REFRESH_TIMEOUT_MS = 120_000;

function isClient(value: ArgoCDClient | ArgoCDClientOptions): value is ArgoCDClient {
  return typeof (value as ArgoCDClient).applications === 'object';
}

function isAutoSync(app: Application): boolean {
  const automated = app.spec?.syncPolicy?.automated as { enabled?: boolean } | undefined | null;
  return automated !== undefined && automated !== null && automated.enabled !== false;
}

function normalizeRepositoryUrl(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
}

/** Argo CD must watch the repository we push to; a mismatch is almost always a misconfiguration. */
function warnOnRepositoryMismatch(
  app: Application,
  url: string,
  emit: (event: PromotionEvent) => void,
): void {
  const sources = [app.spec?.source, ...(app.spec?.sources ?? [])].filter((source) => source?.repoURL);
  if (sources.length === 0) return;
  const wanted = normalizeRepositoryUrl(url);
  if (!sources.some((source) => normalizeRepositoryUrl(String(source?.repoURL)) === wanted)) {
    emit({
      type: 'warning',
      message: `Application ${app.metadata?.name ?? ''} does not use ${url} as a source; the commit may never be deployed`,
    });
  }
}

/** Multi-source apps: the 1-based positions of the sources that read the deploy repository (undefined otherwise). */
function deployRepositoryPositions(app: Application, url: string): number[] | undefined {
  const sources = app.spec?.sources ?? [];
  if (sources.length === 0) return undefined;
  const wanted = normalizeRepositoryUrl(url);
  return sources.flatMap((source, index) =>
    source?.repoURL && normalizeRepositoryUrl(String(source.repoURL)) === wanted ? [index + 1] : [],
  );
}

function errorSummary(error: unknown): { name: string; code: string; message: string } {
  if (GitOpsKitError.isInstance(error)) return { name: error.name, code: error.code, message: error.message };
  const plain = new GitOpsKitError(error instanceof Error ? error.message : String(error));
  return { name: error instanceof Error ? error.name : 'Error', code: 'UNKNOWN', message: plain.message };
}

/**
 * Runs the caller's verification of a Synced and Healthy deployment as the `verify` step. A `false` answer or an
 * error (other than an abort) is a failed deployment: recorded in the report, then diagnosed and rolled back.
 */
async function verifyDeployment(
  verify: NonNullable<PromoteOptions['verify']>,
  report: PromotionReport,
  steps: StepRecorder,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    await steps.run(
      'verify',
      `verifying ${report.application}`,
      async () => {
        const verdict = await verify({
          application: report.application,
          revision: report.targetRevision,
          signal,
        });
        if (verdict === false) {
          throw new GitOpsKitError('verify() said the deployment is not good', {
            code: 'VERIFICATION_FAILED',
          });
        }
      },
      () => 'verified',
    );
    return true;
  } catch (error) {
    if (AbortError.isInstance(error) || signal?.aborted) throw error;
    report.error = { ...errorSummary(error), code: 'VERIFICATION_FAILED' };
    return false;
  }
}

/**
 * Promotes a new version through GitOps: writes the values into the deploy repo (byte-minimal, race-safe), makes
 * Argo CD see that commit, syncs exactly that revision (or, for auto-sync apps, waits for the controller's
 * operation at it), and waits until the operation finished, the app is Synced and Healthy at that revision. On
 * failure it diagnoses the app and applies the failure policy (git revert, Argo CD rollback, or none).
 *
 * A failed deployment is a report with outcome `failed`/`timed-out`, not an exception. Re-running with the same
 * values makes no commit and verifies the deployment again.
 *
 * @throws {ValidationError} for invalid options (nothing was done).
 * @throws {PromotionInterruptedError} (an `AbortError`) when `signal` aborts: no push happens after the
 *   abort, and its `report` says what was pushed and what Argo CD is still running.
 * @throws {PromotionError} when a step fails for another reason (auth, connection); `cause` is the typed error
 *   and `report` what had happened by then.
 * @example
 * ```ts
 * const report = await promote({
 *   repository: { url: 'https://git.example.com/team/deploy.git', branch: 'main', auth: { token } },
 *   changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': process.env.TAG } }],
 *   application: { name: 'devops-demo', project: 'demo' },
 *   argocd: { server: 'https://argocd.example.com', auth: { token: argocdToken } },
 *   onFailure: 'git-revert',
 * });
 * if (report.outcome !== 'succeeded') process.exitCode = 1;
 * ```
 */
export async function promote(options: PromoteOptions): Promise<PromotionReport> {
  const mode = options.mode ?? 'git';
  const application = options.application;
  if (!application || typeof application.name !== 'string' || application.name.trim() === '') {
    throw new ValidationError('promote needs the Argo CD application name', { field: 'application.name' });
  }
  const changes = mode === 'git' ? validatePromotionChanges(options.changes) : [];
  if (mode === 'git' && !options.repository) {
    throw new ValidationError('promote needs the deploy repository (url and branch) in git mode', {
      field: 'repository',
    });
  }
  if (mode === 'helm-parameters' && Object.keys(options.helmParameters ?? {}).length === 0) {
    throw new ValidationError('helm-parameters mode needs at least one parameter', {
      field: 'helmParameters',
    });
  }
  const policy = options.onFailure ?? 'none';
  if (!['git-revert', 'argocd-rollback', 'none'].includes(policy)) {
    throw new ValidationError(`Unknown failure policy "${policy}"`, { field: 'onFailure' });
  }
  const timeoutMs = options.wait?.timeoutMs ?? DEFAULT_PROMOTION_TIMEOUT_MS;
  const signal = options.signal;
  const logger = options.logger ?? silentLogger;
  const transitions: PromotionTransition[] = [];
  const started = performance.now();
  const emit = (event: PromotionEvent): void => {
    if (event.type === 'progress') recordTransition(transitions, event, started);
    try {
      options.onEvent?.(event);
    } catch (error) {
      logger.warn(`onEvent threw: ${String(error)}`);
    }
  };
  const checkAbort = (): void => {
    if (signal?.aborted) throw abortReasonToError(signal.reason);
  };
  checkAbort();

  const client = isClient(options.argocd) ? options.argocd : new ArgoCDClient(options.argocd);
  const steps = new StepRecorder(emit);
  const recorder = new ChangeRecorder();
  const startedAt = new Date().toISOString();
  const report: PromotionReport = {
    outcome: 'failed',
    application: application.name,
    project: application.project,
    commit: null,
    changed: false,
    targetRevision: undefined,
    syncedRevision: undefined,
    syncStatus: undefined,
    healthStatus: undefined,
    operationPhase: undefined,
    autoSync: false,
    edits: [],
    steps: steps.steps,
    transitions,
    pushAttempts: 0,
    startedAt,
    durationMs: 0,
  };
  const finish = (app: Application | undefined): PromotionReport => {
    if (app) {
      report.syncedRevision = app.status?.sync?.revision ?? undefined;
      report.syncStatus = app.status?.sync?.status ?? undefined;
      report.healthStatus = app.status?.health?.status ?? undefined;
      report.operationPhase = app.status?.operationState?.phase ?? undefined;
    }
    report.edits = recorder.edits;
    const diff = recorder.diff;
    if (diff) report.diff = diff;
    report.durationMs = Math.round(performance.now() - started);
    return report;
  };
  const scope = { project: application.project, appNamespace: application.appNamespace, signal };

  let currentStep: PromotionStepName | undefined;
  try {
    // 0. Read the application first: wrong Argo CD credentials, a missing app or a repo mismatch stop the
    // promotion before anything is pushed.
    currentStep = 'preflight';
    const initial = await steps.run(
      'preflight',
      `reading application ${application.name}`,
      () => client.applications.get(application.name, scope),
      (app) =>
        `${app.metadata?.name ?? application.name}: ${app.status?.sync?.status ?? 'Unknown'}, ${app.status?.health?.status ?? 'Unknown'}${isAutoSync(app) ? ', auto-sync' : ''}`,
    );
    report.autoSync = isAutoSync(initial);
    if (mode === 'git' && options.repository) warnOnRepositoryMismatch(initial, options.repository.url, emit);
    const sourcePositions =
      mode === 'git' && options.repository
        ? deployRepositoryPositions(initial, options.repository.url)
        : undefined;
    checkAbort();

    // 1. Write the change (or set Helm parameters).
    let previousHelmParameters: Array<{ name: string; value: string }> | undefined;
    if (mode === 'git') {
      const repository = options.repository as NonNullable<PromoteOptions['repository']>;
      currentStep = 'write-back';
      const result = await steps.run(
        'write-back',
        options.dryRun
          ? 'computing the change (dry run)'
          : `updating ${changes.map((c) => c.file).join(', ')}`,
        () =>
          writeBack({
            url: repository.url,
            branch: repository.branch,
            ...(repository.auth ? { auth: repository.auth } : {}),
            ...(repository.ssh ? { ssh: repository.ssh } : {}),
            ...(repository.author ? { author: repository.author } : {}),
            ...(repository.message
              ? { message: repository.message }
              : { message: `chore(${application.name}): update {summary}\n\n{changes}` }),
            ...(repository.trailers ? { trailers: repository.trailers } : {}),
            changes: toWriteBackChanges(changes, recorder, { dryRun: options.dryRun === true }),
            ...(signal ? { signal } : {}),
            logger,
          }),
        (outcome) =>
          options.dryRun
            ? `would change ${recorder.edits.length} value(s)`
            : outcome.commit
              ? `pushed ${outcome.commit.slice(0, 12)} to ${outcome.branch}${outcome.attempts > 1 ? ` after ${outcome.attempts} attempts` : ''}`
              : `nothing to change: ${outcome.branch} is up to date`,
      );
      report.commit = result.commit;
      report.changed = result.changed;
      report.pushAttempts = result.attempts;
      report.targetRevision = result.commit ?? result.parent;
      if (options.dryRun) {
        report.outcome = 'dry-run';
        report.changed = recorder.edits.some((edit) => edit.oldValue !== edit.newValue);
        return finish(undefined);
      }
    } else {
      currentStep = 'set-parameters';
      const before = await client.applications.get(application.name, scope);
      previousHelmParameters = (before.spec?.source?.helm?.parameters ?? []).map((parameter) => ({
        name: String(parameter.name ?? ''),
        value: String(parameter.value ?? ''),
      }));
      if (options.dryRun) {
        report.outcome = 'dry-run';
        return finish(before);
      }
      await steps.run(
        'set-parameters',
        'setting Helm parameters on the application',
        () => client.applications.setHelmParameters(application.name, { ...options.helmParameters }, scope),
        () => `set ${Object.keys(options.helmParameters ?? {}).join(', ')}`,
      );
      emit({
        type: 'warning',
        message: 'helm-parameters mode: the deployed values are recorded on the Application, not in git',
      });
    }
    checkAbort();

    // 2. Make Argo CD see the commit (or a later head that still holds our values).
    let app: Application;
    let strictRevision = true;
    const verifyHead =
      mode === 'git' && options.repository
        ? headVerifier(options.repository, () => recorder.edits, signal)
        : undefined;
    if (report.targetRevision) {
      const target = report.targetRevision;
      currentStep = 'refresh';
      const confirmed = await steps.run(
        'refresh',
        `waiting for Argo CD to see ${target.slice(0, 12)}`,
        () =>
          confirmRevision(client, application, target, {
            timeoutMs: options.refreshTimeoutMs ?? DEFAULT_REFRESH_TIMEOUT_MS,
            signal,
            verifyHead,
            sourcePositions,
          }),
        (seen) =>
          seen.revision === target
            ? `Argo CD resolves ${application.name} to ${target.slice(0, 12)}`
            : `Argo CD resolves ${application.name} to ${seen.revision.slice(0, 12)}, a later commit that keeps our values`,
      );
      app = confirmed.app;
      // Other writers pushed after us: deploy the newer head that holds our change. Its status revision can move on
      // again while we wait, so the wait then checks operation, sync and health without pinning the revision.
      strictRevision = confirmed.revision === target;
      report.targetRevision = confirmed.revision;
    } else {
      app = await client.applications.get(application.name, { ...scope, refresh: 'normal' });
      steps.skip('refresh', 'no git revision to confirm (helm-parameters mode)');
    }
    report.autoSync = isAutoSync(app);
    checkAbort();

    // 3. Gate.
    if (options.beforeSync) {
      const gate = options.beforeSync;
      currentStep = 'gate';
      const proceed = await steps.run(
        'gate',
        'asking beforeSync whether to deploy',
        async () =>
          gate({
            application: application.name,
            revision: report.targetRevision ?? '',
            changed: report.changed,
            edits: recorder.edits,
          }),
        (answer) => (answer ? 'deploy' : 'do not deploy'),
      );
      if (!proceed) {
        report.outcome = 'skipped';
        return finish(app);
      }
    }
    checkAbort();

    // 4. Sync (unless auto-sync or already deployed) and wait.
    const alreadyDeployed =
      !report.changed &&
      report.targetRevision !== undefined &&
      app.status?.sync?.status === 'Synced' &&
      app.status?.sync?.revision === report.targetRevision &&
      app.status?.operationState?.phase === 'Succeeded';
    const context = {
      client,
      application,
      autoSync: report.autoSync,
      sourcePositions,
      timeoutMs,
      steps,
      emit,
      signal,
      sync: options.sync,
      conditions: options.wait?.conditions,
    };
    try {
      currentStep = 'wait';
      const finalApp = await syncAndWait(context, report.targetRevision, 'wait', {
        skipSyncReason: alreadyDeployed
          ? `already synced at ${report.targetRevision?.slice(0, 12)}`
          : undefined,
        strictRevision,
        verifyHead,
        observedBefore: app,
      });
      const verified = options.verify ? await verifyDeployment(options.verify, report, steps, signal) : true;
      if (verified) {
        report.outcome = 'succeeded';
        return finish(finalApp);
      }
      report.outcome = 'failed';
    } catch (error) {
      if (!WaitFailedError.isInstance(error) && !WaitTimeoutError.isInstance(error)) throw error;
      report.outcome = WaitTimeoutError.isInstance(error) ? 'timed-out' : 'failed';
      report.error = errorSummary(error);
    }

    // 5. Diagnose and apply the failure policy.
    checkAbort();
    currentStep = 'diagnose';
    report.diagnosis = await steps.run(
      'diagnose',
      'looking for what holds the application back',
      () => diagnoseApplication(client, application, { signal, logger }),
      (diagnosis) => diagnosis.summary,
    );
    currentStep = 'rollback';
    report.rollback = await applyFailurePolicy({
      policy,
      client,
      application,
      autoSync: report.autoSync,
      sourcePositions,
      failedRevision: report.targetRevision,
      edits: recorder.edits,
      fileTexts: recorder.texts,
      repository: options.repository,
      previousHelmParameters,
      mode,
      timeoutMs,
      steps,
      emit,
      signal,
    });
    const last = await client.applications.get(application.name, scope).catch(() => undefined);
    return finish(last);
  } catch (error) {
    if (AbortError.isInstance(error) || (error instanceof Error && error.name === 'AbortError')) {
      throw await interruptedError(report, steps.running ?? currentStep, error, finish, () =>
        // The caller's signal has fired: one short, separate read says what the interrupt leaves behind (a sync
        // we started keeps running on the server). Best effort: no answer in 5 s leaves the last observed state.
        client.applications
          .get(application.name, { ...scope, signal: AbortSignal.timeout(5_000) })
          .catch(() => undefined),
      );
    }
    if (ValidationError.isInstance(error) && currentStep === undefined) throw error;
    report.outcome = 'failed';
    report.error = errorSummary(error);
    finish(undefined);
    throw new PromotionError(
      `Promotion of "${application.name}" stopped at ${currentStep ?? 'start'}: ${errorSummary(error).message}`,
      { step: currentStep, report, cause: error },
    );
  }
}

/** Records a progress observation when the sync status, health or operation phase differs from the last one. */
function recordTransition(
  transitions: PromotionTransition[],
  event: Extract<PromotionEvent, { type: 'progress' }>,
  started: number,
): void {
  const last = transitions.at(-1);
  if (
    last &&
    last.step === event.step &&
    last.syncStatus === event.syncStatus &&
    last.healthStatus === event.healthStatus &&
    last.operationPhase === event.operationPhase
  ) {
    return;
  }
  transitions.push({
    at: new Date().toISOString(),
    offsetMs: Math.round(performance.now() - started),
    step: event.step,
    syncStatus: event.syncStatus,
    healthStatus: event.healthStatus,
    operationPhase: event.operationPhase,
    revision: event.revision,
  });
}

/** The error an interrupted promotion throws: an AbortError that carries the report of what happened. */
async function interruptedError(
  report: PromotionReport,
  step: PromotionStepName | undefined,
  cause: unknown,
  finish: (app: Application | undefined) => PromotionReport,
  readFinalState: () => Promise<Application | undefined>,
): Promise<PromotionInterruptedError> {
  report.outcome = 'interrupted';
  if (step) report.interruptedStep = step;
  report.error = errorSummary(
    AbortError.isInstance(cause) ? cause : new AbortError('The promotion was aborted', { cause }),
  );
  finish(await readFinalState());
  return new PromotionInterruptedError(
    `Promotion of "${report.application}" interrupted during ${step ?? 'start'}${report.commit ? ` after pushing ${report.commit.slice(0, 12)}` : ''}`,
    { step, report, cause },
  );
}
