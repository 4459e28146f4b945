import { isSshRemote, type WriteBackAuth } from '@gitops-kit/manifest-updater';
import type { FlagSpec } from './framework/command-spec.js';
import { type FlagValues, listValue, stringValue } from './framework/parse-flags.js';
import type { UsageProblems } from './framework/usage-error.js';
import { splitRepositoryAssignment } from './repository-assignment.js';
import { readSecretFile } from './secret-sources.js';

/** `--git-password-file-for REPO=PATH`: a password (or deploy token) for one http(s) repository of the stages file. */
export const GIT_PASSWORD_FILE_FOR_FLAG: FlagSpec = {
  name: 'git-password-file-for',
  type: 'string',
  multiple: true,
  value: 'REPO=PATH',
  description:
    'password for one http(s) repository of the stages file, named exactly as its repository.url, with --git-username (repeatable; overrides the default git credentials there)',
  group: 'Git credentials',
};

/** `--git-token-file-for REPO=PATH`: an access token for one http(s) repository of the stages file. */
export const GIT_TOKEN_FILE_FOR_FLAG: FlagSpec = {
  name: 'git-token-file-for',
  type: 'string',
  multiple: true,
  value: 'REPO=PATH',
  description:
    'access token for one http(s) repository of the stages file, named exactly as its repository.url (repeatable; overrides the default git credentials there)',
  group: 'Git credentials',
};

const FLAGS = ['git-password-file-for', 'git-token-file-for'] as const;

/**
 * HTTP credentials per repository URL (`gitAuthByUrl`) from `--git-password-file-for REPO=PATH` and
 * `--git-token-file-for REPO=PATH`: REPO is a `repository.url` of the stages file exactly as written there (as
 * `--git-ssh-key-file-for` for SSH keys), and its credential overrides `--git-token-file` / `--git-password-file`
 * for that repository only — a project access token or a deploy token opens one repository. The username is
 * `--git-username` / `GIT_USERNAME` (needed with a password; a token without one is sent as `x-access-token`).
 * Problems are added to `problems` (usage errors); a REPO that is not a stages repository is not quoted back (it
 * may be a mistyped secret).
 */
export function releaseHttpAuthFromArguments(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  repositoryUrls: readonly string[],
  problems: UsageProblems,
): Record<string, WriteBackAuth> | undefined {
  const httpUrls = new Set(repositoryUrls.filter((url) => !isSshRemote(url)));
  const files = new Map<string, { flag: (typeof FLAGS)[number]; path: string }>();
  for (const flag of FLAGS) {
    for (const text of listValue(values, flag)) {
      const { url, path } = splitRepositoryAssignment(text, httpUrls);
      if (url === undefined || path === '') {
        problems.add(`--${flag} expects REPO=PATH (a repository.url of the stages file, then a secret file)`);
      } else if (!httpUrls.has(url)) {
        problems.add(
          `--${flag} names no http(s) repository of the stages file (use a repository.url exactly as written there)`,
        );
      } else if (files.has(url)) {
        problems.add(`--git-password-file-for and --git-token-file-for give ${url} more than one credential`);
      } else {
        files.set(url, { flag, path });
      }
    }
  }
  if (files.size === 0) return undefined;
  const username = stringValue(values, 'git-username') ?? env.GIT_USERNAME;
  const byUrl = Object.create(null) as Record<string, WriteBackAuth>;
  for (const [url, { flag, path }] of files) {
    const secret = problems.attempt(() => readSecretFile(path, `--${flag}`), undefined);
    if (secret === undefined) continue;
    if (flag === 'git-token-file-for') {
      byUrl[url] = username ? { token: secret, username } : { token: secret };
    } else if (!username) {
      problems.add('--git-password-file-for needs a username: --git-username or GIT_USERNAME');
    } else {
      byUrl[url] = { username, password: secret };
    }
  }
  return byUrl;
}
