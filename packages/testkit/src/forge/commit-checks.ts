import type { StoredCheckRun, StoredPipeline, StoredStatus } from './change-request-store.js';

/** The verdict of a commit's checks that a merge rule reads. */
export type ChecksVerdict = 'none' | 'pending' | 'success' | 'failed';

/**
 * How a forge turns checks into the verdict its merge rule reads: GitHub's required status checks look at commit
 * statuses and check runs; GitLab's "pipelines must succeed" looks at the latest pipeline of the commit, whose
 * commit statuses are its jobs.
 */
export type ChecksModel = 'github' | 'gitlab';

/** Allocates the ids of statuses, check runs and pipelines (global per emulator, like the forges'). */
export interface CheckIds {
  next(kind: 'status' | 'check-run' | 'pipeline'): number;
}

/** GitLab pipeline statuses that are not finished. */
const GITLAB_UNFINISHED = new Set([
  'created',
  'waiting_for_resource',
  'preparing',
  'waiting_for_callback',
  'pending',
  'running',
  'canceling',
  'manual',
  'scheduled',
]);

/** One project's commit statuses, check runs (GitHub) and pipelines (GitLab). */
export class CommitChecks {
  readonly model: ChecksModel;
  /** sha → statuses, oldest first. */
  readonly statuses = new Map<string, StoredStatus[]>();
  /** sha → check runs, oldest first (a re-run is a new check run with the same name). */
  readonly checkRuns = new Map<string, StoredCheckRun[]>();
  /** Oldest first. */
  readonly pipelines: StoredPipeline[] = [];
  readonly #ids: CheckIds;

  constructor(model: ChecksModel, ids: CheckIds) {
    this.model = model;
    this.#ids = ids;
  }

  /** Adds a commit status; on GitLab it becomes a job of the commit's latest pipeline (one is created if needed). */
  addStatus(sha: string, status: Omit<StoredStatus, 'id' | 'createdAt'>): StoredStatus {
    const stored: StoredStatus = {
      ...status,
      id: this.#ids.next('status'),
      createdAt: new Date().toISOString(),
    };
    if (this.model === 'gitlab' && stored.pipelineId === undefined) {
      // GitLab attaches an external status to the commit's pipeline for that ref, creating one (source
      // `external`) when there is none (doc/api/commits.md, "Set the pipeline status of a commit").
      const pipeline =
        this.latestPipeline(sha, status.ref ?? undefined) ??
        this.addPipeline(sha, { ref: status.ref ?? null, source: 'external' });
      stored.pipelineId = pipeline.id;
      pipeline.updatedAt = stored.createdAt;
    }
    const list = this.statuses.get(sha) ?? [];
    list.push(stored);
    this.statuses.set(sha, list);
    return stored;
  }

  /** The newest status per name for a commit. */
  latestStatuses(sha: string): StoredStatus[] {
    const latest = new Map<string, StoredStatus>();
    for (const status of this.statuses.get(sha) ?? []) latest.set(status.name, status);
    return [...latest.values()];
  }

  /** Adds or updates (same sha and name, not completed) a check run. */
  setCheckRun(
    sha: string,
    input: Pick<StoredCheckRun, 'name' | 'status' | 'conclusion'> & Partial<StoredCheckRun>,
  ): StoredCheckRun {
    const now = new Date().toISOString();
    const runs = this.checkRuns.get(sha) ?? [];
    let run = runs.findLast((candidate) => candidate.name === input.name && candidate.status !== 'completed');
    if (run === undefined) {
      run = {
        id: this.#ids.next('check-run'),
        sha,
        app: 'emulator-ci',
        title: null,
        summary: null,
        detailsUrl: null,
        startedAt: now,
        completedAt: null,
        ...input,
      };
      runs.push(run);
      this.checkRuns.set(sha, runs);
    } else {
      Object.assign(run, input);
    }
    if (run.status === 'completed') run.completedAt ??= now;
    return run;
  }

  /** The newest check run per name for a commit (what GitHub's `filter=latest` lists). */
  latestCheckRuns(sha: string): StoredCheckRun[] {
    const latest = new Map<string, StoredCheckRun>();
    for (const run of this.checkRuns.get(sha) ?? []) latest.set(run.name, run);
    return [...latest.values()];
  }

