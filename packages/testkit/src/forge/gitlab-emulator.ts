import type { GitServer } from '../git/git-server.js';
import { ForgeProjects, type ProjectRules, type StoredChangeRequest } from './change-request-store.js';
import { ForgeEmulator } from './forge-emulator.js';
import { ForgeHttpServer, type SpecViolationMode } from './forge-http.js';
import { ForgeSpecValidator } from './forge-spec-validator.js';
import { gitLabDialect, gitLabRoutes } from './gitlab-routes.js';

/** A GitLab pipeline status (doc/api/pipelines.md). */
export type GitLabPipelineStatus =
  | 'created'
  | 'waiting_for_resource'
  | 'preparing'
  | 'waiting_for_callback'
  | 'pending'
  | 'running'
  | 'success'
  | 'failed'
  | 'canceling'
  | 'canceled'
  | 'skipped'
  | 'manual'
  | 'scheduled';

/** Options of {@link GitLabEmulator.start}. */
export interface GitLabEmulatorOptions {
  /** The repositories behind the projects. */
  git: GitServer;
  /** The token clients must send (`Authorization: Bearer` or `PRIVATE-TOKEN`). Default `glpat-emulator-token`. */
  token?: string;
  /**
   * What a mismatch with the GitLab spec extract does (a request naming a parameter the extract does not define,
   * a response of the emulator's that does not match its schema): `throw` (default) answers 500 with the issues,
   * `record` only adds it to `specViolations`. Requests GitLab itself refuses are refused as GitLab does (400
   * `{"error": …}`) in both modes.
   */
  specViolations?: SpecViolationMode;
}

/**
 * A GitLab REST v4 subset (merge requests, notes, approvals, commit statuses, pipelines) over the
 * repositories of a {@link GitServer}: a merge is a real git merge in the bare repository, so a deploy tool and
 * Argo CD's emulator see the merged commit. Shapes follow GitLab's REST documentation for merge requests
 * (`detailed_merge_status`, `merge_status`, 405/409/422 on merge, 409 on a duplicate source branch).
 *
 * @example
 * ```ts
 * const gitlab = await GitLabEmulator.start({ git });
 * gitlab.addProject('team/deploy', 'deploy', { approvalsRequired: 1 });
 * // … the code under test opens a merge request against `${gitlab.url}` …
 * await gitlab.approve('team/deploy', 1);
 * ```
 */
export class GitLabEmulator extends ForgeEmulator {
  readonly #projects: ForgeProjects;

  private constructor(http: ForgeHttpServer, projects: ForgeProjects, token: string) {
    super(http, token);
    this.#projects = projects;
  }

  /** Starts the emulator on a free loopback port. The API is at `${url}/api/v4`. */
  static async start(options: GitLabEmulatorOptions): Promise<GitLabEmulator> {
    const token = options.token ?? 'glpat-emulator-token';
    const projects = new ForgeProjects(options.git, 'gitlab');
    const spec = { validator: new ForgeSpecValidator('gitlab'), mode: options.specViolations ?? 'throw' };
    const http = new ForgeHttpServer(gitLabRoutes(projects), gitLabDialect, token, spec);
    await http.listen();
    return new GitLabEmulator(http, projects, token);
  }

  /** Adds a project `path` (e.g. `team/deploy`) backed by the GitServer repository `repo`. Returns its numeric id. */
  addProject(path: string, repo: string, rules: ProjectRules = {}): number {
    return this.#projects.add(path, repo, rules).id;
  }

  /** Someone else opens a merge request (no HTTP). @returns its iid. */
  async openMergeRequest(
    project: string,
    input: {
      sourceBranch: string;
      targetBranch: string;
      title: string;
      description?: string;
      draft?: boolean;
      /** Who opens it (default `contributor`, not the token's user, who may then approve it). */
      author?: string;
    },
  ): Promise<number> {
    const request = await this.#projects.open(this.#projects.get(project), {
      description: '',
      draft: false,
      labels: [],
      author: 'contributor',
      ...input,
    });
    return request.number;
  }

  /** A user approves the merge request. */
  async approve(project: string, iid: number, user = 'reviewer'): Promise<void> {
    this.#request(project, iid).approvals.add(user);
    await this.#projects.get(project).runAutoMerges();
  }

  /** A user presses "Merge" in the UI (rules are not checked: maintainers can). @returns the commit on the target. */
  async merge(
    project: string,
    iid: number,
    method: 'merge' | 'squash' | 'fast-forward' = 'merge',
  ): Promise<string> {
    const request = this.#request(project, iid);
    await this.#projects
      .get(project)
      .land(request, method, `Merge branch '${request.sourceBranch}' into '${request.targetBranch}'`);
    return request.mergeCommitSha as string;
  }

  /** A user closes the merge request. */
  close(project: string, iid: number): void {
    const request = this.#request(project, iid);
    request.state = 'closed';
    request.closedAt = request.updatedAt = new Date().toISOString();
  }

  /**
   * The CI reports the job `name` of `sha`'s pipeline (a commit status; the latest pipeline of the commit, one is
   * created when there is none); the pipeline's status follows its jobs. Auto-merges waiting on it proceed.
   */
  async setPipeline(
    project: string,
    sha: string,
    status: 'pending' | 'running' | 'success' | 'failed' | 'canceled',
    name = 'pipeline',
  ): Promise<void> {
    const forgeProject = this.#projects.get(project);
    forgeProject.checks.addStatus(sha, { name, state: status, description: null, targetUrl: null });
    await forgeProject.runAutoMerges();
  }

  /**
   * A new pipeline runs for `sha` (on `ref`, default any) with the given status; it becomes the commit's latest
   * pipeline, the one "Pipelines must succeed" and a merge request's `head_pipeline` read. @returns its id.
   */
  async addPipeline(
    project: string,
    sha: string,
    status: GitLabPipelineStatus,
    options: { ref?: string; source?: string } = {},
  ): Promise<number> {
    const forgeProject = this.#projects.get(project);
    const pipeline = forgeProject.checks.addPipeline(sha, {
      status,
      ref: options.ref ?? null,
      source: options.source ?? 'push',
    });
    await forgeProject.runAutoMerges();
    return pipeline.id;
  }

  /** A pipeline changes status (e.g. `running` → `failed`); GitLab cancels an auto-merge whose pipeline failed. */
  async setPipelineStatus(project: string, pipelineId: number, status: GitLabPipelineStatus): Promise<void> {
    const forgeProject = this.#projects.get(project);
    const pipeline = forgeProject.checks.pipelines.find((candidate) => candidate.id === pipelineId);
    if (pipeline === undefined) throw new Error(`no pipeline ${pipelineId} in ${project}`);
    pipeline.status = status;
    pipeline.updatedAt = new Date().toISOString();
    await forgeProject.runAutoMerges();
  }

  /** The merge request as stored (for assertions). */
  changeRequest(project: string, iid: number): Readonly<StoredChangeRequest> {
    return this.#request(project, iid);
  }

  #request(project: string, iid: number): StoredChangeRequest {
    const request = this.#projects.get(project).find(iid);
    if (request === undefined) throw new Error(`no merge request !${iid} in ${project}`);
    return request;
  }
}
