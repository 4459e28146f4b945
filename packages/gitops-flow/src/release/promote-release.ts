import { createHash } from 'node:crypto';
import { ArgoCDClient, type ArgoCDClientOptions } from '@gitops-kit/argocd-client';
import {
  AbortError,
  abortReasonToError,
  GitOpsKitError,
  type Logger,
  sleep,
  ValidationError,
} from '@gitops-kit/core';
import { ChecksFailedError, type ForgeClient } from '@gitops-kit/forge-client';
import {
  getYamlValue,
  isSshRemote,
  type WriteBackAuth,
  type WriteBackSshOptions,
} from '@gitops-kit/manifest-updater';
import { parseDurationMs } from '../cli/duration.js';
import { promote } from '../promote/promote.js';
import type { PromoteOptions, VerifyContext } from '../promote/promote-options.js';
import { PromotionError } from '../promote/promotion-error.js';
import type { PromotionEvent } from '../promote/promotion-events.js';
import type { RollbackRecord } from '../promote/promotion-report.js';
import { changeRequestName, landThroughChangeRequest } from './change-request-stage.js';
import { assertEarlierStagesAtRelease } from './earlier-stages.js';
import { readDeployFiles } from './read-deploy-files.js';
import {
  parseReleaseStages,
  type ReleaseStage,
  type ReleaseStageDefinition,
  stageValues,
} from './release-definition.js';
import { ReleaseChecksFailedError, ReleaseError, ReleaseSupersededError } from './release-errors.js';
import type { ReleaseReport, StageReport } from './release-report.js';
import { ownEntry, type RepositoryAccess, repositoryAccess } from './repository-access.js';

export { DEFAULT_MERGE_TIMEOUT_MS } from './change-request-stage.js';

/** Everything {@link PromoteReleaseOptions.onEvent} receives. */
export type ReleaseEvent =
  | { type: 'stage'; stage: string; status: 'started' | StageReport['outcome']; message: string }
  | {
      type: 'change-request';
      stage: string;
      action: 'opened' | 'reused' | 'merged';
      number: number;
      webUrl: string;
    }
  | { type: 'gate'; stage: string; message: string }
  | { type: 'promotion'; stage: string; event: PromotionEvent };

/** Options of {@link promoteRelease}. */
export interface PromoteReleaseOptions {
  /** The values the release carries, by name (`{ 'image.tag': 'v2' }`); every stage gets them unchanged. */
  values: Readonly<Record<string, string | number | boolean>>;
  /** Names the release in branch names and commit trailers; default a hash of the values (so a re-run resumes). */
  releaseId?: string;
  /** The stages in order (validated; see `parseStagesFile` for the file form). */
  stages: readonly ReleaseStageDefinition[];
  /**
   * Promote this stage only (one Tekton task per stage): every earlier stage must already run the release — its
   * branch holds the values and Argo CD (refreshed) deployed that very commit: no operation running, Synced and
   * Healthy — which is checked, never written, synced or
   * soaked again (otherwise `EarlierStageNotAtReleaseError`); later stages are not touched. The stage's own gates
   * run as usual: its change request is opened (or reused) and waited for, its soak and `verify()` run.
   */
  onlyStage?: string;
  /** A client, or the options to build one. */
  argocd: ArgoCDClient | ArgoCDClientOptions;
  /**
   * HTTP credentials for every http(s) deploy repository (`gitAuthByUrl` overrides it per repository URL). Never
   * sent to an SSH repository.
   */
  gitAuth?: WriteBackAuth;
  /** HTTP credentials per deploy repository URL, exactly as the stages name it. */
  gitAuthByUrl?: Readonly<Record<string, WriteBackAuth>>;
  /**
   * The SSH key and trusted host keys for every SSH deploy repository (`git@host:path`, `ssh://…`); `gitSshByUrl`
   * overrides it per repository URL (a GitHub deploy key works for one repository only).
   */
  gitSsh?: WriteBackSshOptions;
  /** SSH options per SSH deploy repository URL, exactly as the stages name it. */
  gitSshByUrl?: Readonly<Record<string, WriteBackSshOptions>>;
  /** The forge clients change-request stages name (`strategy.forge`). */
  forges?: Readonly<Record<string, ForgeClient>>;
  /** Poll interval of a change-request merge wait; default 5 s. */
  mergePollIntervalMs?: number;
  /**
   * A smoke test per stage once it is Healthy (after its soak); `false` or a throw fails the stage and its failure
   * policy runs.
   */
  verify?: (context: VerifyContext & { stage: string }) => boolean | undefined | Promise<boolean | undefined>;
  signal?: AbortSignal;
  onEvent?: (event: ReleaseEvent) => void;
  logger?: Logger;
}

