import { userInfo } from 'node:os';
import { ValidationError } from '@gitops-kit/core';

/** Where an SSH remote lives and what git runs there. */
export interface SshRemote {
  host: string;
  port: number;
  /** The login name; from the URL, else the local user name (what OpenSSH does). */
  username: string;
  /** The repository path exactly as git passes it to the server (`team/deploy.git`, `/srv/deploy.git`, `~/x.git`). */
  path: string;
  /**
   * `ssh://host:port/path`, for messages and lock keys. Without the user name: it is no secret, but log
   * redaction treats any user in a URL as a credential.
   */
  display: string;
}

const SSH_SCHEMES = /^(?:ssh|git\+ssh|ssh\+git):\/\//i;
// git's scp-like syntax (urlmatch/connect.c): a colon before the first slash, and no `://`.
const SCP_LIKE = /^(?:([^@/[\]:]+)@)?(\[[^\]/]+\]|[^:/[\]]+):(.*)$/;

/**
 * Whether `url` names an SSH remote: `ssh://…` (also `git+ssh://`, `ssh+git://`) or git's scp-like
 * `user@host:path` (a colon before any slash, like git itself decides).
 *
 * @example
 * ```ts
 * isSshRemote('git@gitlab.example.com:team/deploy.git'); // true
 * isSshRemote('https://gitlab.example.com/team/deploy.git'); // false
 * ```
 */
export function isSshRemote(url: string): boolean {
  if (typeof url !== 'string') return false;
  if (SSH_SCHEMES.test(url)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return false;
  return SCP_LIKE.test(url) && !/^[A-Za-z]:[\\/]/.test(url);
}

function invalid(why: string): never {
  // The URL holds no secret over SSH, but a mistyped one may hold a password; never echo it.
  throw new ValidationError(`url is not a valid SSH remote: ${why}`, { field: 'url' });
}

function checkHost(host: string): string {
  if (host === '' || /[\s\0]/.test(host) || host.startsWith('-')) invalid('the host is empty or malformed');
  // A DNS name, an IPv4 address or an IPv6 address (with an optional zone). Anything else is a mistyped URL, such
  // as `ht!tp://user:password@…`, which git's scp-like rule would otherwise read as host `ht!tp`, and whose
  // "path" (the password) would then travel into every message that names the remote.
  if (!/^[A-Za-z0-9_.-]+$/.test(host) && !/^[0-9A-Fa-f:.]+(%[\w.-]+)?$/.test(host)) {
    invalid('the host is not a host name or an IP address');
  }
  return host;
}

function checkPath(path: string): string {
  if (path === '' || path === '/') invalid('the repository path is empty');
  // git-shell and forges take the path as one shell-quoted word: control characters have no place in it.
  if (/[\0-\x1f\x7f]/.test(path)) invalid('the repository path contains a control character');
  if (path.startsWith('-')) invalid('the repository path starts with "-"');
  return path;
}

function checkUser(user: string | undefined): string {
  const name = user === undefined || user === '' ? userInfo().username : user;
  if (/[\s\0@:]/.test(name) || name.startsWith('-')) invalid('the user name is malformed');
  return name;
}

function checkPort(text: string | undefined): number {
  if (text === undefined || text === '') return 22;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) invalid('the port is not a number from 1 to 65535');
  return port;
}

function displayOf(remote: Omit<SshRemote, 'display'>): string {
  const host = remote.host.includes(':') ? `[${remote.host}]` : remote.host;
  const path = remote.path.startsWith('/') ? remote.path : `/${remote.path}`;
  return `ssh://${host}${remote.port === 22 ? '' : `:${remote.port}`}${path}`;
}

/**
 * Parses an SSH remote the way git does: `ssh://[user@]host[:port]/path` (a path starting with `/~` is
 * home-relative, as in git), and scp-like `[user@]host:path` (relative to the login's home directory) or
 * `[user@host:port]:path`.
 *
 * @throws ValidationError for a password in the URL, a bad port, an empty host or path, a host that is not a host
 *   name or IP address, or control characters.
 * @example
 * ```ts
 * parseSshRemote('ssh://git@git.example.com:2222/team/deploy.git');
 * // { host: 'git.example.com', port: 2222, username: 'git', path: '/team/deploy.git', … }
 * ```
 */
export function parseSshRemote(url: string): SshRemote {
  if (!isSshRemote(url)) invalid('expected ssh://user@host[:port]/path or user@host:path');
  let remote: Omit<SshRemote, 'display'>;
  if (SSH_SCHEMES.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url.replace(SSH_SCHEMES, 'ssh://'));
    } catch {
      return invalid('it does not parse as a URL');
    }
    if (parsed.password !== '') {
      throw new ValidationError('url must not contain a password; SSH remotes use a key (ssh.privateKey)', {
        field: 'url',
      });
    }
    if (parsed.search !== '' || parsed.hash !== '') invalid('it has a query or fragment');
    let path = decodeURIComponent(parsed.pathname);
    // git: `ssh://host/~user/repo` is relative to that user's home, not an absolute `/~user` path.
    if (path.startsWith('/~')) path = path.slice(1);
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    remote = {
      host: checkHost(host),
      port: checkPort(parsed.port),
      username: checkUser(decodeURIComponent(parsed.username) || undefined),
      path: checkPath(path),
    };
  } else {
    const match = SCP_LIKE.exec(url) as RegExpExecArray;
    let user = match[1];
    let host = match[2] as string;
    let port: string | undefined;
    if (host.startsWith('[')) {
      // `[user@host:port]:path` (git's connect.c) or `[::1]:path`.
      const inner = host.slice(1, -1);
      const at = inner.lastIndexOf('@');
      if (at >= 0) {
        if (user !== undefined) invalid('two user names');
        user = inner.slice(0, at);
      }
      const hostPort = at >= 0 ? inner.slice(at + 1) : inner;
      const portMatch = /^([^:]+):(\d+)$/.exec(hostPort);
      if (portMatch) {
        host = portMatch[1] as string;
        port = portMatch[2];
      } else host = hostPort;
    }
    let path = match[3] as string;
    // git: a leading `~` is home-relative, any other relative path is too (the login's home is the cwd).
    if (path.startsWith('/~')) path = path.slice(1);
    remote = {
      host: checkHost(host),
      port: checkPort(port),
      username: checkUser(user),
      path: checkPath(path),
    };
  }
  return { ...remote, display: displayOf(remote) };
}

/**
 * Quotes an argument for the remote shell the way git does (`sq_quote_buf`): inside single quotes, with `'`
 * and `!` taken out of the quotes, so `git-shell` and forge shells see exactly one word.
 */
export function shellQuote(argument: string): string {
  return `'${argument.replace(/['!]/g, (character) => `'\\${character}'`)}'`;
}
