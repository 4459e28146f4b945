import { z } from 'zod';

/** The fields of a GitHub pull request (REST v3) the client reads. */
export const gitHubPullRequestSchema = z.looseObject({
  number: z.number(),
  title: z.string(),
  body: z.string().nullish(),
  state: z.string(),
  draft: z.boolean().optional(),
  merged: z.boolean().optional(),
  merged_at: z.string().nullish(),
  merge_commit_sha: z.string().nullish(),
  mergeable: z.boolean().nullish(),
  mergeable_state: z.string().optional(),
  head: z.looseObject({ ref: z.string(), sha: z.string() }),
  base: z.looseObject({ ref: z.string() }),
  labels: z.array(z.looseObject({ name: z.string() })).optional(),
  html_url: z.string(),
});

/** A GitHub pull request as the API sends it. */
export type GitHubPullRequest = z.infer<typeof gitHubPullRequestSchema>;

/** `GET /repos/{owner}/{repo}/commits/{ref}/status`. */
export const gitHubCombinedStatusSchema = z.looseObject({
  state: z.string(),
  total_count: z.number(),
  statuses: z.array(
    z.looseObject({
      context: z.string(),
      state: z.string(),
      description: z.string().nullish(),
      target_url: z.string().nullish(),
    }),
  ),
});

/** `PUT /repos/{owner}/{repo}/pulls/{n}/merge`. */
export const gitHubMergeResultSchema = z.looseObject({ sha: z.string(), merged: z.boolean() });

/** One check run of `GET /repos/{owner}/{repo}/commits/{ref}/check-runs`: the fields the client reads. */
export const gitHubCheckRunSchema = z.looseObject({
  id: z.number(),
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullish(),
  details_url: z.string().nullish(),
  html_url: z.string().nullish(),
  output: z.looseObject({ title: z.string().nullish() }).nullish(),
});

/** A page of `GET /repos/{owner}/{repo}/commits/{ref}/check-runs`. */
export const gitHubCheckRunPageSchema = z.looseObject({
  total_count: z.number(),
  check_runs: z.array(gitHubCheckRunSchema),
});
