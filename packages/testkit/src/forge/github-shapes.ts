import type {
  ForgeProject,
  StoredChangeRequest,
  StoredCheckRun,
  StoredStatus,
} from './change-request-store.js';

/**
 * The response objects of the GitHub emulator, with every field GitHub's OpenAPI description marks required
 * (`src/forge/specs/github-rest-extract.json`: `pull-request`, `simple-user`, `repository`, `status`, `check-run`,
 * …). URLs follow the API's own layout under the emulator's base URL.
 */

/** The fixed timestamp of the objects the emulator has no history for (users, repositories, the app). */
const EPOCH = '2020-01-01T00:00:00Z';

function nodeId(kind: string, id: number): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

/** A user (`simple-user`): the emulator's one account per login. */
export function gitHubUser(base: string, login: string, id: number) {
  const url = `${base}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId('User', id),
    avatar_url: `${base}/avatars/${login}`,
    gravatar_id: '',
    url,
    html_url: `${base}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: 'User',
    site_admin: false,
  };
}

/** The user the emulator's token belongs to, and the one that reviews, comments and reports statuses. */
export const TOKEN_USER = 'emulator-user';

/** The `*_url` templates of a repository, as GitHub lists them (`minimal-repository`). */
const REPOSITORY_URLS: ReadonlyArray<[string, string]> = [
  ['archive_url', '/{archive_format}{/ref}'],
  ['assignees_url', '/assignees{/user}'],
  ['blobs_url', '/git/blobs{/sha}'],
  ['branches_url', '/branches{/branch}'],
  ['collaborators_url', '/collaborators{/collaborator}'],
  ['comments_url', '/comments{/number}'],
  ['commits_url', '/commits{/sha}'],
  ['compare_url', '/compare/{base}...{head}'],
  ['contents_url', '/contents/{+path}'],
  ['contributors_url', '/contributors'],
  ['deployments_url', '/deployments'],
  ['downloads_url', '/downloads'],
  ['events_url', '/events'],
  ['forks_url', '/forks'],
  ['git_commits_url', '/git/commits{/sha}'],
  ['git_refs_url', '/git/refs{/sha}'],
  ['git_tags_url', '/git/tags{/sha}'],
  ['hooks_url', '/hooks'],
  ['issue_comment_url', '/issues/comments{/number}'],
  ['issue_events_url', '/issues/events{/number}'],
  ['issues_url', '/issues{/number}'],
  ['keys_url', '/keys{/key_id}'],
  ['labels_url', '/labels{/name}'],
  ['languages_url', '/languages'],
  ['merges_url', '/merges'],
  ['milestones_url', '/milestones{/number}'],
  ['notifications_url', '/notifications{?since,all,participating}'],
  ['pulls_url', '/pulls{/number}'],
  ['releases_url', '/releases{/id}'],
  ['stargazers_url', '/stargazers'],
  ['statuses_url', '/statuses/{sha}'],
  ['subscribers_url', '/subscribers'],
  ['subscription_url', '/subscription'],
  ['tags_url', '/tags'],
  ['teams_url', '/teams'],
  ['trees_url', '/git/trees{/sha}'],
];

/** `minimal-repository`: what the combined status names its repository by. */
export function gitHubMinimalRepository(base: string, project: ForgeProject) {
  const [owner = '', name = ''] = project.path.split('/');
  const url = `${base}/repos/${project.path}`;
  return {
    id: project.id,
    node_id: nodeId('Repository', project.id),
    name,
    full_name: project.path,
    owner: gitHubUser(base, owner, 1),
    private: false,
    html_url: `${base}/${project.path}`,
    description: null,
    fork: false,
    url,
    ...Object.fromEntries(REPOSITORY_URLS.map(([field, suffix]) => [field, `${url}${suffix}`])),
  };
}

/** `repository`: the full form pull requests carry in `head.repo` and `base.repo`. */
export function gitHubRepository(base: string, project: ForgeProject) {
  return {
    ...gitHubMinimalRepository(base, project),
    git_url: `${project.cloneUrl}`,
    ssh_url: `git@127.0.0.1:${project.path}.git`,
    clone_url: project.cloneUrl,
    svn_url: `${base}/${project.path}`,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: 'main',
    open_issues_count: project.changeRequests.filter((request) => request.state === 'open').length,
    open_issues: project.changeRequests.filter((request) => request.state === 'open').length,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    archived: false,
    disabled: false,
    pushed_at: null,
    created_at: EPOCH,
    updated_at: EPOCH,
  };
}

