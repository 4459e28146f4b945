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
  const own = <T>(table: Readonly<Record<string, T>> | undefined): T | undefined =>
    table !== undefined && Object.hasOwn(table, url) ? table[url] : undefined;
  if (isSshRemote(url)) {
    const ssh = own(options.gitSshByUrl) ?? options.gitSsh;
    return ssh === undefined ? {} : { ssh };
  }
  const auth = own(options.gitAuthByUrl) ?? options.gitAuth;
  return auth === undefined ? {} : { auth };
}
