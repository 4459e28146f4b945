import type { WriteBackAuth } from '@gitops-kit/manifest-updater';
import { type FlagValues, stringValue } from './framework/parse-flags.js';
import type { UsageProblems } from './framework/usage-error.js';
import { readSecretEnvironment, readSecretFile } from './secret-sources.js';

/** Git credentials from files or the environment, never from argv. */
export function gitAuthFromArguments(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  problems: UsageProblems,
): WriteBackAuth | undefined {
  const username = stringValue(values, 'git-username') ?? env.GIT_USERNAME;
  const tokenFile = stringValue(values, 'git-token-file');
  const passwordFile = stringValue(values, 'git-password-file');
  const token = tokenFile
    ? problems.attempt(() => readSecretFile(tokenFile, '--git-token-file'), undefined)
    : readSecretEnvironment(env, 'GIT_TOKEN');
  if (token) return username ? { token, username } : { token };
  if (tokenFile) return undefined;
  const password = passwordFile
    ? problems.attempt(() => readSecretFile(passwordFile, '--git-password-file'), undefined)
    : readSecretEnvironment(env, 'GIT_PASSWORD');
  if (password) {
    if (!username) {
      problems.add('a git password needs a username: --git-username or GIT_USERNAME');
      return undefined;
    }
    return { username, password };
  }
  return undefined;
}
