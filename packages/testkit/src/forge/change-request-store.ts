import type { GitServer } from '../git/git-server.js';
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
  state: 'open' | 'closed' | 'merged';
  /** The target's tip after the merge; null before. */
  mergeCommitSha: string | null;
  /** The source head that was merged (kept after the branch is gone). */
  mergedHeadSha: string | null;
  /** Head recorded when the change request was last read (for a merged or closed one, the last seen). */
  headSha: string;
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
  name: string;
  state: string;
  description: string | null;
  targetUrl: string | null;
  createdAt: string;
}

/** A project's merge rules, as the forges' settings express them. */
export interface ProjectRules {
  /** Approvals a merge needs (GitLab approval rules, GitHub required reviews). Default 0. */
  approvalsRequired?: number;
  /** A merge needs every status of the head to be successful (GitLab "pipelines must succeed", GitHub required checks). */
  checksMustPass?: boolean;
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
  /** sha → statuses, newest last. */
  readonly statuses = new Map<string, StoredStatus[]>();
  readonly merger: BareRepositoryMerger;
  readonly #git: GitServer;

  constructor(git: GitServer, path: string, id: number, repo: string, rules: ProjectRules) {
    this.#git = git;
    this.path = path;
    this.id = id;
    this.repo = repo;
    this.rules = {
      approvalsRequired: rules.approvalsRequired ?? 0,
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

  /** Updates `headSha` of an open change request from its source branch. */
  async refresh(request: StoredChangeRequest): Promise<void> {
    if (request.state !== 'open') return;
    request.headSha = (await this.merger.head(request.sourceBranch)) ?? request.headSha;
  }

  /** The newest status per name for a commit. */
  latestStatuses(sha: string): StoredStatus[] {
    const latest = new Map<string, StoredStatus>();
    for (const status of this.statuses.get(sha) ?? []) latest.set(status.name, status);
    return [...latest.values()];
  }

  /** Combined verdict of a commit's statuses. */
  checksState(sha: string): 'none' | 'pending' | 'success' | 'failed' {
    const statuses = this.latestStatuses(sha);
    if (statuses.length === 0) return 'none';
    if (
      statuses.some(
        (s) => s.state === 'failed' || s.state === 'failure' || s.state === 'error' || s.state === 'canceled',
      )
    ) {
      return 'failed';
    }
    if (statuses.every((s) => s.state === 'success')) return 'success';
    return 'pending';
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
      const checks = this.checksState(request.headSha);
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
      const checks = this.checksState(request.headSha);
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
  readonly #projects: ForgeProject[] = [];
  #nextProjectId = 1;
  #nextChangeRequestId = 1000;
  #nextStatusId = 1;

  constructor(git: GitServer) {
    this.#git = git;
  }

  add(path: string, repo: string, rules: ProjectRules = {}): ForgeProject {
    if (this.#projects.some((project) => project.path === path))
      throw new Error(`project ${path} exists already`);
    const project = new ForgeProject(this.#git, path, this.#nextProjectId++, repo, rules);
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
    },
  ): Promise<StoredChangeRequest> {
    const headSha = (await project.merger.head(input.sourceBranch)) ?? '';
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

  addStatus(
    project: ForgeProject,
    sha: string,
    status: Omit<StoredStatus, 'id' | 'createdAt'>,
  ): StoredStatus {
    const stored: StoredStatus = { ...status, id: this.#nextStatusId++, createdAt: new Date().toISOString() };
    const list = project.statuses.get(sha) ?? [];
    list.push(stored);
    project.statuses.set(sha, list);
    return stored;
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
