import type { ZodType, z } from 'zod';
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

/**
 * 2 000 check runs (or statuses) on one commit: a guard against a server whose `total_count` is never reached.
 */
const MAXIMUM_COUNTED_PAGES = 20;

/**
 * Commit statuses (the combined status, every page) and check runs (the newest per name), in one verdict.
 */
export async function readGitHubChecks(
  transport: ForgeTransport,
  repo: string,
  commit: string,
  options?: ForgeCallOptions,
): Promise<CommitChecks> {
  const sha = encodeURIComponent(commit);
  const combined = await readCountedPages(
    transport,
    `${repo}/commits/${sha}/status`,
    {},
    gitHubCombinedStatusSchema,
    (page) => page.statuses,
    options,
  );
  const statuses: CommitStatus[] = combined.map((status) => ({
    name: status.context,
    state: fromGitHubState(status.state),
    description: status.description ?? null,
    targetUrl: status.target_url ?? null,
    kind: 'status',
  }));
  const runs = await readCountedPages(
    transport,
    `${repo}/commits/${sha}/check-runs`,
    { filter: 'latest' },
    gitHubCheckRunPageSchema,
    (page) => page.check_runs,
    options,
    (run) => run.id,
  );
  const checkRuns = newestPerName(runs).map(
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
 * One check run per name, the one with the highest id: a re-run is a new check run with a new, larger id (ids are
 * the forge's, `started_at` is whatever the app sent). `filter=latest` already asks GitHub for that, but it keeps
 * one per check suite, so two apps (or an old GitHub Enterprise Server) can still list a stale failure beside its
 * re-run.
 */
function newestPerName<T extends { id: number; name: string }>(runs: readonly T[]): T[] {
  const newest = new Map<string, T>();
  for (const run of runs) {
    const kept = newest.get(run.name);
    if (kept === undefined || run.id > kept.id) newest.set(run.name, run);
  }
  return [...newest.values()];
}

/**
 * Every page of a GitHub list wrapped in `{ total_count, … }` (the combined status, check runs): paged by `page`,
 * 100 a page, until `total_count` items are read or a page is empty, at most {@link MAXIMUM_COUNTED_PAGES}. The
 * combined status is paged too (30 statuses a page by default): its first page alone misses the 31st context.
 */
async function readCountedPages<S extends ZodType<{ total_count: number }>, T>(
  transport: ForgeTransport,
  path: string,
  query: Record<string, string>,
  schema: S,
  itemsOf: (page: z.infer<S>) => readonly T[],
  options?: ForgeCallOptions,
  idOf?: (item: T) => number,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<number>();
  const failure = (why: string) =>
    new ForgeApiError(`github: the list at ${path} cannot be read whole: ${why}`, {
      forge: 'github',
      status: 200,
      method: 'GET',
      url: path,
      code: 'FORGE_UNEXPECTED_RESPONSE',
      retryable: false,
    });
  for (let page = 1; ; page++) {
    const answer = await transport.request(
      { path, query: { ...query, per_page: 100, page }, schema },
      options,
    );
    const pageItems = itemsOf(answer as z.infer<S>);
    if (idOf !== undefined && pageItems.length > 0) {
      // A run created while the pages are read shifts one onto the next page (seen twice, harmless); a page of
      // nothing new is a server that ignores `page`, whose `total_count` would be "reached" with the same runs.
      if (pageItems.every((item) => seen.has(idOf(item)))) {
        throw failure(`page ${page} repeats what earlier pages listed (is \`page\` ignored?)`);
      }
      for (const item of pageItems) seen.add(idOf(item));
    }
    items.push(...pageItems);
    if (pageItems.length === 0 || items.length >= answer.total_count) return items;
    if (page >= MAXIMUM_COUNTED_PAGES) throw failure(`more than ${MAXIMUM_COUNTED_PAGES} pages`);
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
