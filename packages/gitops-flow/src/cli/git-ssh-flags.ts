import { ValidationError } from '@gitops-kit/core';
import { isSshRemote, type WriteBackSshOptions } from '@gitops-kit/manifest-updater';
import { type ParsedArguments, stringFlag } from './argument-parser.js';
import { readSecretEnvironment, readSecretFile } from './secret-sources.js';

/** The flags of an SSH deploy repository (values from files or the environment, never from argv). */
export const GIT_SSH_FLAGS = {
  'git-ssh-key-file': { type: 'string' },
  'git-known-hosts-file': { type: 'string', multiple: true },
  'git-ssh-insecure-ignore-host-key': { type: 'boolean' },
} as const;

/** Usage lines for {@link GIT_SSH_FLAGS}, in the style of the other credential flags. */
export const GIT_SSH_USAGE = `  --git-ssh-key-file PATH    SSH private key for git@host:path / ssh:// repos (or GIT_SSH_KEY_FILE, or the key
                             itself in GIT_SSH_KEY); passphrase from GIT_SSH_KEY_PASSPHRASE
  --git-known-hosts-file PATH   trusted host keys (repeatable; default ~/.ssh/known_hosts, /etc/ssh/ssh_known_hosts)
  --git-ssh-insecure-ignore-host-key   accept any SSH host key (INSECURE: for throwaway test set-ups only)
`;

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
  values: ParsedArguments['values'],
  env: NodeJS.ProcessEnv,
  url: string,
): WriteBackSshOptions | undefined {
  const keyFile = stringFlag(values, 'git-ssh-key-file');
  const knownHostsFiles = values['git-known-hosts-file'] as string[] | undefined;
  const insecure = values['git-ssh-insecure-ignore-host-key'] === true;
  if (!isSshRemote(url)) {
    if (keyFile !== undefined || knownHostsFiles !== undefined || insecure) {
      throw new ValidationError(
        'the --git-ssh-* and --git-known-hosts-file flags need an SSH --repo (git@host:path)',
        {
          field: 'repo',
        },
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
  const passphrase = readSecretEnvironment(env, 'GIT_SSH_KEY_PASSPHRASE');
  return {
    privateKey: `${privateKey}\n`,
    ...(passphrase === undefined ? {} : { passphrase }),
    ...(knownHostsFiles === undefined ? {} : { knownHostsFiles }),
    ...(insecure ? { insecureIgnoreHostKey: true } : {}),
  };
}
