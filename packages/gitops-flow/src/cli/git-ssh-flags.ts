import { ValidationError } from '@gitops-kit/core';
import { isSshRemote, type WriteBackSshOptions } from '@gitops-kit/manifest-updater';
import { type FlagValues, listValue, stringValue } from './framework/parse-flags.js';
import { readSecretEnvironment, readSecretFile } from './secret-sources.js';

/**
 * SSH options for `writeBack` when `url` is an SSH remote: the key from `--git-ssh-key-file`, `GIT_SSH_KEY_FILE`
 * or `GIT_SSH_KEY` (content), the passphrase from `GIT_SSH_KEY_PASSPHRASE`, host keys from
 * `--git-known-hosts-file` (else OpenSSH's default files). Undefined for HTTP remotes.
 *
 * @throws {ValidationError} when the remote is SSH and no key is given, or the SSH flags are used with an HTTP
 *   remote, or a file cannot be read.
 * @example
 * ```ts
 * const ssh = gitSshFromArguments(values, process.env, 'git@gitlab.example.com:team/deploy.git');
 * ```
 */
export function gitSshFromArguments(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  url: string,
): WriteBackSshOptions | undefined {
  const keyFile = stringValue(values, 'git-ssh-key-file');
  const knownHostsList = listValue(values, 'git-known-hosts-file');
  const knownHostsFiles = knownHostsList.length === 0 ? undefined : knownHostsList;
  const insecure = values['git-ssh-insecure-ignore-host-key'] === true;
  if (!isSshRemote(url)) {
    if (keyFile !== undefined || knownHostsFiles !== undefined || insecure) {
      throw new ValidationError(
        'the --git-ssh-* and --git-known-hosts-file flags need an SSH --repo (git@host:path)',
        { field: 'repo' },
      );
    }
    return undefined;
  }
  const envKeyFile = env.GIT_SSH_KEY_FILE === '' ? undefined : env.GIT_SSH_KEY_FILE;
  const privateKey = keyFile
    ? readSecretFile(keyFile, '--git-ssh-key-file')
    : envKeyFile
      ? readSecretFile(envKeyFile, 'GIT_SSH_KEY_FILE')
      : readSecretEnvironment(env, 'GIT_SSH_KEY');
  if (privateKey === undefined) {
    throw new ValidationError(
      `${url} is an SSH remote: give the key with --git-ssh-key-file, GIT_SSH_KEY_FILE or GIT_SSH_KEY`,
      { field: 'git-ssh-key-file' },
    );
  }
  return { privateKey: `${privateKey}\n`, ...gitSshSharedOptions(values, env) };
}

/**
 * The SSH options every key shares: the passphrase from `GIT_SSH_KEY_PASSPHRASE`, host keys from
 * `--git-known-hosts-file` (else OpenSSH's default files), `--git-ssh-insecure-ignore-host-key`.
 *
 * @example
 * ```ts
 * const ssh = { privateKey, ...gitSshSharedOptions(values, process.env) };
 * ```
 */
export function gitSshSharedOptions(
  values: FlagValues,
  env: NodeJS.ProcessEnv,
): Omit<WriteBackSshOptions, 'privateKey'> {
  const knownHostsFiles = listValue(values, 'git-known-hosts-file');
  const passphrase = readSecretEnvironment(env, 'GIT_SSH_KEY_PASSPHRASE');
  return {
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(knownHostsFiles.length === 0 ? {} : { knownHostsFiles }),
    ...(values['git-ssh-insecure-ignore-host-key'] === true ? { insecureIgnoreHostKey: true } : {}),
  };
}
