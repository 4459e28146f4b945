import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitBaseEnvironment, runGit } from '../git/git-process.js';

/** How a forge lands a change request on its target branch. */
export type ForgeMergeMethod = 'merge' | 'squash' | 'rebase' | 'fast-forward';

/** Who the forge's commits are made by. */
const FORGE_IDENTITY = {
  GIT_AUTHOR_NAME: 'Forge Emulator',
  GIT_AUTHOR_EMAIL: 'forge@emulator.invalid',
  GIT_COMMITTER_NAME: 'Forge Emulator',
  GIT_COMMITTER_EMAIL: 'forge@emulator.invalid',
};

/** A merge that cannot be made: the two branches conflict. */
export class ForgeMergeConflictError extends Error {
  override readonly name = 'ForgeMergeConflictError';
}

/** The target branch moved while the merge was made (someone pushed): the forge refuses, as it would. */
export class ForgeMergeRaceError extends Error {
  override readonly name = 'ForgeMergeRaceError';
}

/**
 * Real git merges in a bare repository, made the way a forge makes them: `git merge-tree --write-tree` (git ≥ 2.38)
 * for the merged tree, `git commit-tree` for the commit, `git update-ref` with the old value so a concurrent push
 * is never overwritten. Rebases run `git rebase` in a temporary worktree of the bare repository.
 */
export class BareRepositoryMerger {
  readonly #gitDirectory: string;
  readonly #env: NodeJS.ProcessEnv;

  constructor(gitDirectory: string, homeDirectory: string) {
    this.#gitDirectory = gitDirectory;
    this.#env = { ...gitBaseEnvironment(homeDirectory), ...FORGE_IDENTITY };
  }

  async #git(args: string[], allowedExitCodes: number[] = [0]) {
    return runGit(['--git-dir', this.#gitDirectory, ...args], { env: this.#env, allowedExitCodes });
  }

  /** The commit a branch points at, or undefined. */
  async head(branch: string): Promise<string | undefined> {
    const result = await this.#git(
      ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`],
      [0, 1],
    );
    const id = result.stdout.toString('utf8').trim();
    return result.exitCode === 0 && id !== '' ? id : undefined;
  }

  /**
   * The full id of a commit named by a (possibly abbreviated) hexadecimal id or a branch name, or undefined when the
   * repository has no such commit. Anything else (an option-looking or odd name) is undefined, never passed to git.
   */
  async commit(name: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{4,64}$/i.test(name)) return /^[\w][\w./-]*$/.test(name) ? this.head(name) : undefined;
    const result = await this.#git(['rev-parse', '--verify', '--quiet', `${name}^{commit}`], [0, 1, 128]);
    const id = result.stdout.toString('utf8').trim();
    return result.exitCode === 0 && id !== '' ? id : undefined;
  }

  /** Whether `ancestor` is reachable from `descendant`. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.#git(['merge-base', '--is-ancestor', ancestor, descendant], [0, 1])).exitCode === 0;
  }

  /** The tree of merging `source` into `target`, or undefined when they conflict. */
  async mergedTree(target: string, source: string): Promise<string | undefined> {
    const result = await this.#git(['merge-tree', '--write-tree', '--no-messages', target, source], [0, 1]);
    if (result.exitCode === 1) return undefined;
    return result.stdout.toString('utf8').split('\n')[0]?.trim();
  }

  /**
   * Lands `sourceBranch` on `targetBranch` and returns the commit now at the target's tip.
   *
   * @throws ForgeMergeConflictError when the branches conflict (or a fast-forward is impossible).
   * @throws ForgeMergeRaceError when a branch moved while the merge was made.
   */
  async merge(
    sourceBranch: string,
    targetBranch: string,
    method: ForgeMergeMethod,
    message: string,
  ): Promise<string> {
    const target = await this.head(targetBranch);
    let source = await this.head(sourceBranch);
    if (target === undefined || source === undefined)
      throw new ForgeMergeConflictError('a branch is missing');
    if (method === 'rebase') {
      source = await this.rebase(sourceBranch, targetBranch);
      method = 'fast-forward';
    }
    let result: string;
    if (method === 'fast-forward') {
      if (!(await this.isAncestor(target, source))) {
        throw new ForgeMergeConflictError(`${targetBranch} is not an ancestor of ${sourceBranch}`);
      }
      result = source;
    } else {
      const tree = await this.mergedTree(target, source);
      if (tree === undefined)
        throw new ForgeMergeConflictError(`${sourceBranch} conflicts with ${targetBranch}`);
      const parents = method === 'squash' ? ['-p', target] : ['-p', target, '-p', source];
      result = (await this.#git(['commit-tree', tree, ...parents, '-m', message])).stdout
        .toString('utf8')
        .trim();
    }
    await this.#updateRef(targetBranch, result, target);
    return result;
  }

  /** Rebases `sourceBranch` onto `targetBranch` (a forge's rebase button) and returns the new source tip. */
  async rebase(sourceBranch: string, targetBranch: string): Promise<string> {
    const target = await this.head(targetBranch);
    const source = await this.head(sourceBranch);
    if (target === undefined || source === undefined)
      throw new ForgeMergeConflictError('a branch is missing');
    if (await this.isAncestor(target, source)) return source;
    const worktree = await mkdtemp(join(tmpdir(), 'gitops-kit-forge-rebase-'));
    try {
      await this.#git(['worktree', 'add', '--detach', '--force', worktree, source]);
      const rebased = await runGit(['rebase', '--no-autostash', target], {
        cwd: worktree,
        env: this.#env,
        allowedExitCodes: [0, 1],
      });
      if (rebased.exitCode !== 0) {
        await runGit(['rebase', '--abort'], { cwd: worktree, env: this.#env, allowedExitCodes: [0, 1, 128] });
        throw new ForgeMergeConflictError(`${sourceBranch} does not rebase onto ${targetBranch}`);
      }
      const head = (await runGit(['rev-parse', 'HEAD'], { cwd: worktree, env: this.#env })).stdout
        .toString('utf8')
        .trim();
      await this.#updateRef(sourceBranch, head, source);
      return head;
    } finally {
      await this.#git(['worktree', 'remove', '--force', worktree], [0, 128]).catch(() => undefined);
      await rm(worktree, { recursive: true, force: true });
    }
  }

  async #updateRef(branch: string, value: string, oldValue: string): Promise<void> {
    const result = await this.#git(['update-ref', `refs/heads/${branch}`, value, oldValue], [0, 1, 128]);
    if (result.exitCode !== 0) throw new ForgeMergeRaceError(`${branch} moved while the merge was made`);
  }
}
