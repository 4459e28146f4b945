import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { registerSecret } from '@gitops-kit/core';
import { parse } from 'yaml';
import { KubeconfigError, UnsupportedAuthProviderError } from '../errors/kubeconfig-errors.js';
import {
  type ExecConfig,
  type KubeconfigCluster,
  type KubeconfigContext,
  type KubeconfigUser,
  kubeconfigFileSchema,
} from './kubeconfig-schema.js';

/** TLS material for one cluster, already read from files or decoded from `-data` fields. */
export interface KubeTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  insecureSkipVerify?: boolean;
}

/** Where the bearer credential comes from. Client certificates travel in {@link KubeTlsOptions}. */
export type CredentialSource =
  | { type: 'none' }
  | { type: 'token'; token?: string; tokenFile?: string }
  | { type: 'basic'; username: string; password: string }
  | { type: 'exec'; exec: ExecConfig; userName: string; cluster: KubeconfigCluster & { server: string } };

/** A kubeconfig context resolved to everything a connection needs. */
export interface ResolvedKubeconfig {
  contextName: string;
  clusterName: string;
  userName: string | undefined;
  server: string;
  /** The context's namespace, or `default`. */
  namespace: string;
  tls: KubeTlsOptions;
  credentials: CredentialSource;
  /** `Impersonate-*` headers from `as`, `as-uid`, `as-groups`, `as-user-extra`. */
  impersonationHeaders: Record<string, string | string[]>;
  /** The cluster's `proxy-url` (http or https): every request goes through it instead of HTTPS_PROXY/HTTP_PROXY. */
  proxyUrl?: string;
  /** The files that were read, first first. */
  files: string[];
}

/** Options of {@link loadKubeconfig}. */
export interface LoadKubeconfigOptions {
  /** One kubeconfig file; overrides `KUBECONFIG`. */
  path?: string;
  /** A context name; default `current-context`. */
  context?: string;
  /** The environment to read `KUBECONFIG` and `HOME` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

interface MergedKubeconfig {
  currentContext: string | undefined;
  clusters: Map<string, KubeconfigCluster>;
  users: Map<string, KubeconfigUser>;
  contexts: Map<string, KubeconfigContext>;
  files: string[];
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KubeconfigError(`cannot read ${what} "${path}"`, { cause: error });
  }
}

function kubeconfigPaths(options: LoadKubeconfigOptions): { paths: string[]; explicit: boolean } {
  if (options.path) return { paths: [resolve(options.path)], explicit: true };
  const env = options.env ?? process.env;
  const list = env.KUBECONFIG;
  if (list) {
    const unique = [...new Set(list.split(delimiter).filter((part) => part.length > 0))].map((p) =>
      resolve(p),
    );
    return { paths: unique, explicit: false };
  }
  return { paths: [join(env.HOME ?? homedir(), '.kube', 'config')], explicit: false };
}

function resolvePath(baseDirectory: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return value;
  return isAbsolute(value) ? value : join(baseDirectory, value);
}

function resolveClusterPaths(cluster: KubeconfigCluster, base: string): KubeconfigCluster {
  const ca = resolvePath(base, cluster['certificate-authority']);
  return ca === undefined ? cluster : { ...cluster, 'certificate-authority': ca };
}

function resolveUserPaths(user: KubeconfigUser, base: string): KubeconfigUser {
  const copy: KubeconfigUser = { ...user };
  for (const key of ['client-certificate', 'client-key', 'tokenFile'] as const) {
    const value = resolvePath(base, copy[key]);
    if (value !== undefined) copy[key] = value;
  }
  // client-go resolves an exec command relative to the file only when it names a path, not a bare program.
  if (copy.exec?.command.includes(sep) && !isAbsolute(copy.exec.command)) {
    copy.exec = { ...copy.exec, command: join(base, copy.exec.command) };
  }
  return copy;
}

/**
 * Reads and merges kubeconfig files with client-go's rules: `KUBECONFIG` is split on the OS path delimiter and
 * de-duplicated, missing files are skipped, the first file to define a cluster, user or context name wins (later
 * definitions are dropped whole), `current-context` comes from the first file that sets it, and relative paths
 * resolve against the directory of the file that holds them.
 */
function mergeKubeconfigFiles(options: LoadKubeconfigOptions): MergedKubeconfig {
  const { paths, explicit } = kubeconfigPaths(options);
  const merged: MergedKubeconfig = {
    currentContext: undefined,
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
    files: [],
  };
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (explicit) throw new KubeconfigError(`cannot read kubeconfig "${path}"`, { cause: error });
      continue;
    }
    let document: unknown;
    try {
      document = parse(text) ?? {};
    } catch (error) {
      throw new KubeconfigError(`kubeconfig "${path}" is not valid YAML`, { cause: error });
    }
    const parsed = kubeconfigFileSchema.safeParse(document);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new KubeconfigError(`kubeconfig "${path}" has invalid fields: ${where}`);
    }
    const base = dirname(path);
    merged.files.push(path);
    merged.currentContext ??= parsed.data['current-context'] || undefined;
    for (const entry of parsed.data.clusters ?? []) {
      const cluster = entry.cluster;
      if (!merged.clusters.has(entry.name))
        merged.clusters.set(entry.name, resolveClusterPaths(cluster ?? {}, base));
    }
    for (const entry of parsed.data.users ?? []) {
      const user = entry.user;
      if (!merged.users.has(entry.name)) merged.users.set(entry.name, resolveUserPaths(user ?? {}, base));
    }
    for (const entry of parsed.data.contexts ?? []) {
      const context = entry.context;
      if (context && !merged.contexts.has(entry.name)) merged.contexts.set(entry.name, context);
    }
  }
  if (merged.files.length === 0)
    throw new KubeconfigError(`no kubeconfig found (looked at ${paths.join(', ')})`);
  return merged;
}

