import { createRedactingLogger, defaultLogger, registerSecret, ValidationError } from '@gitops-kit/core';
import { z } from 'zod';
import type { ClusterSettings } from '../generated/argocd-api.generated.js';
import { ApplicationsResource } from '../resources/applications-resource.js';
import { ProjectsResource } from '../resources/projects-resource.js';
import { RepositoriesResource } from '../resources/repositories-resource.js';
import type { ResourceContext } from '../resources/resource-context.js';
import { callOptions } from '../resources/resource-context.js';
import { SessionResource } from '../resources/session-resource.js';
import { ArgoCDTransport } from './argocd-transport.js';
import { defaultCliConfigPath, parseArgoCDOpts, readCliConfig } from './cli-config.js';
import { type ArgoCDClientOptions, type CallOptions, normalizeServerUrl } from './client-options.js';
import { type ArgoCDAuth, SessionManager } from './session-manager.js';

/** `GET /api/version` (PascalCase keys; only `Version` without a valid token). */
export const versionSchema = z.looseObject({
  Version: z.string(),
  BuildDate: z.string().optional(),
  GitCommit: z.string().optional(),
  Platform: z.string().optional(),
  KustomizeVersion: z.string().optional(),
  HelmVersion: z.string().optional(),
  KubectlVersion: z.string().optional(),
});
/** Server version information. */
export type ArgoCDVersion = z.infer<typeof versionSchema>;

const settingsSchema = z.looseObject({
  url: z.string().optional(),
  appLabelKey: z.string().optional(),
  userLoginsDisabled: z.boolean().optional(),
  resourceOverrides: z.record(z.string(), z.looseObject({})).nullish(),
});
/** `GET /api/v1/settings` (wire form: resource overrides use the raw `health.lua` keys). */
export type ArgoCDSettings = z.infer<typeof settingsSchema> & ClusterSettings;

/**
 * A typed Argo CD REST client.
 *
 * - Wire rules handled for you: JSON content type on every non-GET, encoded path parameters, repeated query
 *   parameters, `project` on application calls, in-band stream errors.
 * - Auth: a static token, username/password (login, renewal pick-up, one re-login on 401, never a loop), or a
 *   token provider. Secrets are registered for redaction and never appear in errors or logs.
 * - `applications.wait` matches `argocd app wait` and fixes its known hangs.
 *
 * @throws {ValidationError} from the constructor when `server` is not a usable URL (field `server`; the message never
 *   repeats it), or when `tls.ca` and `tls.insecureSkipVerify` are both set (field `tls`).
 * @example
 * ```ts
 * const client = new ArgoCDClient({ server: 'https://argocd.example.com', auth: { username: 'admin', password } });
 * const app = await client.applications.sync('guestbook', { prune: true });
 * await client.applications.wait('guestbook', { timeoutMs: 300_000 });
 * await client.close();
 * ```
 */
export class ArgoCDClient {
  readonly session: SessionResource;
  readonly repositories: RepositoriesResource;
  readonly projects: ProjectsResource;
  readonly applications: ApplicationsResource;
  /** The normalized server base URL (with the root path). */
  readonly serverUrl: string;
  readonly #context: ResourceContext;
  readonly #options: ArgoCDClientOptions;

