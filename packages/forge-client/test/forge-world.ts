import { GitServer } from '@gitops-kit/testkit';

/** A deploy repository with `main` and a release branch that changes the image tag. */
export async function startDeployRepository(): Promise<{
  git: GitServer;
  mainHead: string;
  releaseHead: string;
  branch: (name: string, tag: string) => Promise<string>;
}> {
  const git = await GitServer.start();
  const values = (tag: string) =>
    `# prod values\nimage:\n  repository: registry.example.com/app\n  tag: ${tag}\n`;
  const created = await git.createRepo('deploy', {
    'env/prod/values.yaml': values('v1'),
    'README.md': 'deploy\n',
  });
  const branch = (name: string, tag: string) =>
    git.commit(
      'deploy',
      name,
      { 'env/prod/values.yaml': values(tag) },
      { message: `prod: ${tag}`, from: created.head },
    );
  const releaseHead = await branch('release/v2', 'v2');
  return { git, mainHead: created.head, releaseHead, branch };
}

/** Commits a branch off main's current head that sets prod's image tag; returns the branch name. */
export async function branchOffMain(git: GitServer, name: string, tag: string): Promise<string> {
  const head = await git.headOf('deploy', 'main');
  await git.commit(
    'deploy',
    name,
    { 'env/prod/values.yaml': `image:\n  tag: ${tag}\n` },
    { from: head as string },
  );
  return name;
}

/** Parents of a commit, read with the git CLI through the server's bare repository. */
export async function parentsOf(git: GitServer, commit: string): Promise<string[]> {
  const { execFileSync } = await import('node:child_process');
  const line = execFileSync(
    'git',
    ['--git-dir', git.repoDirectory('deploy'), 'rev-list', '--parents', '-n', '1', commit],
    {
      encoding: 'utf8',
    },
  ).trim();
  return line.split(' ').slice(1);
}