/** `label`. */
export function gitHubLabel(base: string, project: ForgeProject, name: string, index: number) {
  return {
    id: index + 1,
    node_id: nodeId('Label', index + 1),
    url: `${base}/repos/${project.path}/labels/${encodeURIComponent(name)}`,
    name,
    // `pull-request-simple` declares a label's description a string (the `label` schema allows null too).
    description: '',
    color: 'ededed',
    default: false,
  };
}

/** The fields `pull-request-simple` (lists) and `pull-request` (one pull request) share. */
export function gitHubPullRequestSimple(base: string, project: ForgeProject, pull: StoredChangeRequest) {
  const [owner = ''] = project.path.split('/');
  const api = `${base}/repos/${project.path}`;
  const url = `${api}/pulls/${pull.number}`;
  const html = `${base}/${project.path}/pull/${pull.number}`;
  const repository = gitHubRepository(base, project);
  const ownerUser = gitHubUser(base, owner, 1);
  const link = (href: string) => ({ href });
  return {
    url,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pull.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pull.number}/comments`,
    statuses_url: `${api}/statuses/${pull.headSha}`,
    number: pull.number,
    state: pull.state === 'open' ? 'open' : 'closed',
    locked: false,
    title: pull.title,
    user: gitHubUser(base, TOKEN_USER, 2),
    body: pull.description,
    labels: pull.labels.map((name, index) => gitHubLabel(base, project, name, index)),
    milestone: null,
    active_lock_reason: null,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
    closed_at: pull.closedAt ?? pull.mergedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${owner}:${pull.sourceBranch}`,
      ref: pull.sourceBranch,
      repo: repository,
      sha: pull.headSha,
      user: ownerUser,
    },
    base: {
      label: `${owner}:${pull.targetBranch}`,
      ref: pull.targetBranch,
      repo: repository,
      sha: pull.baseSha,
      user: ownerUser,
    },
    _links: {
      self: link(url),
      html: link(html),
      issue: link(`${api}/issues/${pull.number}`),
      comments: link(`${api}/issues/${pull.number}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${api}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(`${api}/statuses/${pull.headSha}`),
    },
    author_association: 'OWNER',
    auto_merge: null,
    draft: pull.draft,
  };
}

/** `pull-request`: a single pull request, with its merge state. */
export function gitHubPullRequest(
  base: string,
  project: ForgeProject,
  pull: StoredChangeRequest,
  mergeable: boolean | null,
  mergeableState: string,
) {
  return {
    ...gitHubPullRequestSimple(base, project, pull),
    merged: pull.state === 'merged',
    mergeable,
    rebaseable: mergeable,
    mergeable_state: mergeableState,
    merged_by: pull.state === 'merged' ? gitHubUser(base, TOKEN_USER, 2) : null,
    comments: pull.comments.length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

/** `simple-commit-status`: one status in a combined status. */
export function gitHubSimpleStatus(base: string, project: ForgeProject, status: StoredStatus, sha: string) {
  const { creator: _creator, ...simple } = gitHubStatus(base, project, status, sha);
  return simple;
}

/** `status`: one commit status. */
export function gitHubStatus(base: string, project: ForgeProject, status: StoredStatus, sha: string) {
  return {
    url: `${base}/repos/${project.path}/statuses/${sha}`,
    avatar_url: null,
    id: status.id,
    node_id: nodeId('StatusContext', status.id),
    state: status.state,
    description: status.description,
    target_url: status.targetUrl,
    context: status.name,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    creator: gitHubUser(base, TOKEN_USER, 2),
  };
}

/** `check-run`: one check run of the emulator's CI app. */
export function gitHubCheckRun(base: string, project: ForgeProject, run: StoredCheckRun) {
  const url = `${base}/repos/${project.path}/check-runs/${run.id}`;
  return {
    id: run.id,
    head_sha: run.sha,
    node_id: nodeId('CheckRun', run.id),
    external_id: null,
    url,
    html_url: `${base}/${project.path}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.title,
      summary: run.summary,
      text: null,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id },
    app: {
      id: 1,
      slug: run.app,
      node_id: nodeId('App', 1),
      owner: gitHubUser(base, TOKEN_USER, 2),
      name: run.app,
      description: null,
      external_url: base,
      html_url: `${base}/apps/${run.app}`,
      created_at: EPOCH,
      updated_at: EPOCH,
      permissions: { checks: 'write' },
      events: [],
    },
    pull_requests: [],
  };
}