function isClient(value: ArgoCDClient | ArgoCDClientOptions): value is ArgoCDClient {
  return typeof (value as ArgoCDClient).applications === 'object';
}

/** An id for an error message: whole when short, else its start and its length (a message is not a dump). */
function quotedId(id: unknown): string {
  const text = JSON.stringify(id) ?? String(id);
  return text.length <= 80 ? text : `${text.slice(0, 64)}…" (${String(id).length} characters)`;
}

/** A release id that is a valid branch-name component. */
function releaseIdOf(options: PromoteReleaseOptions): string {
  if (options.releaseId !== undefined) {
    // It becomes a component of `release/<id>/<stage>`: git refuses one that ends with `.lock` (check-ref-format).
    if (
      !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(options.releaseId) ||
      options.releaseId.includes('..') ||
      options.releaseId.endsWith('.lock')
    ) {
      throw new ValidationError(
        `releaseId must be up to 63 letters, digits, '.', '_' or '-', without '..' or a '.lock' ending (got ${quotedId(options.releaseId)})`,
      );
    }
    return options.releaseId;
  }
  const canonical = JSON.stringify(Object.entries(options.values).sort(([a], [b]) => a.localeCompare(b)));
  return `r-${createHash('sha256').update(canonical).digest('hex').slice(0, 12)}`;
}

function errorSummary(error: unknown): { name: string; code: string; message: string } {
  if (GitOpsKitError.isInstance(error)) return { name: error.name, code: error.code, message: error.message };
  return { name: error instanceof Error ? error.name : 'Error', code: 'UNKNOWN', message: String(error) };
}

/**
 * A map from names to values without a prototype: a file or path named `__proto__` is then a key like any other
 * (assigning it on a plain object would replace the object's prototype and lose the value).
 */
function keyed<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The values a stage's files must hold: file → path → value. */
function wantedValues(
  stage: ReleaseStage,
  values: PromoteReleaseOptions['values'],
): Map<string, Record<string, unknown>> {
  const wanted = new Map<string, Record<string, unknown>>();
  for (const change of stage.changes) {
    wanted.set(
      change.file,
      Object.assign(wanted.get(change.file) ?? keyed(), stageValues(change, values, stage.name)),
    );
  }
  return wanted;
}

/** The values before the promotion, from its write-back's edits (a path it did not change already held the value). */
function previousValuesOf(
  edits: ReadonlyArray<{ file: string; path: string; oldValue: unknown }>,
  wanted: Map<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const previous = keyed<Record<string, unknown>>();
  for (const [file, paths] of wanted) {
    const values = Object.assign(keyed(), paths);
    for (const edit of edits) if (edit.file === file) values[edit.path] = edit.oldValue;
    previous[file] = values;
  }
  return previous;
}

/** What the stage's files hold now at each wanted path (undefined where the path is missing). */
function heldValues(
  texts: Map<string, string>,
  wanted: Map<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const held = keyed<Record<string, unknown>>();
  for (const [file, paths] of wanted) {
    const values = keyed();
    for (const path of Object.keys(paths)) {
      try {
        values[path] = getYamlValue(texts.get(file) ?? '', path);
      } catch {
        values[path] = undefined;
      }
    }
    held[file] = values;
  }
  return held;
}

function holdsRelease(
  held: Record<string, Record<string, unknown>>,
  wanted: Map<string, Record<string, unknown>>,
): boolean {
  for (const [file, paths] of wanted) {
    for (const [path, value] of Object.entries(paths)) {
      if (String(held[file]?.[path]) !== String(value)) return false;
    }
  }
  return true;
}

