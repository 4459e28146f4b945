import type {
  ForgeProject,
  MergeBlocker,
  StoredChangeRequest,
  StoredPipeline,
  StoredStatus,
} from './change-request-store.js';

/**
 * The response objects of the GitLab emulator, in the shapes of `src/forge/specs/gitlab-rest-extract.json`
 * (GitLab's OpenAPI entities — `API_Entities_MergeRequest`, `API_Entities_CommitStatus`,
 * `API_Entities_Ci_PipelineBasic`, `API_Entities_UserBasic` — with the REST documentation's types and nulls).
 */

/** The user the emulator's token belongs to. */
export const GITLAB_TOKEN_USER = { id: 1, username: 'emulator-user', name: 'Emulator User' };

/** `UserBasic`: the emulator's one user. */
export function gitLabUser(base: string) {
  return {
    id: GITLAB_TOKEN_USER.id,
    username: GITLAB_TOKEN_USER.username,
    name: GITLAB_TOKEN_USER.name,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${base}/${GITLAB_TOKEN_USER.username}`,
  };
}

/** GitLab's `detailed_merge_status` for a blocker. */
export function detailedStatus(blocker: MergeBlocker | undefined, request: StoredChangeRequest): string {
  if (request.state !== 'open') return 'not_open';
  switch (blocker) {
    case undefined:
      return 'mergeable';
    case 'draft':
      return 'draft_status';
    case 'conflict':
      return 'conflict';
    case 'checks-failed':
      return 'ci_must_pass';
    case 'checks-pending':
      return 'ci_still_running';
    case 'not-approved':
      return 'not_approved';
    case 'missing-branch':
      return 'broken_status';
  }
}

/** A pipeline (`PipelineBasic`, also a merge request's `head_pipeline`). */
export function gitLabPipeline(base: string, project: ForgeProject, pipeline: StoredPipeline) {
  return {
    id: pipeline.id,
    iid: pipeline.iid,
    project_id: project.id,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status: project.checks.pipelineStatus(pipeline),
    source: pipeline.source,
    created_at: pipeline.createdAt,
    updated_at: pipeline.updatedAt,
    web_url: `${base}/${project.path}/-/pipelines/${pipeline.id}`,
  };
}

/** A commit status (`CommitStatus`: a job of a pipeline). */
export function gitLabCommitStatus(base: string, sha: string, status: StoredStatus) {
  const finished = ['success', 'failed', 'canceled', 'skipped'].includes(status.state);
  return {
    id: status.id,
    sha,
    ref: status.ref ?? null,
    status: status.state,
    name: status.name,
    target_url: status.targetUrl,
    description: status.description,
    created_at: status.createdAt,
    started_at: status.state === 'pending' ? null : status.createdAt,
    finished_at: finished ? status.createdAt : null,
    allow_failure: false,
    coverage: null,
    ...(status.pipelineId === undefined ? {} : { pipeline_id: status.pipelineId }),
    author: gitLabUser(base),
  };
}

/**
 * A merge request: `MergeRequestBasic` in lists, the full `MergeRequest` (with `head_pipeline` and `merge_error`)
 * for one, and `rebase_in_progress` only when asked for (`include_rebase_in_progress`).
 */
export async function gitLabMergeRequest(
  project: ForgeProject,
  request: StoredChangeRequest,
  base: string,
  form: { full: boolean; rebaseInProgress?: boolean },
) {
  await project.refresh(request);
  const blocker = request.state === 'open' ? await project.blocker(request) : undefined;
  const conflict = blocker === 'conflict';
  const headPipeline = project.checks.headPipeline(request.headSha, request.sourceBranch, request.number);
  return {
    id: request.id,
    iid: request.number,
    project_id: project.id,
    title: request.draft ? `Draft: ${request.title}` : request.title,
    description: request.description,
    state: request.state === 'open' ? 'opened' : request.state,
    created_at: request.createdAt,
    updated_at: request.updatedAt,
    merged_at: request.mergedAt,
    closed_at: request.closedAt,
    target_branch: request.targetBranch,
    source_branch: request.sourceBranch,
    source_project_id: project.id,
    target_project_id: project.id,
    author: gitLabUser(base),
    labels: request.labels,
    draft: request.draft,
    work_in_progress: request.draft,
    merge_when_pipeline_succeeds: request.autoMerge !== null,
    merge_status:
      request.state !== 'open' ? 'can_be_merged' : conflict ? 'cannot_be_merged' : 'can_be_merged',
    detailed_merge_status: detailedStatus(blocker, request),
    sha: request.headSha,
    // A fast-forward makes no merge commit; a squash is reported as the squash commit.
    merge_commit_sha: request.mergeMethod === 'merge' ? request.mergeCommitSha : null,
    squash_commit_sha: request.mergeMethod === 'squash' ? request.mergeCommitSha : null,
    squash: request.mergeMethod === 'squash',
    has_conflicts: conflict,
    web_url: `${base}/${project.path}/-/merge_requests/${request.number}`,
    ...(form.full
      ? {
          head_pipeline: headPipeline === undefined ? null : gitLabPipeline(base, project, headPipeline),
          merge_error: null,
        }
      : {}),
    ...(form.rebaseInProgress === undefined ? {} : { rebase_in_progress: form.rebaseInProgress }),
  };
}