  /** Creates a pipeline for a commit. */
  addPipeline(
    sha: string,
    input: { ref?: string | null; source?: string; status?: string } = {},
  ): StoredPipeline {
    const now = new Date().toISOString();
    const pipeline: StoredPipeline = {
      id: this.#ids.next('pipeline'),
      iid: this.pipelines.length + 1,
      sha,
      ref: input.ref ?? null,
      status: input.status,
      source: input.source ?? 'push',
      createdAt: now,
      updatedAt: now,
    };
    this.pipelines.push(pipeline);
    return pipeline;
  }

  /** The newest pipeline of a commit (for a ref, when given). */
  latestPipeline(sha: string, ref?: string): StoredPipeline | undefined {
    return this.pipelines.findLast(
      (pipeline) =>
        pipeline.sha === sha && (ref === undefined || pipeline.ref === null || pipeline.ref === ref),
    );
  }

  /** A pipeline's status: the one set on it, else the one its jobs make (GitLab's composite status). */
  pipelineStatus(pipeline: StoredPipeline): string {
    if (pipeline.status !== undefined) return pipeline.status;
    const jobs = this.latestStatuses(pipeline.sha).filter((status) => status.pipelineId === pipeline.id);
    if (jobs.length === 0) return 'created';
    if (jobs.some((job) => job.state === 'failed')) return 'failed';
    if (jobs.some((job) => job.state === 'running')) return 'running';
    if (jobs.some((job) => job.state === 'pending')) return 'pending';
    if (jobs.some((job) => job.state === 'canceled')) return 'canceled';
    if (jobs.every((job) => job.state === 'skipped')) return 'skipped';
    return 'success';
  }

  /**
   * The verdict the forge's merge rule reads for a change request's head commit `sha` from branch `sourceBranch`.
   */
  verdict(sha: string, sourceBranch: string, mergeRequest?: number): ChecksVerdict {
    return this.model === 'gitlab'
      ? this.#gitLabVerdict(sha, sourceBranch, mergeRequest)
      : this.#gitHubVerdict(sha);
  }

  /**
   * A merge request's head pipeline (`MergeRequest#head_pipeline`): the newest pipeline of its head commit that ran
   * for the merge request — on its source branch (a branch pipeline), or on its own refs
   * `refs/merge-requests/<iid>/head` (a merge request pipeline) and `…/merge` (merged results) — not one a tag or
   * another branch ran on the same commit.
   */
  headPipeline(sha: string, sourceBranch: string, mergeRequest?: number): StoredPipeline | undefined {
    const refs =
      mergeRequest === undefined
        ? [sourceBranch]
        : [
            sourceBranch,
            `refs/merge-requests/${mergeRequest}/head`,
            `refs/merge-requests/${mergeRequest}/merge`,
          ];
    return this.pipelines.findLast(
      (pipeline) => pipeline.sha === sha && (pipeline.ref === null || refs.includes(pipeline.ref)),
    );
  }

  /**
   * GitLab: the merge request's head pipeline decides ({@link headPipeline}); `skipped` and `canceled` do not count
   * as success.
   */
  #gitLabVerdict(sha: string, sourceBranch: string, mergeRequest: number | undefined): ChecksVerdict {
    const pipeline = this.headPipeline(sha, sourceBranch, mergeRequest);
    if (pipeline === undefined) return 'none';
    const status = this.pipelineStatus(pipeline);
    if (status === 'success') return 'success';
    return GITLAB_UNFINISHED.has(status) ? 'pending' : 'failed';
  }

  /**
   * GitHub: every status and every check run must pass; a check run concluding `neutral` or `skipped` passes
   * (docs.github.com, "About protected branches": required checks must be successful, skipped or neutral).
   */
  #gitHubVerdict(sha: string): ChecksVerdict {
    const states = [
      ...this.latestStatuses(sha).map((status) =>
        status.state === 'success' ? 'success' : status.state === 'pending' ? 'pending' : 'failed',
      ),
      ...this.latestCheckRuns(sha).map((run) =>
        run.status !== 'completed'
          ? 'pending'
          : run.conclusion === 'success' || run.conclusion === 'neutral' || run.conclusion === 'skipped'
            ? 'success'
            : 'failed',
      ),
    ];
    if (states.length === 0) return 'none';
    if (states.includes('failed')) return 'failed';
    return states.includes('pending') ? 'pending' : 'success';
  }
}