/**
 * Promotes one release — a set of values — unchanged through ordered stages (dev → staging → prod). Per stage: write
 * the values (a push, or a branch and a change request someone merges), make Argo CD see and sync exactly that
 * commit, wait (`argocd app wait` semantics), soak, verify; then the next stage. A failure stops at that stage,
 * applies its failure policy and never touches later stages. Re-running the same release resumes: stages that
 * already hold it are verified, not rewritten; an open change request is reused.
 *
 * @throws {ValidationError} for invalid stages or values (nothing was done).
 * @throws {ReleaseSupersededError} when a later release changed a stage this one promoted: the later one wins.
 * @throws {ReleaseError} when a stage could not run to a verdict (auth, connection, a forge error, an abort).
 * @throws {ReleaseChecksFailedError} when a change-request stage's checks failed on its head
 *   (`strategy.failOnChecks`, the default): nothing was merged, the change request stays open.
 * @throws {EarlierStageNotAtReleaseError} with `onlyStage`, when a stage before it does not run the release yet
 *   (nothing was written).
 * @example
 * ```ts
 * const report = await promoteRelease({
 *   values: { 'image.tag': 'v2.3.0' },
 *   stages: parseStagesFile(readFileSync('stages.yaml', 'utf8')),
 *   argocd: { server: 'https://argocd.example.com', auth: { token } },
 *   gitAuth: { token: gitToken },
 *   forges: { gitlab: new GitLabClient({ url: 'https://gitlab.example.com', token: gitlabToken }) },
 * });
 * if (report.outcome !== 'succeeded') process.exitCode = 1;
 * ```
 */
