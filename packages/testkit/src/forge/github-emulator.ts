import type { GitServer } from '../git/git-server.js';
import { ForgeProjects, type ProjectRules, type StoredChangeRequest } from './change-request-store.js';
import { ForgeEmulator } from './forge-emulator.js';
import { ForgeHttpServer, type SpecViolationMode } from './forge-http.js';
import { ForgeSpecValidator } from './forge-spec-validator.js';
import { gitHubDialect } from './github-dialect.js';
import { gitHubRoutes } from './github-routes.js';

/** Options of {@link GitHubEmulator.start}. */
export interface GitHubEmulatorOptions {
  /** The repositories behind the `owner/repo` names. */
  git: GitServer;
  /** The token clients must send (`Authorization: Bearer` or `token`). Default `ghp_emulator_token`. */
  token?: string;
  /**
   * What a mismatch with GitHub's OpenAPI description does (a request naming a field or parameter the description
   * does not define, a response of the emulator's that does not match its schema): `throw` (default) answers 500
   * with the issues, `record` only adds it to `specViolations`. Requests GitHub itself refuses are refused as
   * GitHub does (422) in both modes.
   */
  specViolations?: SpecViolationMode;
}

/**
 * A GitHub REST v3 subset (pull requests, reviews, issue comments and labels, commit statuses) over the
 * repositories of a {@link GitServer}: merges, squashes and rebases are real git operations in the bare repository.
 * Shapes follow GitHub's REST documentation (`mergeable`/`mergeable_state`, 405/409 on merge, 422 for a duplicate
 * pull request, `X-RateLimit-*` headers on a 403 when the rate limit is exhausted).
 *
 * @example
 * ```ts
 * const github = await GitHubEmulator.start({ git });
 * github.addRepository('acme/deploy', 'deploy', { checksMustPass: true });
 * // … the code under test opens a pull request against github.url …
 * await github.setStatus('acme/deploy', sha, 'ci', 'success');
 * ```
 */
export class GitHubEmulator extends ForgeEmulator {
  readonly #projects: ForgeProjects;

  private constructor(http: ForgeHttpServer, projects: ForgeProjects, token: string) {
    super(http, token);
    this.#projects = projects;
  }

  /** Starts the emulator on a free loopback port. */
  static async start(options: GitHubEmulatorOptions): Promise<GitHubEmulator> {
    const token = options.token ?? 'ghp_emulator_token';
    const projects = new ForgeProjects(options.git, 'github');
    const spec = { validator: new ForgeSpecValidator('github'), mode: options.specViolations ?? 'throw' };
    const http = new ForgeHttpServer(gitHubRoutes(projects), gitHubDialect, token, spec, '/api/v3');
    await http.listen();
    return new GitHubEmulator(http, projects, token);
  }

  /** Adds the repository `owner/name` backed by the GitServer repository `repo`. */
  addRepository(fullName: string, repo: string, rules: ProjectRules = {}): void {
    if (!/^[\w.-]+\/[\w.-]+$/.test(fullName))
      throw new TypeError(`a GitHub repository is owner/name, got ${fullName}`);
    this.#projects.add(fullName, repo, rules);
  }

  /**
   * Someone else (default `contributor`) opens a pull request (no HTTP): the token's user may then review and
   * approve it, which GitHub refuses on the user's own pull requests. @returns its number.
   */
  async openPullRequest(
    repository: string,
    input: {
      sourceBranch: string;
      targetBranch: string;
      title: string;
      description?: string;
      draft?: boolean;
      author?: string;
    },
  ): Promise<number> {
    const pull = await this.#projects.open(this.#projects.get(repository), {
      description: '',
      draft: false,
      labels: [],
      author: 'contributor',
      ...input,
    });
    return pull.number;
  }

  /** A reviewer approves the pull request. */
  approve(repository: string, number: number, user = 'reviewer'): void {
    this.#pull(repository, number).approvals.add(user);
  }

  /**
   * A GitHub App reports a check run on `sha`: a new one, or an update of the unfinished one with that name
   * (`queued` → `in_progress` → `completed` with a `conclusion`). Required checks count check runs and statuses.
   */
  setCheckRun(
    repository: string,
    sha: string,
    name: string,
    run:
      | { status: 'queued' | 'in_progress'; conclusion?: undefined }
      | {
          status: 'completed';
          conclusion:
            | 'success'
            | 'failure'
            | 'neutral'
            | 'cancelled'
            | 'skipped'
            | 'timed_out'
            | 'action_required';
        },
  ): void {
    this.#projects
      .get(repository)
      .checks.setCheckRun(sha, { name, status: run.status, conclusion: run.conclusion ?? null });
  }

  /** A user presses "Merge" in the UI. @returns the commit on the base branch. */
  async merge(
    repository: string,
    number: number,
    method: 'merge' | 'squash' | 'rebase' = 'merge',
  ): Promise<string> {
    const pull = this.#pull(repository, number);
    await this.#projects
      .get(repository)
      .land(pull, method, `Merge pull request #${number} from ${pull.sourceBranch}`);
    return pull.mergeCommitSha as string;
  }

  /** A user closes the pull request. */
  close(repository: string, number: number): void {
    const pull = this.#pull(repository, number);
    pull.state = 'closed';
    pull.closedAt = pull.updatedAt = new Date().toISOString();
  }

  /** A CI system reports a commit status. */
  setStatus(
    repository: string,
    sha: string,
    context: string,
    state: 'pending' | 'success' | 'failure' | 'error',
  ): void {
    this.#projects.get(repository).checks.addStatus(sha, {
      name: context,
      state,
      description: null,
      targetUrl: null,
    });
  }

  /** The pull request as stored (for assertions). */
  changeRequest(repository: string, number: number): Readonly<StoredChangeRequest> {
    return this.#pull(repository, number);
  }

  #pull(repository: string, number: number): StoredChangeRequest {
    const pull = this.#projects.get(repository).find(number);
    if (pull === undefined) throw new Error(`no pull request #${number} in ${repository}`);
    return pull;
  }
}