function decodeBase64(value: string, what: string): string {
  const text = Buffer.from(value, 'base64').toString('utf8');
  if (text.length === 0) throw new KubeconfigError(`${what} is not valid base64`);
  return text;
}

/** client-go: `-data` overrides the file. */
function dataOrFile(data: string | undefined, file: string | undefined, what: string): string | undefined {
  if (data) return decodeBase64(data, `${what}-data`);
  if (file) return readText(file, what);
  return undefined;
}

function impersonationHeaders(user: KubeconfigUser): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (user.as) headers['Impersonate-User'] = user.as;
  if (user['as-uid']) headers['Impersonate-Uid'] = user['as-uid'];
  if (user['as-groups'] && user['as-groups'].length > 0)
    headers['Impersonate-Group'] = [...user['as-groups']];
  for (const [key, values] of Object.entries(user['as-user-extra'] ?? {})) {
    headers[`Impersonate-Extra-${encodeURIComponent(key)}`] = [...values];
  }
  return headers;
}

function credentialsFor(
  user: KubeconfigUser,
  userName: string,
  cluster: KubeconfigCluster & { server: string },
): CredentialSource {
  const hasToken = Boolean(user.token || user.tokenFile);
  const hasBasic = Boolean(user.username || user.password);
  if (hasToken && hasBasic) {
    throw new KubeconfigError(
      `kubeconfig user "${userName}" sets both a token and basic auth; only one is allowed`,
    );
  }
  if (user['auth-provider'] && user.exec) {
    throw new KubeconfigError(
      `kubeconfig user "${userName}" sets both auth-provider and exec; only one is allowed`,
    );
  }
  if (user['auth-provider']) throw new UnsupportedAuthProviderError(user['auth-provider'].name, userName);
  if (hasToken) {
    registerSecret(user.token);
    const source: CredentialSource = { type: 'token' };
    if (user.token) source.token = user.token;
    if (user.tokenFile) source.tokenFile = user.tokenFile;
    return source;
  }
  if (hasBasic) {
    registerSecret(user.password);
    return { type: 'basic', username: user.username ?? '', password: user.password ?? '' };
  }
  if (user.exec) return { type: 'exec', exec: user.exec, userName, cluster };
  return { type: 'none' };
}

/**
 * Loads a kubeconfig context the way kubectl does (client-go's loading rules) and resolves its cluster, user,
 * TLS material and credential source.
 *
 * @throws {KubeconfigError} when no file is found, a file is invalid, the context/cluster/user is missing, or a
 *   certificate file cannot be read.
 * @throws {UnsupportedAuthProviderError} when the user relies on an `auth-provider`.
 * @example
 * ```ts
 * const resolved = loadKubeconfig({ context: 'kind-ci' });
 * console.log(resolved.server, resolved.namespace);
 * ```
 */
