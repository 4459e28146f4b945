import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ReleaseEnvironment } from './release-environment.js';

/** The files the `release` commands of the CLI tests read, in a temporary directory of their own. */
export interface ReleaseCliFiles {
  directory: string;
  /** The path of a file in the directory. */
  path(name: string): string;
  /** Removes the directory. */
  remove(): Promise<void>;
}

/**
 * Writes `stages.yaml` (the given stages, by default those of `env`, with `header` before them), `argocd-password`,
 * `git-password` unless `gitPassword` is false, and `files` into a new temporary directory named after `prefix`.
 */
export async function writeReleaseCliFiles(
  env: ReleaseEnvironment,
  prefix: string,
  options: {
    stages?: readonly unknown[];
    header?: Record<string, unknown>;
    gitPassword?: boolean;
    files?: Record<string, string>;
  } = {},
): Promise<ReleaseCliFiles> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  const path = (name: string) => join(directory, name);
  const files: Record<string, string> = {
    ...(options.gitPassword === false ? {} : { 'git-password': `${env.gitPassword}\n` }),
    'argocd-password': `${env.argocdPassword}\n`,
    ...options.files,
    'stages.yaml': stringify({ ...options.header, stages: options.stages ?? env.stages }),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path(name), text);
  return { directory, path, remove: () => rm(directory, { recursive: true, force: true }) };
}

/** `--git-username deployer --git-password-file …`: the git password of the release environment. */
export function gitPasswordArguments(files: ReleaseCliFiles): string[] {
  return ['--git-username', 'deployer', '--git-password-file', files.path('git-password')];
}

/** The stages file, the given git credentials (by default the password) and Argo CD's admin password file. */
export function releaseCliArguments(
  files: ReleaseCliFiles,
  gitArguments: string[] = gitPasswordArguments(files),
): string[] {
  return [
    '--stages',
    files.path('stages.yaml'),
    ...gitArguments,
    '--argocd-username',
    'admin',
    '--argocd-password-file',
    files.path('argocd-password'),
  ];
}

/** The environment variables that name Argo CD and GitLab (with its token), plus `extra`. */
export function releaseCliEnvironment(
  env: ReleaseEnvironment,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    ARGOCD_SERVER: env.argocd.url,
    GITLAB_URL: env.gitlab.url,
    GITLAB_TOKEN: env.gitlab.token,
    ...extra,
  };
}
