import type { GitServer } from '../git/git-server.js';
import { type CheckIds, type ChecksModel, CommitChecks } from './commit-checks.js';
import { BareRepositoryMerger, type ForgeMergeMethod } from './git-merge.js';

/** One change request as the emulators keep it. */
export interface StoredChangeRequest {
  /** Project-scoped number (GitLab iid, GitHub pull number). */
  number: number;
  /** A global id (GitLab `id`, GitHub `id`). */
  id: number;
  title: string;
  description: string;
  sourceBranch: string;
  targetBranch: string;
  draft: boolean;
  labels: string[];
  /** Who opened it: the token's user over the API, someone else when a test scripts it. */
  author: string;
  state: 'open' | 'closed' | 'merged';
  /** The target's tip after the merge; null before. */
  mergeCommitSha: string | null;
  /** The source head that was merged (kept after the branch is gone). */
  mergedHeadSha: string | null;
  /** Head recorded when the change request was last read (for a merged or closed one, the last seen). */
  headSha: string;
  /** The target branch's tip when the change request was last read. */
  baseSha: string;
  approvals: Set<string>;
  comments: Array<{ id: number; body: string; createdAt: string }>;
  autoMerge: { method: ForgeMergeMethod; message: string } | null;
  /** How it was merged; null before. */
  mergeMethod: ForgeMergeMethod | null;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  closedAt: string | null;
}

/** One named commit status. */
export interface StoredStatus {
  id: number;
  /** GitLab: the pipeline the status is a job of. */
  pipelineId?: number;
  ref?: string | null;
  name: string;
  state: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

/** A GitHub check run (`GET /repos/{o}/{r}/commits/{ref}/check-runs`). */
export interface StoredCheckRun {
  id: number;
  sha: string;
  name: string;
  /** GitHub's `status`: `queued`, `in_progress`, `completed` (and `waiting`, `requested`, `pending` for Actions). */
  status: string;
  /** GitHub's `conclusion` once completed: `success`, `failure`, `neutral`, `cancelled`, `skipped`, `timed_out`, `action_required`. */
  conclusion: string | null;
  app: string;
  title: string | null;
  summary: string | null;
  detailsUrl: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

/** A GitLab pipeline: its own status, or (`status: undefined`) the one its jobs (commit statuses) make. */
export interface StoredPipeline {
  id: number;
  iid: number;
  sha: string;
  ref: string | null;
  /** Set explicitly by the test; undefined: computed from the pipeline's commit statuses. */
  status: string | undefined;
  source: string;
  createdAt: string;
  updatedAt: string;
}

/** A project's merge rules, as the forges' settings express them. */
export interface ProjectRules {
  /** Approvals a merge needs (GitLab approval rules, GitHub required reviews). Default 0. */
  approvalsRequired?: number;
  /** A merge needs every status of the head to be successful (GitLab "pipelines must succeed", GitHub required checks). */
  checksMustPass?: boolean;
  /**
   * GitLab: the author may approve their own merge request ("Prevent approval by author" turned off; by default the
   * author cannot). GitHub never lets the author approve a pull request, whatever this says.
   */
  authorCanApprove?: boolean;
}

/** Why an open change request cannot merge now, in the forge-neutral words the emulators translate. */
export type MergeBlocker =
  | 'draft'
  | 'conflict'
  | 'checks-failed'
  | 'checks-pending'
  | 'not-approved'
  | 'missing-branch';

/** A project known to an emulator, backed by a bare repository of a {@link GitServer}. */
export class ForgeProject {
  readonly path: string;
  readonly id: number;
  readonly repo: string;
  readonly rules: Required<ProjectRules>;
  readonly changeRequests: StoredChangeRequest[] = [];
  /** Commit statuses, check runs and pipelines. */
  readonly checks: CommitChecks;
  readonly merger: BareRepositoryMerger;
  readonly #git: GitServer;

  constructor(
    git: GitServer,
    path: string,
    id: number,
    repo: string,
    rules: ProjectRules,
    checks: CommitChecks,
  ) {
    this.#git = git;
    this.checks = checks;
    this.path = path;
    this.id = id;
    this.repo = repo;
    this.rules = {
      approvalsRequired: rules.approvalsRequired ?? 0,
      authorCanApprove: rules.authorCanApprove ?? false,
      checksMustPass: rules.checksMustPass ?? false,
    };
    this.merger = new BareRepositoryMerger(git.repoDirectory(repo), git.rootDirectory);
  }

  /** The clone URL of the backing repository. */
  get cloneUrl(): string {
    return this.#git.repoUrl(this.repo);
  }

  find(number: number): StoredChangeRequest | undefined {
    return this.changeRequests.find((request) => request.number === number);
  }

  /** Updates `headSha` and `baseSha` of an open change request from its branches. */
  async refresh(request: StoredChangeRequest): Promise<void> {
    if (request.state !== 'open') return;
    request.headSha = (await this.merger.head(request.sourceBranch)) ?? request.headSha;
    request.baseSha = (await this.merger.head(request.targetBranch)) ?? request.baseSha;
  }

  /**
   * Edits a change request as both forges' update calls do: close an open one, reopen a closed one (a merged one
   * stays merged), new title or description.
   */
  update(
    request: StoredChangeRequest,
    changes: {
      state?: 'open' | 'closed' | undefined;
      title?: string | undefined;
      description?: string | undefined;
    },
  ): void {
    const now = new Date().toISOString();
    if (changes.state === 'closed' && request.state === 'open') {
      request.state = 'closed';
      request.closedAt = now;
    } else if (changes.state === 'open' && request.state === 'closed') {
      request.state = 'open';
      request.closedAt = null;
    }
    if (changes.title !== undefined) request.title = changes.title;
    if (changes.description !== undefined) request.description = changes.description;
    request.updatedAt = now;
  }

