import { type ArgoCDClient, isOperationInProgress } from '@gitops-kit/argocd-client';
import { getYamlValue } from '@gitops-kit/manifest-updater';
import { resolvedRevisions, seesRevision } from '../promote/confirm-revision.js';
import { type DeployFiles, readDeployFiles } from './read-deploy-files.js';
import type { ReleaseStage } from './release-definition.js';
import { EarlierStageNotAtReleaseError, ReleaseError } from './release-errors.js';
import type { ReleaseReport, StageReport } from './release-report.js';
import type { RepositoryAccess } from './repository-access.js';

/** Why an earlier stage is not at the release, or the head it holds the release at. */
export type EarlierStageCheck =
  | { stage: string; atRelease: true; head: string }
  | { stage: string; atRelease: false; head: string | undefined; detail: string };

/** The first wanted path whose value differs, said as `file path is "x", the release has "y"`. */
function firstDifference(
  texts: Map<string, string>,
  wanted: Map<string, Record<string, unknown>>,
): string | undefined {
  for (const [file, paths] of wanted) {
    for (const [path, value] of Object.entries(paths)) {
      let held: unknown;
      try {
        held = getYamlValue(texts.get(file) ?? '', path);
      } catch {
        held = undefined;
      }
      // Compared as the write-back writes them (a value lands as its string form; see promote-release).
      if (String(held) !== String(value)) {
        return held === undefined
          ? `${file} has no ${path}`
          : `${file} ${path} is ${JSON.stringify(String(held))}, the release has ${JSON.stringify(String(value))}`;
      }
    }
  }
  return undefined;
}

/**
 * Checks, without writing anything, that every stage before the one a single-stage run promotes already runs the
 * release: its branch holds the values (read once per repository and branch, in parallel) and Argo CD, asked to look
 * at git now (`refresh=normal`: without it Argo CD may go on reporting the commit before for up to ~3 minutes, its
 * reconciliation period), resolves the branch to the very commit read, runs no operation on the application (a sync in
 * progress: `argocd app wait`'s operation test) and reports it `Synced` (the live state matches that commit, so it
 * runs those values) and `Healthy`. This is what the earlier stage's own run left behind; nothing is synced, soaked or verified again (that stage's task did
 * it), so a per-stage Pipeline does not repeat staging's soak in the prod task. Results keep the stages' order.
 *
 * @throws what `readDeployFiles` and the Argo CD client throw (authentication, connection, a missing app).
 */
export async function checkEarlierStages(
  stages: readonly ReleaseStage[],
  wanted: ReadonlyArray<Map<string, Record<string, unknown>>>,
  context: {
    client: ArgoCDClient;
    /** The credentials for a repository URL (HTTP or SSH), as the release's own stages use them. */
    accessFor: (url: string) => RepositoryAccess;
    signal: AbortSignal | undefined;
  },
): Promise<EarlierStageCheck[]> {
  const reads = new Map<string, Promise<DeployFiles>>();
  const filesOf = (stage: ReleaseStage, files: readonly string[]): Promise<DeployFiles> => {
    const key = `${stage.repository.url}#${stage.repository.branch}`;
    let read = reads.get(key);
    if (read === undefined) {
      // Every earlier stage's files of this repository and branch in one read.
      const sameBranch = stages.flatMap((other, index) =>
        `${other.repository.url}#${other.repository.branch}` === key
          ? [...(wanted[index]?.keys() ?? [])]
          : [],
      );
      read = readDeployFiles(
        {
          url: stage.repository.url,
          branch: stage.repository.branch,
          ...context.accessFor(stage.repository.url),
        },
        [...new Set([...sameBranch, ...files])],
        context.signal,
      );
      reads.set(key, read);
    }
    return read;
  };
  return Promise.all(
    stages.map(async (stage, index): Promise<EarlierStageCheck> => {
      const stageWanted = wanted[index] as Map<string, Record<string, unknown>>;
      const [files, app] = await Promise.all([
        filesOf(stage, [...stageWanted.keys()]),
        context.client.applications.get(stage.application.name, {
          project: stage.application.project,
          appNamespace: stage.application.appNamespace,
          // `Synced` is about the commit Argo CD last resolved the branch to, which may predate the head read.
          refresh: 'normal',
          signal: context.signal,
        }),
      ]);
      const difference = firstDifference(files.texts, stageWanted);
      if (difference !== undefined)
        return { stage: stage.name, atRelease: false, head: files.head, detail: difference };
      const notYet = (detail: string): EarlierStageCheck => ({
        stage: stage.name,
        atRelease: false,
        head: files.head,
        detail,
      });
      if (isOperationInProgress(app)) {
        const phase = app.status?.operationState?.phase;
        return notYet(
          `Argo CD is still running an operation on ${stage.application.name}${phase === undefined ? '' : ` (${phase})`}; run again once it finished`,
        );
      }
      if (!seesRevision(app, files.head)) {
        return notYet(
          `${stage.repository.branch} is at ${files.head.slice(0, 12)}, but Argo CD resolves ${stage.application.name} to ${resolvedRevisions(app)[0]?.slice(0, 12) ?? 'nothing'}`,
        );
      }
      const sync = app.status?.sync?.status ?? 'Unknown';
      const health = app.status?.health?.status ?? 'Unknown';
      if (sync !== 'Synced' || health !== 'Healthy') {
        return {
          stage: stage.name,
          atRelease: false,
          head: files.head,
          detail: `${stage.repository.branch} holds the values but Argo CD reports ${stage.application.name} ${sync} and ${health}`,
        };
      }
      return { stage: stage.name, atRelease: true, head: files.head };
    }),
  );
}

/**
 * A single-stage run (`onlyStage`): the stages before `onlyIndex` must run the release already (checked, not
 * written). They are reported `verified` at the head they were read at; the first that is not stops the run before
 * anything is written.
 *
 * @throws {EarlierStageNotAtReleaseError} naming the first earlier stage not at the release.
 * @throws {ReleaseError} when the check itself could not read git or Argo CD (`cause` is the typed error).
 */
export async function assertEarlierStagesAtRelease(
  stages: readonly ReleaseStage[],
  wanted: ReadonlyArray<Map<string, Record<string, unknown>>>,
  onlyIndex: number,
  report: ReleaseReport,
  context: {
    client: ArgoCDClient;
    /** The credentials for a repository URL (HTTP or SSH), as the release's own stages use them. */
    accessFor: (url: string) => RepositoryAccess;
    signal: AbortSignal | undefined;
    finish: () => ReleaseReport;
  },
): Promise<void> {
  const stage = stages[onlyIndex] as ReleaseStage;
  let checks: Awaited<ReturnType<typeof checkEarlierStages>>;
  try {
    checks = await checkEarlierStages(stages.slice(0, onlyIndex), wanted.slice(0, onlyIndex), context);
  } catch (error) {
    context.finish();
    throw new ReleaseError(
      `release ${report.releaseId} could not check the stages before ${stage.name}: ${error instanceof Error ? error.message : String(error)}`,
      { stage: stage.name, report, cause: error },
    );
  }
  for (const [index, check] of checks.entries()) {
    const stageReport = report.stages[index] as StageReport;
    stageReport.commit = check.head;
    if (!check.atRelease) {
      stageReport.error = {
        name: 'EarlierStageNotAtReleaseError',
        code: 'EARLIER_STAGE_NOT_AT_RELEASE',
        message: check.detail,
      };
      throw new EarlierStageNotAtReleaseError(stage.name, check.stage, check.detail, context.finish());
    }
    stageReport.outcome = 'verified';
  }
}
