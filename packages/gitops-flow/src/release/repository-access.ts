import { isSshRemote, type WriteBackAuth, type WriteBackSshOptions } from '@gitops-kit/manifest-updater';

/** The credential options a release (and its status) takes for its deploy repositories. */
export interface ReleaseGitCredentialOptions {
  gitAuth?: WriteBackAuth | undefined;
  gitAuthByUrl?: Readonly<Record<string, WriteBackAuth>> | undefined;
  gitSsh?: WriteBackSshOptions | undefined;
  gitSshByUrl?: Readonly<Record<string, WriteBackSshOptions>> | undefined;
}

/** How to reach one deploy repository: HTTP credentials, or an SSH key. Never both. */
export interface RepositoryAccess {
  auth?: WriteBackAuth;
  ssh?: WriteBackSshOptions;
}

/**
 * The credentials for one repository URL, by its transport: an SSH remote takes `gitSshByUrl[url]`, else `gitSsh`;
 * an http(s) URL `gitAuthByUrl[url]`, else `gitAuth`. HTTP credentials never go to an SSH remote (write-back refuses
 * them there) and a key never to an HTTP one, so one release can mix both kinds of repositories. The URL is matched
 * exactly as the stages file writes it. Own keys only: a URL named `constructor` is not a credential.
 */
export function repositoryAccess(options: ReleaseGitCredentialOptions, url: string): RepositoryAccess {
  if (isSshRemote(url)) {
    const ssh = ownEntry(options.gitSshByUrl, url) ?? options.gitSsh;
    return ssh === undefined ? {} : { ssh };
  }
  const auth = ownEntry(options.gitAuthByUrl, url) ?? options.gitAuth;
  return auth === undefined ? {} : { auth };
}

/**
 * `table[key]` among the table's own keys only: a stage naming a forge or a URL `constructor` must not find what
 * every object inherits.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
