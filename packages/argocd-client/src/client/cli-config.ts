import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@gitops-kit/core';
import { parse as parseYaml, YAMLParseError } from 'yaml';

/** What the argocd CLI config resolves to for one context. */
export interface CliContextSettings {
  contextName: string;
  /** `host:port` as stored by `argocd login`. */
  server: string;
  authToken: string | undefined;
  insecure: boolean;
  plainText: boolean;
  grpcWebRootPath: string | undefined;
  /** PEM CA from `certificate-authority-data` (base64 in the file), when present. */
  certificateAuthority: string | undefined;
}

/**
 * The CLI's config location (`util/localconfig` `DefaultConfigDir`): `$ARGOCD_CONFIG_DIR`, else `~/.argocd` if it
 * exists, else `$XDG_CONFIG_HOME/argocd`, else `~/.config/argocd`; the file is `config`.
 */
export function defaultCliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ARGOCD_CONFIG_DIR) return join(env.ARGOCD_CONFIG_DIR, 'config');
  const home = env.HOME ?? homedir();
  const legacy = join(home, '.argocd');
  if (existsSync(legacy)) return join(legacy, 'config');
  const xdg = env.XDG_CONFIG_HOME ?? join(home, '.config');
  return join(xdg, 'argocd', 'config');
}

type Named = { name?: unknown; server?: unknown; user?: unknown };

function findByName<T extends Named>(items: unknown, key: 'name' | 'server', value: string): T | undefined {
  if (!Array.isArray(items)) return undefined;
  return items.find((item) => typeof item === 'object' && item !== null && (item as Named)[key] === value) as
    | T
    | undefined;
}

/**
 * Reads the argocd CLI config file and resolves a context (default: `current-context`).
 *
 * @throws {ValidationError} when the file is missing or unreadable, or the context/server is not in it.
 * @example
 * ```ts
 * const settings = readCliConfig(); // { server: 'argocd.example.com', authToken: '…', insecure: false, … }
 * ```
 */
export function readCliConfig(
  path: string = defaultCliConfigPath(),
  contextName?: string,
): CliContextSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`Cannot read the argocd CLI config at ${path}; run "argocd login" first.`, {
      field: 'configPath',
      cause: error,
    });
  }
  let config: Record<string, unknown>;
  try {
    const parsed: unknown = parseYaml(text, { maxAliasCount: 0, uniqueKeys: true });
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new TypeError('not a map');
    config = parsed as Record<string, unknown>;
  } catch (error) {
    // The parser's message quotes the offending line, which may hold a token: keep only its position.
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    throw new ValidationError(
      `The argocd CLI config at ${path} is not valid YAML${line === undefined ? '' : ` (line ${line})`}.`,
      { field: 'configPath' },
    );
  }
  const name =
    contextName ?? (typeof config['current-context'] === 'string' ? config['current-context'] : undefined);
  if (!name)
    throw new ValidationError(`The argocd CLI config at ${path} has no current-context.`, {
      field: 'context',
    });
  const context = findByName<Named>(config.contexts, 'name', name);
  if (!context || typeof context.server !== 'string') {
    throw new ValidationError(`Context "${name}" is not in the argocd CLI config at ${path}.`, {
      field: 'context',
    });
  }
  const server = findByName<Record<string, unknown> & Named>(config.servers, 'server', context.server) ?? {};
  const user =
    typeof context.user === 'string'
      ? findByName<Record<string, unknown> & Named>(config.users, 'name', context.user)
      : undefined;
  const caData = server['certificate-authority-data'];
  return {
    contextName: name,
    server: context.server,
    authToken:
      typeof user?.['auth-token'] === 'string' && user['auth-token'] !== '' ? user['auth-token'] : undefined,
    insecure: server.insecure === true,
    plainText: server['plain-text'] === true,
    grpcWebRootPath:
      typeof server['grpc-web-root-path'] === 'string' && server['grpc-web-root-path'] !== ''
        ? server['grpc-web-root-path']
        : undefined,
    certificateAuthority:
      typeof caData === 'string' && caData !== ''
        ? Buffer.from(caData, 'base64').toString('utf8')
        : undefined,
  };
}

/** Flags of `ARGOCD_OPTS` the REST client can honour. */
export interface ArgoCDOptsFlags {
  insecure: boolean;
  plaintext: boolean;
  grpcWebRootPath: string | undefined;
  server: string | undefined;
  authToken: string | undefined;
}

/**
 * Parses the CLI's `ARGOCD_OPTS` for the flags that matter to a REST client (`--insecure`, `--plaintext`,
 * `--grpc-web-root-path`, `--server`, `--auth-token`); the rest (gRPC-specific) is ignored.
 */
export function parseArgoCDOpts(value: string | undefined): ArgoCDOptsFlags {
  const flags: ArgoCDOptsFlags = {
    insecure: false,
    plaintext: false,
    grpcWebRootPath: undefined,
    server: undefined,
    authToken: undefined,
  };
  const words = (value ?? '').split(/\s+/).filter(Boolean);
  for (let index = 0; index < words.length; index++) {
    const word = words[index] as string;
    const [flag, inline] = word.includes('=')
      ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]
      : [word, undefined];
    const next = (): string | undefined => inline ?? words[++index];
    if (flag === '--insecure') flags.insecure = inline === undefined || inline === 'true';
    else if (flag === '--plaintext') flags.plaintext = inline === undefined || inline === 'true';
    else if (flag === '--grpc-web-root-path') flags.grpcWebRootPath = next();
    else if (flag === '--server') flags.server = next();
    else if (flag === '--auth-token') flags.authToken = next();
  }
  return flags;
}