export function loadKubeconfig(options: LoadKubeconfigOptions = {}): ResolvedKubeconfig {
  const merged = mergeKubeconfigFiles(options);
  const contextName = options.context ?? merged.currentContext;
  if (!contextName) throw new KubeconfigError('kubeconfig has no current-context and no context was given');
  const context = merged.contexts.get(contextName);
  if (!context) throw new KubeconfigError(`context "${contextName}" not found in kubeconfig`);
  const cluster = merged.clusters.get(context.cluster);
  if (!cluster)
    throw new KubeconfigError(`cluster "${context.cluster}" of context "${contextName}" not found`);
  if (!cluster.server) throw new KubeconfigError(`cluster "${context.cluster}" has no server`);
  checkServerUrl(cluster.server, context.cluster);
  const userName = context.user || undefined;
  const user: KubeconfigUser = userName ? (merged.users.get(userName) ?? {}) : {};
  if (userName && !merged.users.has(userName)) {
    throw new KubeconfigError(`user "${userName}" of context "${contextName}" not found`);
  }
  const tls: KubeTlsOptions = {};
  const ca = dataOrFile(
    cluster['certificate-authority-data'],
    cluster['certificate-authority'],
    'certificate-authority',
  );
  if (ca) tls.ca = ca;
  const cert = dataOrFile(user['client-certificate-data'], user['client-certificate'], 'client-certificate');
  const key = dataOrFile(user['client-key-data'], user['client-key'], 'client-key');
  if (Boolean(cert) !== Boolean(key)) {
    throw new KubeconfigError(
      `kubeconfig user "${userName}" needs both a client certificate and a client key`,
    );
  }
  if (cert && key) {
    registerSecret(key);
    tls.cert = cert;
    tls.key = key;
  }
  if (cluster['tls-server-name']) tls.servername = cluster['tls-server-name'];
  if (cluster['insecure-skip-tls-verify'] === true) {
    // client-go refuses this pair when it builds the transport (`transport.TLSConfigFor`); kubectl 1.32 prints
    // "specifying a root certificates file with the insecure flag is not allowed". Verification must not be
    // silently off while a CA is configured.
    if (cluster['certificate-authority'] || cluster['certificate-authority-data']) {
      throw new KubeconfigError(
        `kubeconfig cluster "${context.cluster}" sets insecure-skip-tls-verify together with ${cluster['certificate-authority-data'] ? 'certificate-authority-data' : 'certificate-authority'}; a CA cannot be trusted while verification is off: remove one of the two`,
      );
    }
    tls.insecureSkipVerify = true;
  }
  const clusterWithServer = { ...cluster, server: cluster.server };
  const proxyUrl = cluster['proxy-url'] ? checkProxyUrl(cluster['proxy-url'], context.cluster) : undefined;
  return {
    ...(proxyUrl ? { proxyUrl } : {}),
    contextName,
    clusterName: context.cluster,
    userName,
    server: cluster.server,
    namespace: context.namespace || 'default',
    tls,
    credentials: credentialsFor(user, userName ?? '', clusterWithServer),
    impersonationHeaders: impersonationHeaders(user),
    files: merged.files,
  };
}

/**
 * Checks a cluster's `server`: an http(s) URL without credentials. The message never repeats the value, which may
 * hold a password when it does not parse. Unlike client-go, a bare `host:port` is refused rather than guessed
 * (client-go picks http or https from whether TLS material is present, and would send a token in clear).
 *
 * @throws {KubeconfigError} when the server is unusable.
 */
function checkServerUrl(raw: string, clusterName: string): void {
  const what = `kubeconfig cluster "${clusterName}" has a server that`;
  if (/\s/.test(raw.trim())) throw new KubeconfigError(`${what} contains whitespace`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new KubeconfigError(`${what} is not a URL; expected https://host[:port]`);
  }
  if (url.password) registerSecret(decodeURIComponent(url.password));
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new KubeconfigError(
      /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) && !raw.includes('//')
        ? `${what} has no scheme; write it as https://host[:port]`
        : `${what} uses ${url.protocol.replace(':', '')}; only https (or http) is supported`,
    );
  }
  if (url.username || url.password) {
    throw new KubeconfigError(`${what} contains credentials; put them in the user entry instead`);
  }
  if (url.hostname === '') throw new KubeconfigError(`${what} has no host`);
}

/**
 * Checks a cluster's `proxy-url` as client-go would use it. Only http and https proxies are supported here (undici's
 * `ProxyAgent`); a socks5 proxy is refused with a clear error rather than ignored.
 *
 * @throws {KubeconfigError} for a URL that does not parse or a scheme other than http/https.
 */
function checkProxyUrl(raw: string, clusterName: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new KubeconfigError(`kubeconfig cluster "${clusterName}" has a proxy-url that is not a URL`);
  }
  if (url.password) registerSecret(decodeURIComponent(url.password));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KubeconfigError(
      `kubeconfig cluster "${clusterName}" uses a ${url.protocol.replace(':', '')} proxy-url; only http and https proxies are supported (pass \`proxy\` to the client to override)`,
    );
  }
  return raw;
}