  constructor(options: ArgoCDClientOptions) {
    if (!options || typeof options.server !== 'string' || options.server.trim() === '') {
      throw new ValidationError('ArgoCDClient needs a server URL (options.server).', { field: 'server' });
    }
    this.#options = options;
    const logger = createRedactingLogger(options.logger ?? defaultLogger);
    const session = new SessionManager(options.auth, logger);
    let transport: ArgoCDTransport;
    try {
      transport = new ArgoCDTransport(options, session, logger);
    } catch (error) {
      if (ValidationError.isInstance(error)) throw error;
      // Never repeat the server text: a malformed URL may hold a password no redaction pattern recognises.
      throw new ValidationError('Invalid Argo CD server URL (options.server)', {
        field: 'server',
        cause: error,
      });
    }
    session.setLoginFunction((credentials, signal) => transport.login(credentials, signal));
    this.serverUrl = transport.baseUrl;
    this.#context = { transport, session, logger };
    this.session = new SessionResource(this.#context);
    this.repositories = new RepositoriesResource(this.#context);
    this.projects = new ProjectsResource(this.#context);
    this.applications = new ApplicationsResource(this.#context);
  }

  /**
   * A client configured from the environment the argocd CLI reads: `ARGOCD_SERVER` (host[:port] or URL),
   * `ARGOCD_AUTH_TOKEN`, or `ARGOCD_USERNAME`/`ARGOCD_PASSWORD`, and from `ARGOCD_OPTS` the flags `--insecure`,
   * `--plaintext`, `--grpc-web-root-path`, `--server`, `--auth-token`.
   *
   * @throws {ValidationError} when no server is configured.
   * @example
   * ```ts
   * const client = ArgoCDClient.fromEnv(); // ARGOCD_SERVER=argocd.example.com ARGOCD_AUTH_TOKEN=…
   * ```
   */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    overrides: Partial<ArgoCDClientOptions> = {},
  ): ArgoCDClient {
    const flags = parseArgoCDOpts(env.ARGOCD_OPTS);
    const server = env.ARGOCD_SERVER || flags.server;
    if (!server) {
      throw new ValidationError('ARGOCD_SERVER is not set (nor --server in ARGOCD_OPTS).', {
        field: 'ARGOCD_SERVER',
      });
    }
    const token = env.ARGOCD_AUTH_TOKEN || flags.authToken;
    let auth: ArgoCDAuth | undefined;
    if (token) auth = { token };
    else if (env.ARGOCD_USERNAME && env.ARGOCD_PASSWORD)
      auth = { username: env.ARGOCD_USERNAME, password: env.ARGOCD_PASSWORD };
    return new ArgoCDClient({
      server: normalizeServerUrl(server, {
        plaintext: flags.plaintext,
        ...(flags.grpcWebRootPath ? { rootPath: flags.grpcWebRootPath } : {}),
      }),
      ...(auth ? { auth } : {}),
      ...(flags.insecure ? { tls: { insecureSkipVerify: true } } : {}),
      ...overrides,
    });
  }

  /**
   * A client configured from the argocd CLI config file (`argocd login` writes it) and its current context (or
   * `context`): server, auth token, `insecure`, `plain-text`, `grpc-web-root-path`, certificate authority.
   *
   * @throws {ValidationError} when the file or context is missing.
   * @example
   * ```ts
   * const client = ArgoCDClient.fromCliConfig(); // ~/.config/argocd/config, current context
   * ```
   */
  static fromCliConfig(
    options: { path?: string; context?: string } & Partial<ArgoCDClientOptions> = {},
  ): ArgoCDClient {
    const { path, context, ...overrides } = options;
    const settings = readCliConfig(path ?? defaultCliConfigPath(), context);
    if (settings.authToken) registerSecret(settings.authToken);
    const tls =
      settings.insecure || settings.certificateAuthority
        ? {
            ...(settings.insecure ? { insecureSkipVerify: true } : {}),
            ...(settings.certificateAuthority ? { ca: settings.certificateAuthority } : {}),
          }
        : undefined;
    return new ArgoCDClient({
      server: normalizeServerUrl(settings.server, {
        plaintext: settings.plainText,
        ...(settings.grpcWebRootPath ? { rootPath: settings.grpcWebRootPath } : {}),
      }),
      ...(settings.authToken ? { auth: { token: settings.authToken } } : {}),
      ...(tls ? { tls } : {}),
      ...overrides,
    });
  }

  /**
   * A new client for the same server with other credentials, e.g. a project-role token from
   * `projects.createRoleToken`. Close it separately.
   */
  withAuth(auth: ArgoCDAuth): ArgoCDClient {
    return new ArgoCDClient({ ...this.#options, auth });
  }

  /**
   * `GET /api/version`. Without a valid token the server answers only `{ Version }`.
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async version(options?: CallOptions): Promise<ArgoCDVersion> {
    return this.#context.transport.call({
      path: '/api/version',
      schema: versionSchema,
      ...callOptions(options),
    });
  }

  /**
   * `GET /api/v1/settings` (works unauthenticated; more fields when logged in).
   *
   * @throws {ArgoCDApiError} for server errors.
   */
  async settings(options?: CallOptions): Promise<ArgoCDSettings> {
    return this.#context.transport.call({
      path: '/api/v1/settings',
      schema: settingsSchema,
      ...callOptions(options),
    }) as Promise<ArgoCDSettings>;
  }

  /** Closes the connection pools. The client must not be used afterwards. */
  async close(): Promise<void> {
    await this.#context.transport.close();
  }
}
