import { z } from 'zod';

/** A pipeline (`GET /projects/:id/pipelines`, a merge request's `head_pipeline`): the fields the client reads. */
export const gitLabPipelineSchema = z.looseObject({
  id: z.number(),
  sha: z.string(),
  ref: z.string().nullish(),
  status: z.string(),
  web_url: z.string().nullish(),
});

/** A GitLab pipeline as the API sends it. */
export type GitLabPipeline = z.infer<typeof gitLabPipelineSchema>;

/** The fields of a GitLab merge request (REST v4) the client reads; GitLab sends many more. */
export const gitLabMergeRequestSchema = z.looseObject({
  iid: z.number(),
  title: z.string(),
  description: z.string().nullish(),
  state: z.string(),
  draft: z.boolean().optional(),
  work_in_progress: z.boolean().optional(),
  source_branch: z.string(),
  target_branch: z.string(),
  sha: z.string().nullish(),
  merge_commit_sha: z.string().nullish(),
  squash_commit_sha: z.string().nullish(),
  merge_status: z.string().nullish(),
  detailed_merge_status: z.string().nullish(),
  has_conflicts: z.boolean().optional(),
  labels: z.array(z.string()).optional(),
  web_url: z.string(),
  rebase_in_progress: z.boolean().optional(),
  merge_error: z.string().nullish(),
  head_pipeline: gitLabPipelineSchema.nullish(),
});

/** A GitLab merge request as the API sends it. */
export type GitLabMergeRequest = z.infer<typeof gitLabMergeRequestSchema>;

/** One commit status (`GET /projects/:id/repository/commits/:sha/statuses`). */
export const gitLabCommitStatusSchema = z.looseObject({
  name: z.string(),
  status: z.string(),
  description: z.string().nullish(),
  target_url: z.string().nullish(),
});