  /** Whether the change request conflicts with its target. */
  async conflicts(request: StoredChangeRequest): Promise<boolean> {
    const target = await this.merger.head(request.targetBranch);
    const source = await this.merger.head(request.sourceBranch);
    if (target === undefined || source === undefined) return false;
    return (await this.merger.mergedTree(target, source)) === undefined;
  }

  /** The first reason the change request cannot be merged now, or undefined when it can. */
  async blocker(request: StoredChangeRequest): Promise<MergeBlocker | undefined> {
    if ((await this.merger.head(request.sourceBranch)) === undefined) return 'missing-branch';
    if (request.draft) return 'draft';
    if (await this.conflicts(request)) return 'conflict';
    if (this.rules.checksMustPass) {
      const checks = this.checks.verdict(request.headSha, request.sourceBranch, request.number);
      if (checks === 'failed') return 'checks-failed';
      if (checks !== 'success') return 'checks-pending';
    }
    if (request.approvals.size < this.rules.approvalsRequired) return 'not-approved';
    return undefined;
  }

  /** Lands an open change request; marks it merged. @throws ForgeMergeConflictError, ForgeMergeRaceError */
  async land(request: StoredChangeRequest, method: ForgeMergeMethod, message: string): Promise<void> {
    const head = await this.merger.head(request.sourceBranch);
    const landed = await this.merger.merge(request.sourceBranch, request.targetBranch, method, message);
    const now = new Date().toISOString();
    request.state = 'merged';
    request.mergedHeadSha = method === 'rebase' ? landed : (head ?? request.headSha);
    request.headSha = request.mergedHeadSha;
    request.mergeCommitSha = landed;
    request.mergeMethod = method;
    request.mergedAt = now;
    request.updatedAt = now;
    request.autoMerge = null;
  }

  /** Runs pending auto-merges whose checks passed (GitLab "merge when pipeline succeeds"). */
  async runAutoMerges(): Promise<void> {
    for (const request of this.changeRequests) {
      if (request.state !== 'open' || request.autoMerge === null) continue;
      await this.refresh(request);
      const checks = this.checks.verdict(request.headSha, request.sourceBranch, request.number);
      if (checks === 'failed') {
        request.autoMerge = null; // GitLab cancels auto-merge when the pipeline fails
        continue;
      }
      if ((await this.blocker(request)) !== undefined) continue;
      await this.land(request, request.autoMerge.method, request.autoMerge.message).catch(() => undefined);
    }
  }
}

/** The projects of one emulator, addressable by path or id. */
export class ForgeProjects {
  readonly #git: GitServer;
  readonly #model: ChecksModel;
  readonly #projects: ForgeProject[] = [];
  #nextProjectId = 1;
  #nextChangeRequestId = 1000;
  readonly #checkIds: CheckIds;

  constructor(git: GitServer, model: ChecksModel) {
    this.#git = git;
    this.#model = model;
    const next = { status: 1, 'check-run': 1, pipeline: 1 };
    this.#checkIds = { next: (kind) => next[kind]++ };
  }

  add(path: string, repo: string, rules: ProjectRules = {}): ForgeProject {
    if (this.#projects.some((project) => project.path === path))
      throw new Error(`project ${path} exists already`);
    const checks = new CommitChecks(this.#model, this.#checkIds);
    const project = new ForgeProject(this.#git, path, this.#nextProjectId++, repo, rules, checks);
    this.#projects.push(project);
    return project;
  }

  /** By path (`team/deploy`) or numeric id (as text). */
  find(pathOrId: string): ForgeProject | undefined {
    return this.#projects.find((project) => project.path === pathOrId || String(project.id) === pathOrId);
  }

  /** By path; throws for an unknown one (the scripting API's mistakes are the test's). */
  get(path: string): ForgeProject {
    const project = this.find(path);
    if (project === undefined) throw new Error(`no project ${path}; add it with addProject()`);
    return project;
  }

  async open(
    project: ForgeProject,
    input: {
      title: string;
      description: string;
      sourceBranch: string;
      targetBranch: string;
      draft: boolean;
      labels: string[];
      author: string;
    },
  ): Promise<StoredChangeRequest> {
    const headSha = (await project.merger.head(input.sourceBranch)) ?? '';
    const baseSha = (await project.merger.head(input.targetBranch)) ?? '';
    // Checked after the last await, so that two requests that arrive together cannot both open one: both forges
    // keep one open change request per source and target branch (GitLab 409, GitHub 422).
    const existing = project.changeRequests.find(
      (r) =>
        r.state === 'open' && r.sourceBranch === input.sourceBranch && r.targetBranch === input.targetBranch,
    );
    if (existing !== undefined) throw new DuplicateChangeRequestError(existing);
    const now = new Date().toISOString();
    const request: StoredChangeRequest = {
      number: project.changeRequests.length + 1,
      id: this.#nextChangeRequestId++,
      ...input,
      state: 'open',
      mergeCommitSha: null,
      mergedHeadSha: null,
      headSha,
      baseSha,
      approvals: new Set(),
      comments: [],
      autoMerge: null,
      mergeMethod: null,
      createdAt: now,
      updatedAt: now,
      mergedAt: null,
      closedAt: null,
    };
    project.changeRequests.push(request);
    return request;
  }
}

/** An open change request for the same source and target branch exists already. */
export class DuplicateChangeRequestError extends Error {
  override readonly name = 'DuplicateChangeRequestError';
  readonly existing: StoredChangeRequest;
  constructor(existing: StoredChangeRequest) {
    super(
      `change request ${existing.number} is open for ${existing.sourceBranch} → ${existing.targetBranch}`,
    );
    this.existing = existing;
  }
}
