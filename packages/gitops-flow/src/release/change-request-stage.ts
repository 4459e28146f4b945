import {
  type ChangeRequest,
  ChangeRequestExistsError,
  ChecksFailedError,
  type ForgeClient,
} from '@gitops-kit/forge-client';
import { writeBack } from '@gitops-kit/manifest-updater';
import { parseDurationMs } from '../cli/duration.js';
import { changeRequestDescription } from './change-request-text.js';
import type { ReleaseStage } from './release-definition.js';
import type { StageReport } from './release-report.js';
import { ownEntry, type RepositoryAccess } from './repository-access.js';

/** Default time someone has to merge a stage's change request. */
export const DEFAULT_MERGE_TIMEOUT_MS = 24 * 3_600_000;

/** What {@link landThroughChangeRequest} needs from the release. */
export interface ChangeRequestStageContext {
  releaseId: string;
  forges: Readonly<Record<string, ForgeClient>> | undefined;
  mergePollIntervalMs: number | undefined;
  signal: AbortSignal | undefined;
  emit: (event: {
    type: 'change-request';
    stage: string;
    action: 'opened' | 'reused' | 'merged';
    number: number;
    webUrl: string;
  }) => void;
}

/** How a forge names a change request in its UI: GitLab `merge request !3`, GitHub `pull request #3`. */
export function changeRequestName(forge: ForgeClient | undefined, number: number): string {
  return forge?.kind === 'github' ? `pull request #${number}` : `merge request !${number}`;
}

/**
 * Writes the release to a review branch, opens (or reuses) the change request, and waits until it is merged.
 *
 * With `strategy.failOnChecks` (the default) the wait also reads the head commit's checks at every look and stops
 * with forge-client's `ChecksFailedError` once they failed — GitLab's "Pipelines must succeed" and GitHub's
 * required checks would refuse the merge anyway, and GitLab cancels an auto-merge whose pipeline failed — instead of
 * holding the stage until `mergeTimeout`. The failed checks are recorded in the stage's report before it rethrows.
 *
 * @throws {ChecksFailedError} when the checks on the change request's head failed (with `failOnChecks`).
 */
export async function landThroughChangeRequest(
  stage: ReleaseStage,
  stageWanted: Map<string, Record<string, unknown>>,
  context: ChangeRequestStageContext,
  repository: { url: string; branch: string } & RepositoryAccess,
  stageReport: StageReport,
): Promise<ChangeRequest> {
  const strategy = stage.strategy as Extract<ReleaseStage['strategy'], { type: 'change-request' }>;
  const forge = ownEntry(context.forges, strategy.forge) as ForgeClient;
  const { releaseId, signal, emit } = context;
  const reviewBranch = `release/${releaseId}/${stage.name}`;
  // Idempotent: on a re-run the branch already holds the values, so nothing is pushed.
  const written = await writeBack({
    url: repository.url,
    branch: repository.branch,
    targetBranch: reviewBranch,
    ...(repository.auth === undefined ? {} : { auth: repository.auth }),
    ...(repository.ssh === undefined ? {} : { ssh: repository.ssh }),
    message: `release ${releaseId}: ${stage.name} {summary}\n\n{changes}`,
    trailers: { 'Release-Id': releaseId },
    changes: [...stageWanted].map(([file, set]) => ({
      file,
      updates: Object.entries(set).map(([path, value]) => ({
        path,
        value: value as string | number | boolean,
      })),
      ...(stage.changes.some((change) => change.file === file && change.createMissing === true)
        ? { yamlOptions: { createMissing: true } }
        : {}),
    })),
    ...(signal === undefined ? {} : { signal }),
  });
  stageReport.reviewBranch = { name: reviewBranch, commit: written.commit ?? written.parent };
  // Recorded as soon as it is known: an abort or a failed wait must still say which change request is left open.
  const record = (changeRequest: ChangeRequest): void => {
    stageReport.changeRequest = {
      number: changeRequest.number,
      webUrl: changeRequest.webUrl,
      state: changeRequest.state,
      mergeCommitSha: changeRequest.mergeCommitSha,
    };
  };
  const callOptions = signal === undefined ? {} : { signal };
  const findOpen = async (): Promise<ChangeRequest | undefined> =>
    (
      await forge.changeRequests.list(
        {
          project: strategy.project,
          state: 'open',
          sourceBranch: reviewBranch,
          targetBranch: repository.branch,
        },
        callOptions,
      )
    )[0];
  let changeRequest = await findOpen();
  let action: 'opened' | 'reused' = 'reused';
  if (changeRequest === undefined) {
    try {
      changeRequest = await forge.changeRequests.open(
        {
          project: strategy.project,
          sourceBranch: reviewBranch,
          targetBranch: repository.branch,
          title: `Release ${releaseId} to ${stage.name}`,
          description: changeRequestDescription(releaseId, stage.name, stage.application.name, stageWanted),
          ...(strategy.labels === undefined ? {} : { labels: strategy.labels }),
        },
        callOptions,
      );
      action = 'opened';
    } catch (error) {
      // Another run of the same release opened it between our look and our open: the forge keeps one open
      // change request per branch pair, so that one is ours to reuse.
      if (!ChangeRequestExistsError.isInstance(error)) throw error;
      changeRequest = await findOpen();
      if (changeRequest === undefined) throw error;
    }
  }
  record(changeRequest);
  emit({
    type: 'change-request',
    stage: stage.name,
    action,
    number: changeRequest.number,
    webUrl: changeRequest.webUrl,
  });
  try {
    if (strategy.autoMerge) {
      // GitHub's merge({ whenChecksPass }) waits for the checks itself and throws ChecksFailedError on a failure,
      // whatever failOnChecks says: there is nothing left to wait for once the merge was refused.
      changeRequest = await forge.changeRequests.merge(
        {
          project: strategy.project,
          number: changeRequest.number,
          whenChecksPass: true,
          expectedHeadSha: changeRequest.headSha,
          ...(strategy.mergeMethod === undefined ? {} : { method: strategy.mergeMethod }),
        },
        callOptions,
      );
      record(changeRequest);
    }
    const merged = await forge.changeRequests.waitForMerge(
      { project: strategy.project, number: changeRequest.number },
      {
        timeoutMs:
          strategy.mergeTimeout === undefined
            ? DEFAULT_MERGE_TIMEOUT_MS
            : parseDurationMs(strategy.mergeTimeout, 'mergeTimeout'),
        failOnChecks: strategy.failOnChecks,
        ...(context.mergePollIntervalMs === undefined ? {} : { pollIntervalMs: context.mergePollIntervalMs }),
        ...callOptions,
      },
    );
    record(merged.changeRequest);
    emit({
      type: 'change-request',
      stage: stage.name,
      action: 'merged',
      number: changeRequest.number,
      webUrl: changeRequest.webUrl,
    });
    return merged.changeRequest;
  } catch (error) {
    if (error instanceof ChecksFailedError && stageReport.changeRequest !== undefined) {
      stageReport.changeRequest.checks = { state: 'failed', sha: error.sha, failed: [...error.failed] };
    }
    throw error;
  }
}