export async function promoteRelease(options: PromoteReleaseOptions): Promise<ReleaseReport> {
  const stages = parseReleaseStages(options.stages);
  const releaseId = releaseIdOf(options);
  if (Object.keys(options.values).length === 0)
    throw new ValidationError('a release needs at least one value');
  for (const [valueName, value] of Object.entries(options.values)) {
    const valid =
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!valid) {
      throw new ValidationError(
        `release value ${JSON.stringify(valueName)} must be a string, a finite number or a boolean, got ${value === null ? 'null' : typeof value}`,
      );
    }
  }
  const wanted = stages.map((stage) => wantedValues(stage, options.values)); // validates every stage's paths up front
  const onlyIndex =
    options.onlyStage === undefined
      ? undefined
      : stages.findIndex((stage) => stage.name === options.onlyStage);
  if (onlyIndex === -1) {
    throw new ValidationError(
      `onlyStage ${quotedId(options.onlyStage)} is not a stage (the stages are ${stages.map((stage) => stage.name).join(', ')})`,
    );
  }
  for (const [index, stage] of stages.entries()) {
    // With onlyStage, the later stages are never touched and the earlier ones only read: a stage's task needs no key
    // of a later stage's repository, and a forge client only for its own change request.
    if (onlyIndex !== undefined && index > onlyIndex) break;
    // Checked before any stage runs: a key missing for a later stage must not leave the release half-way.
    if (
      isSshRemote(stage.repository.url) &&
      repositoryAccess(options, stage.repository.url).ssh === undefined
    ) {
      throw new ValidationError(
        `stage ${stage.name}'s repository is an SSH remote: give its key in gitSsh (or gitSshByUrl)`,
      );
    }
    // Own keys only: a forge named `constructor` is not a client because every object inherits one.
    if (
      (onlyIndex === undefined || index === onlyIndex) &&
      stage.strategy.type === 'change-request' &&
      ownEntry(options.forges, stage.strategy.forge) === undefined
    ) {
      throw new ValidationError(
        `stage ${stage.name} names the forge "${stage.strategy.forge}", which is not among options.forges`,
      );
    }
  }
  const client = isClient(options.argocd) ? options.argocd : new ArgoCDClient(options.argocd);
  const emit = (event: ReleaseEvent): void => {
    try {
      options.onEvent?.(event);
    } catch (error) {
      options.logger?.warn(`onEvent threw: ${String(error)}`);
    }
  };
  const started = performance.now();
  const report: ReleaseReport = {
    releaseId,
    outcome: 'failed',
    values: { ...options.values },
    stages: stages.map((stage) => ({
      name: stage.name,
      application: stage.application.name,
      outcome: 'not-started',
      strategy: stage.strategy.type,
      commit: undefined,
      previousValues: {},
      startedAt: '',
      durationMs: 0,
    })),
    startedAt: new Date().toISOString(),
    durationMs: 0,
    ...(options.onlyStage === undefined ? {} : { onlyStage: options.onlyStage }),
  };
  const finish = (): ReleaseReport => {
    report.durationMs = Math.round(performance.now() - started);
    return report;
  };

  if (onlyIndex !== undefined && onlyIndex > 0) {
    await assertEarlierStagesAtRelease(stages, wanted, onlyIndex, report, {
      client,
      accessFor: (url) => repositoryAccess(options, url),
      signal: options.signal,
      finish,
    });
  }

  for (const [index, stage] of stages.entries()) {
    if (onlyIndex !== undefined && index !== onlyIndex) continue;
    const stageReport = report.stages[index] as StageReport;
    const stageWanted = wanted[index] as Map<string, Record<string, unknown>>;
    const stageStarted = performance.now();
    stageReport.startedAt = new Date().toISOString();
    try {
      if (options.signal?.aborted) throw abortReasonToError(options.signal);
      emit({
        type: 'stage',
        stage: stage.name,
        status: 'started',
        message: `stage ${stage.name}: ${stage.application.name}`,
      });
      const repository = {
        url: stage.repository.url,
        branch: stage.repository.branch,
        ...repositoryAccess(options, stage.repository.url),
      };
      // A change-request stage must know before it opens anything whether the target already holds the release;
      // a push stage learns the previous values from its own write-back (one fetch fewer per stage).
      let alreadyThere = false;
      if (stage.strategy.type === 'change-request') {
        const current = await readDeployFiles(repository, [...stageWanted.keys()], options.signal);
        stageReport.previousValues = heldValues(current.texts, stageWanted);
        alreadyThere = holdsRelease(stageReport.previousValues, stageWanted);
      }

      if (!alreadyThere && stage.strategy.type === 'change-request') {
        const merged = await landThroughChangeRequest(
          stage,
          stageWanted,
          {
            releaseId,
            forges: options.forges,
            mergePollIntervalMs: options.mergePollIntervalMs,
            signal: options.signal,
            emit,
          },
          repository,
          stageReport,
        );
        stageReport.changeRequest = {
          number: merged.number,
          webUrl: merged.webUrl,
          state: merged.state,
          mergeCommitSha: merged.mergeCommitSha,
        };
      }

      const soakMs = stage.gate?.soak === undefined ? 0 : parseDurationMs(stage.gate.soak, 'gate.soak');
      const promotionBase: Omit<PromoteOptions, 'changes' | 'onFailure' | 'verify'> = {
        repository: {
          url: stage.repository.url,
          branch: stage.repository.branch,
          ...(repository.auth === undefined ? {} : { auth: repository.auth }),
          ...(repository.ssh === undefined ? {} : { ssh: repository.ssh }),
          trailers: { 'Release-Id': releaseId },
        },
        application: {
          name: stage.application.name,
          ...(stage.application.project === undefined ? {} : { project: stage.application.project }),
          ...(stage.application.appNamespace === undefined
            ? {}
            : { appNamespace: stage.application.appNamespace }),
        },
        argocd: client,
        ...(stage.wait?.timeout === undefined
          ? {}
          : { wait: { timeoutMs: parseDurationMs(stage.wait.timeout, 'wait.timeout') } }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onEvent: (event: PromotionEvent) => emit({ type: 'promotion', stage: stage.name, event }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
      };
      const promotion = await promote({
        ...promotionBase,
        changes: [...stageWanted].map(([file, set]) => ({
          file,
          set,
          createMissing: stage.changes.some(
            (change) => change.file === file && change.createMissing === true,
          ),
        })),
        onFailure: stage.onFailure,
        verify: async (context) => {
          if (soakMs > 0) {
            emit({ type: 'gate', stage: stage.name, message: `soaking for ${stage.gate?.soak}` });
            await sleep(soakMs, options.signal);
            const app = await client.applications.get(stage.application.name, {
              project: stage.application.project,
              appNamespace: stage.application.appNamespace,
              signal: options.signal,
            });
            const health = app.status?.health?.status;
            if (health !== 'Healthy') {
              throw new GitOpsKitError(
                `${stage.application.name} turned ${health ?? 'Unknown'} during the soak`,
                {
                  code: 'GATE_FAILED',
                },
              );
            }
          }
          return options.verify ? options.verify({ ...context, stage: stage.name }) : true;
        },
      });
      stageReport.promotion = promotion;
      stageReport.commit = promotion.targetRevision;
      if (stage.strategy.type === 'push') {
        stageReport.previousValues = previousValuesOf(promotion.edits, stageWanted);
        alreadyThere = !promotion.changed;
      }
      stageReport.durationMs = Math.round(performance.now() - stageStarted);
      if (promotion.outcome !== 'succeeded') {
        if (
          stage.onFailure === 'git-revert' &&
          stageReport.changeRequest !== undefined &&
          promotion.rollback?.outcome === 'not-needed'
        ) {
          promotion.rollback = await revertMergedStage(stage, stageReport.previousValues, promotionBase);
        }
        stageReport.outcome = 'failed';
        if (promotion.error) stageReport.error = promotion.error;
        emit({
          type: 'stage',
          stage: stage.name,
          status: 'failed',
          message: promotion.error?.message ?? promotion.outcome,
        });
        return finish();
      }
      // promote() checked the head while it waited; a soak or a verify() takes time in which a later release may
      // have written the stage, so look once more before moving on.
      const held =
        soakMs > 0 || options.verify !== undefined
          ? await assertStageHolds(stageWanted, repository, options.signal)
          : ({ holds: true } as const);
      if (!held.holds) {
        stageReport.outcome = 'superseded';
        throw new ReleaseSupersededError(
          stage.name,
          `${stage.repository.branch} at ${held.head.slice(0, 12)} no longer holds this release's values`,
          finish(),
        );
      }
      stageReport.outcome = alreadyThere && !promotion.changed ? 'verified' : 'promoted';
      emit({
        type: 'stage',
        stage: stage.name,
        status: stageReport.outcome,
        message: `${stage.name} runs ${promotion.targetRevision?.slice(0, 12) ?? '?'}`,
      });
    } catch (error) {
      stageReport.durationMs = Math.round(performance.now() - stageStarted);
      if (error instanceof ReleaseSupersededError) throw error;
      const cause = PromotionError.isInstance(error) ? (error.cause ?? error) : error;
      if (PromotionError.isInstance(error)) stageReport.promotion = error.report;
      stageReport.error = errorSummary(cause);
      if (GitOpsKitError.isInstance(cause) && cause.code === 'PROMOTION_SUPERSEDED') {
        stageReport.outcome = 'superseded';
        throw new ReleaseSupersededError(stage.name, cause.message, finish());
      }
      stageReport.outcome = 'failed';
      finish();
      if (error instanceof ChecksFailedError && stageReport.changeRequest !== undefined) {
        // Nothing was merged, so nothing was deployed: no failure policy runs, the change request stays open.
        throw new ReleaseChecksFailedError({
          stage: stage.name,
          changeRequest: {
            number: stageReport.changeRequest.number,
            webUrl: stageReport.changeRequest.webUrl,
          },
          changeRequestName: changeRequestName(
            stage.strategy.type === 'change-request'
              ? ownEntry(options.forges, stage.strategy.forge)
              : undefined,
            stageReport.changeRequest.number,
          ),
          sha: error.sha,
          failed: error.failed,
          report,
          cause: error,
        });
      }
      if (AbortError.isInstance(error))
        throw new ReleaseError(`release ${releaseId} was aborted at stage ${stage.name}`, {
          stage: stage.name,
          report,
          cause: error,
        });
      throw new ReleaseError(
        `release ${releaseId} stopped at stage ${stage.name}: ${stageReport.error.message}`,
        {
          stage: stage.name,
          report,
          cause: error,
        },
      );
    }
  }
  report.outcome = 'succeeded';
  return finish();
}

/**
 * A later release that wrote this stage meanwhile wins: the stage's branch no longer holds our values, so stop
 * before touching the next stage.
 */
async function assertStageHolds(
  stageWanted: Map<string, Record<string, unknown>>,
  repository: { url: string; branch: string } & RepositoryAccess,
  signal: AbortSignal | undefined,
): Promise<{ holds: true } | { holds: false; head: string }> {
  const files = await readDeployFiles(repository, [...stageWanted.keys()], signal);
  return holdsRelease(heldValues(files.texts, stageWanted), stageWanted)
    ? { holds: true }
    : { holds: false, head: files.head };
}

/**
 * A change-request stage's values arrived by a merge, so the promotion itself changed nothing and its git-revert
 * had nothing to revert: write the previous values back (a direct push: a rollback does not wait for a review) and
 * deploy that commit.
 */
async function revertMergedStage(
  stage: ReleaseStage,
  previous: Record<string, Record<string, unknown>>,
  promotionBase: Omit<PromoteOptions, 'changes' | 'onFailure' | 'verify'>,
): Promise<RollbackRecord> {
  const changes = Object.entries(previous)
    .map(([file, set]) => ({
      file,
      set: Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined)),
    }))
    .filter((change) => Object.keys(change.set).length > 0);
  try {
    const revert = await promote({ ...promotionBase, changes, onFailure: 'none' });
    return {
      policy: 'git-revert',
      outcome: revert.outcome === 'succeeded' ? 'succeeded' : 'failed',
      ...(revert.commit ? { commit: revert.commit } : {}),
      detail: `${stage.name}: the previous values were written back and deployed (${revert.outcome})`,
    };
  } catch (error) {
    return {
      policy: 'git-revert',
      outcome: 'failed',
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}
