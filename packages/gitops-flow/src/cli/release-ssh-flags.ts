import { isSshRemote, type WriteBackSshOptions } from '@gitops-kit/manifest-updater';
import type { FlagSpec } from './framework/command-spec.js';
import { type FlagValues, listValue, stringValue } from './framework/parse-flags.js';
import type { UsageProblems } from './framework/usage-error.js';
import { gitSshFromArguments, gitSshSharedOptions } from './git-ssh-flags.js';
import { splitRepositoryAssignment } from './repository-assignment.js';
import { readSecretFile } from './secret-sources.js';

/** `--git-ssh-key-file-for REPO=PATH`: a key for one SSH repository of the stages file. */
export const GIT_SSH_KEY_FILE_FOR_FLAG: FlagSpec = {
  name: 'git-ssh-key-file-for',
  type: 'string',
  multiple: true,
  value: 'REPO=PATH',
  description:
    'SSH private key for one repository of the stages file, named exactly as its repository.url (repeatable; overrides --git-ssh-key-file there)',
  group: 'Git credentials',
};

/** The SSH credentials of a release: a default key and keys per repository URL. */
export interface ReleaseSshCredentials {
  gitSsh?: WriteBackSshOptions;
  gitSshByUrl?: Record<string, WriteBackSshOptions>;
}

/**
 * SSH credentials for the SSH repositories a stages file names. `--git-ssh-key-file` (or `GIT_SSH_KEY_FILE`,
 * `GIT_SSH_KEY`) is the key of every SSH repository; `--git-ssh-key-file-for REPO=PATH` gives one repository
 * (its `repository.url`, exactly as written) a key of its own — a GitHub deploy key opens one repository only.
 * `--git-known-hosts-file`, `--git-ssh-insecure-ignore-host-key` and `GIT_SSH_KEY_PASSPHRASE` apply to every key.
 * HTTP credentials (`--git-token-file` …) are for the http(s) repositories only; the stages file holds no secret.
 * Problems are added to `problems` (usage errors), none of them quoting a secret.
 */
export function releaseSshFromArguments(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  repositoryUrls: readonly string[],
  problems: UsageProblems,
  /** The repositories this run reaches (`--stage`: that stage and the earlier ones); default every one. */
  reachedUrls: readonly string[] = repositoryUrls,
): ReleaseSshCredentials {
  const sshUrls = [...new Set(repositoryUrls.filter((url) => isSshRemote(url)))];
  const knownUrls = new Set(repositoryUrls);
  const perRepository: Record<string, WriteBackSshOptions> = {};
  const perRepositoryFiles = new Map<string, string>();
  for (const text of listValue(values, 'git-ssh-key-file-for')) {
    const { url, path } = splitRepositoryAssignment(text, knownUrls);
    if (url === undefined || path === '') {
      problems.add(
        '--git-ssh-key-file-for expects REPO=PATH (a repository.url of the stages file, then a key file)',
      );
    } else if (!knownUrls.has(url) || !isSshRemote(url)) {
      // The URL came from the command line and is not a stages repository: it may be a mistyped secret, so it
      // is not quoted back.
      problems.add(
        '--git-ssh-key-file-for names no SSH repository of the stages file (use a repository.url exactly as written there)',
      );
    } else if (perRepositoryFiles.has(url)) {
      problems.add(`--git-ssh-key-file-for gives ${url} more than one key`);
    } else {
      perRepositoryFiles.set(url, path);
    }
  }
  const sshFlagsUsed =
    stringValue(values, 'git-ssh-key-file') !== undefined ||
    listValue(values, 'git-known-hosts-file').length > 0 ||
    values['git-ssh-insecure-ignore-host-key'] === true ||
    perRepositoryFiles.size > 0;
  if (sshUrls.length === 0) {
    if (sshFlagsUsed) {
      problems.add(
        'the --git-ssh-* and --git-known-hosts-file flags need a stage whose repository is an SSH remote (git@host:path)',
      );
    }
    return {};
  }
  const shared = gitSshSharedOptions(values, env);
  for (const [url, path] of perRepositoryFiles) {
    const privateKey = problems.attempt(() => readSecretFile(path, '--git-ssh-key-file-for'), undefined);
    if (privateKey !== undefined) perRepository[url] = { privateKey: `${privateKey}\n`, ...shared };
  }
  // The default key, needed only when an SSH repository this run reaches has no key of its own.
  const withoutKey = sshUrls.find((url) => !perRepositoryFiles.has(url) && reachedUrls.includes(url));
  const gitSsh =
    withoutKey === undefined
      ? undefined
      : problems.attempt(() => gitSshFromArguments(values, env, withoutKey), undefined);
  return {
    ...(gitSsh === undefined ? {} : { gitSsh }),
    ...(Object.keys(perRepository).length === 0 ? {} : { gitSshByUrl: perRepository }),
  };
}
