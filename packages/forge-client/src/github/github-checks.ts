import {
  type CheckState,
  type CommitChecks,
  type CommitStatus,
  combineCheckStates,
  type ForgeCallOptions,
} from '../common/change-request.js';
import { ForgeApiError } from '../common/forge-errors.js';
import type { ForgeTransport } from '../common/forge-transport.js';
import { gitHubCheckRunPageSchema, gitHubCombinedStatusSchema } from './github-schemas.js';

/** 2 000 check runs on one commit: a guard against a server whose `total_count` is never reached. */
const MAXIMUM_CHECK_RUN_PAGES = 20;

/** Commit statuses (the combined status) and check runs (the newest per name) of a commit, in one verdict. */
export async function readGitHubChecks(
  transport: ForgeTransport,
  repo: string,
  commit: string,
  options?: ForgeCallOptions,
): Promise<CommitChecks> {
  const sha = encodeURIComponent(commit);
  const combined = await transport.request(
    { path: `${repo}/commits/${sha}/status`, schema: gitHubCombinedStatusSchema },
    options,
  );
  const statuses: CommitStatus[] = combined.statuses.map((status) => ({
    name: status.context,
    state: fromGitHubState(status.state),
    description: status.description ?? null,
    targetUrl: status.target_url ?? null,
    kind: 'status',
  }));
  const checkRuns = (await readCheckRuns(transport, repo, sha, options)).map(
    (run): CommitStatus => ({
      name: run.name,
      state: fromCheckRun(run.status, run.conclusion ?? null),
      description: run.output?.title ?? run.conclusion ?? null,
      targetUrl: run.details_url ?? run.html_url ?? null,
      kind: 'check-run',
    }),
  );
  const all = [...statuses, ...checkRuns];
  return { sha: commit, state: combineCheckStates(all), statuses: all, pipeline: null };
}

/**
 * Every page of `GET …/commits/{ref}/check-runs`: the list is wrapped in `{ total_count, check_runs }`, so it is
 * paged by `page` until `total_count` runs are read or a page is empty, at most {@link MAXIMUM_CHECK_RUN_PAGES}.
 */
async function readCheckRuns(
  transport: ForgeTransport,
  repo: string,
  sha: string,
  options?: ForgeCallOptions,
) {
  const runs = [];
  for (let page = 1; ; page++) {
    const answer = await transport.request(
      {
        path: `${repo}/commits/${sha}/check-runs`,
        query: { filter: 'latest', per_page: 100, page },
        schema: gitHubCheckRunPageSchema,
      },
      options,
    );
    runs.push(...answer.check_runs);
    if (answer.check_runs.length === 0 || runs.length >= answer.total_count) return runs;
    if (page >= MAXIMUM_CHECK_RUN_PAGES) {
      throw new ForgeApiError(
        `github: the check runs of ${sha} cannot be read whole: more than ${MAXIMUM_CHECK_RUN_PAGES} pages`,
        {
          forge: 'github',
          status: 200,
          method: 'GET',
          url: `${repo}/commits/${sha}/check-runs`,
          code: 'FORGE_UNEXPECTED_RESPONSE',
          retryable: false,
        },
      );
    }
  }
}

/** GitHub statuses know pending, success, failure and error. */
export function gitHubStatusState(state: CheckState): string {
  switch (state) {
    case 'success':
      return 'success';
    case 'failed':
      return 'failure';
    case 'canceled':
      return 'error';
    default:
      return 'pending';
  }
}

/**
 * A check run's state: not `completed` is pending (`queued`, `waiting`, `requested`, `pending`) or running
 * (`in_progress`); a completed run passes with `success`, `neutral` or `skipped` (what required checks accept),
 * is canceled with `cancelled`, and fails with anything else (`failure`, `timed_out`, `action_required`, `stale`,
 * or a conclusion a newer GitHub invents).
 */
function fromCheckRun(status: string, conclusion: string | null): CheckState {
  if (status === 'in_progress') return 'running';
  if (status !== 'completed') return 'pending';
  if (conclusion === 'success' || conclusion === 'neutral' || conclusion === 'skipped') return 'success';
  if (conclusion === 'cancelled') return 'canceled';
  return 'failed';
}

function fromGitHubState(state: string): CheckState {
  if (state === 'success') return 'success';
  if (state === 'failure') return 'failed';
  if (state === 'error') return 'canceled';
  return 'pending';
}
