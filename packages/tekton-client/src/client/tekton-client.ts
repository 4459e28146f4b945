import {
  createRedactingLogger,
  defaultLogger,
  type HttpClientOptions,
  type Logger,
  parseBaseUrl,
  registerSecret,
} from '@gitops-kit/core';
import { KubeTransport } from '../kube/kube-transport.js';
import { RESOURCES } from '../kube/resource.js';
import type { WatchBackoffOptions, WatchDiagnostic } from '../kube/watch.js';
import { type InClusterOptions, loadInClusterConfig } from '../kubeconfig/in-cluster.js';
import {
  type LoadKubeconfigOptions,
  loadKubeconfig,
  type ResolvedKubeconfig,
} from '../kubeconfig/load-kubeconfig.js';
import {
  type BearerTokenProvider,
  type CredentialOptions,
  credentialsFromSource,
} from '../kubeconfig/token-providers.js';
import { DefinitionApplier } from '../runs/apply.js';
import type { ClientContext } from '../runs/client-context.js';
import { PipelineRuns } from '../runs/pipeline-runs.js';
import { TaskRuns } from '../runs/task-runs.js';
import { pipelineSchema } from '../schemas/pipeline.js';
import { taskSchema } from '../schemas/task.js';
import {
  type GitLabPushEventOptions,
  type GitLabPushEventResult,
  sendGitLabPushEvent,
} from '../triggers/gitlab-push-event.js';

/** Options of {@link TektonClient}. */
export interface TektonClientOptions {
  /** API server URL, e.g. `https://10.0.0.1:6443`. */
  server: string;
  /** Default namespace of every call; default `default`. */
  namespace?: string;
  /** A static bearer token. Registered for redaction. */
  token?: string;
  /** A token source (refreshed once after a 401); wins over `token`. */
  tokenProvider?: BearerTokenProvider;
  /** PEM CA bundle to trust. */
  ca?: string;
  /** PEM client certificate and key for mutual TLS. */
  cert?: string;
  key?: string;
  /** TLS server name to verify, when it differs from the URL host. */
  servername?: string;
  /** Skip TLS verification (logs one warning). Default false. */
  insecureSkipVerify?: boolean;
  /** Extra headers on every request (impersonation, basic auth). */
  headers?: Record<string, string | string[]>;
  logger?: Logger;
  /** Per-call limit for ordinary requests, in ms; default core's 120 000. */
  timeoutMs?: number;
  retry?: HttpClientOptions['retry'];
  timeouts?: HttpClientOptions['timeouts'];
  proxy?: HttpClientOptions['proxy'];
  dispatcher?: HttpClientOptions['dispatcher'];
  userAgent?: string;
  /** Watch diagnostics (list, resync after 410, reconnect with its delay, bookmarks). */
  onWatchEvent?: (diagnostic: WatchDiagnostic) => void;
  /** Watch reconnect backoff; default 800 ms doubling to 30 s with full jitter. */
  watchBackoff?: WatchBackoffOptions;
  /** Poll interval while a log waits for its container to start; default 500 ms. */
  logPollIntervalMs?: number;
}

/** Options of {@link TektonClient.fromKubeconfig}. */
export type FromKubeconfigOptions = LoadKubeconfigOptions &
  CredentialOptions & {
    /** Override the context's namespace. */
    namespace?: string;
  } & Omit<
    TektonClientOptions,
    | 'server'
    | 'namespace'
    | 'token'
    | 'tokenProvider'
    | 'ca'
    | 'cert'
    | 'key'
    | 'servername'
    | 'insecureSkipVerify'
  >;

/**
 * A Tekton Pipelines v1 client on a small Kubernetes transport (undici via core's `HttpClient`).
 *
 * @throws {ValidationError} from the constructor when `server` is not an http(s) URL (the message never repeats
 *   it: a malformed URL may hold a password), or when `ca` and `insecureSkipVerify` are both set.
 *
 * @example
 * ```ts
 * const client = TektonClient.fromKubeconfig({ context: 'kind-ci', namespace: 'ci' });
 * const run = await client.pipelineRuns.start({ pipelineRef: { name: 'build' }, params: { revision: sha } });
 * for await (const e of client.pipelineRuns.logs(run.metadata.name!, { follow: true })) console.log(`[${e.pipelineTask} : ${e.step}] ${e.line}`);
 * const outcome = await client.pipelineRuns.waitForCompletion(run.metadata.name!, { timeoutMs: 1_800_000 });
 * await client.close();
 * ```
 */
export class TektonClient {
  readonly namespace: string;
  readonly transport: KubeTransport;
  readonly pipelineRuns: PipelineRuns;
  readonly taskRuns: TaskRuns;
  /** Task definitions: `apply`, `get`, `delete`. */
  readonly tasks: DefinitionApplier<typeof taskSchema>;
  /** Pipeline definitions: `apply`, `get`, `delete`. */
  readonly pipelines: DefinitionApplier<typeof pipelineSchema>;
  readonly #context: ClientContext;

  constructor(options: TektonClientOptions) {
    registerSecret(options.token, options.key);
    // Checked here so the error names `server`, the option the caller set (core would say `baseUrl`).
    parseBaseUrl(options.server, 'server');
    const logger = createRedactingLogger(options.logger ?? defaultLogger);
    const token = options.token;
    const tokenProvider = options.tokenProvider ?? (token ? async () => token : undefined);
    const tls: NonNullable<HttpClientOptions['tls']> = {};
    if (options.ca) tls.ca = options.ca;
    if (options.cert) tls.cert = options.cert;
    if (options.key) tls.key = options.key;
    if (options.servername) tls.servername = options.servername;
    if (options.insecureSkipVerify) tls.insecureSkipVerify = true;
    const http: HttpClientOptions = {
      baseUrl: options.server,
      logger,
      tls,
      // Impersonate-Group may repeat; undici sends an array value as repeated header lines.
      ...(options.headers ? { headers: options.headers as Record<string, string> } : {}),
      ...(tokenProvider ? { tokenProvider } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retry !== undefined ? { retry: options.retry } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    };
    this.namespace = options.namespace ?? 'default';
    this.transport = new KubeTransport(http, logger);
    this.#context = {
      transport: this.transport,
      namespace: this.namespace,
      logger,
      onWatchEvent: options.onWatchEvent,
      watchBackoff: options.watchBackoff,
      logPollIntervalMs: options.logPollIntervalMs,
    };
    this.pipelineRuns = new PipelineRuns(this.#context);
    this.taskRuns = new TaskRuns(this.#context);
    this.tasks = new DefinitionApplier(this.#context, RESOURCES.tasks, taskSchema);
    this.pipelines = new DefinitionApplier(this.#context, RESOURCES.pipelines, pipelineSchema);
  }

  /**
   * A client for a kubeconfig context, with client-go's loading rules (KUBECONFIG with several files, first
   * definition wins) and every auth kind but `auth-provider`.
   *
   * @throws {KubeconfigError} for a missing or invalid kubeconfig, context, cluster or user.
   * @throws {UnsupportedAuthProviderError} when the user relies on an auth-provider (oidc, gcp, azure).
   * @example
   * ```ts
   * const client = TektonClient.fromKubeconfig({ path: './kubeconfig', context: 'ci', namespace: 'builds' });
   * ```
   */
  static fromKubeconfig(options: FromKubeconfigOptions = {}): TektonClient {
    const { path, context, env, namespace, tokenFileRefreshMs, execTimeoutMs, now, ...rest } = options;
    const loadOptions: LoadKubeconfigOptions = {};
    if (path) loadOptions.path = path;
    if (context) loadOptions.context = context;
    if (env) loadOptions.env = env;
    const credentialOptions: CredentialOptions = {};
    if (tokenFileRefreshMs !== undefined) credentialOptions.tokenFileRefreshMs = tokenFileRefreshMs;
    if (execTimeoutMs !== undefined) credentialOptions.execTimeoutMs = execTimeoutMs;
    if (now) credentialOptions.now = now;
    return TektonClient.fromResolved(loadKubeconfig(loadOptions), credentialOptions, {
      ...rest,
      ...(namespace ? { namespace } : {}),
    });
  }

  /**
   * A client for the pod's service account (`KUBERNETES_SERVICE_HOST`, the mounted CA and token; the token is
   * re-read because projected tokens rotate).
   *
   * @throws {KubeconfigError} outside a cluster.
   */
  static inCluster(
    options: InClusterOptions &
      CredentialOptions &
      Omit<TektonClientOptions, 'server' | 'token' | 'tokenProvider' | 'ca'> = {},
  ): TektonClient {
    const { serviceAccountDirectory, env, namespace, tokenFileRefreshMs, execTimeoutMs, now, ...rest } =
      options;
    const inClusterOptions: InClusterOptions = {};
    if (serviceAccountDirectory) inClusterOptions.serviceAccountDirectory = serviceAccountDirectory;
    if (env) inClusterOptions.env = env;
    if (namespace) inClusterOptions.namespace = namespace;
    const credentialOptions: CredentialOptions = {};
    if (tokenFileRefreshMs !== undefined) credentialOptions.tokenFileRefreshMs = tokenFileRefreshMs;
    if (now) credentialOptions.now = now;
    void execTimeoutMs;
    return TektonClient.fromResolved(loadInClusterConfig(inClusterOptions), credentialOptions, rest);
  }

  /** A client for an already resolved kubeconfig context. */
  static fromResolved(
    resolved: ResolvedKubeconfig,
    credentialOptions: CredentialOptions = {},
    overrides: Omit<TektonClientOptions, 'server'> = {},
  ): TektonClient {
    const credentials = credentialsFromSource(resolved.credentials, credentialOptions);
    const headers = {
      ...resolved.impersonationHeaders,
      ...credentials.headers,
      ...(overrides.headers ?? {}),
    };
    const options: TektonClientOptions = {
      ...overrides,
      server: resolved.server,
      namespace: overrides.namespace ?? resolved.namespace,
    };
    if (Object.keys(headers).length > 0) options.headers = headers;
    if (credentials.tokenProvider) options.tokenProvider = credentials.tokenProvider;
    if (resolved.tls.ca) options.ca = resolved.tls.ca;
    if (resolved.tls.cert) options.cert = resolved.tls.cert;
    if (resolved.tls.key) options.key = resolved.tls.key;
    if (resolved.tls.servername) options.servername = resolved.tls.servername;
    if (resolved.tls.insecureSkipVerify) options.insecureSkipVerify = true;
    // client-go: the cluster's proxy-url replaces the environment's proxy; an explicit `proxy` option wins.
    if (resolved.proxyUrl && overrides.proxy === undefined) options.proxy = { url: resolved.proxyUrl };
    return new TektonClient(options);
  }

  /**
   * Sends a GitLab push event to an EventListener and finds the PipelineRun it created (by the event-id label).
   * See {@link sendGitLabPushEvent}.
   */
  sendGitLabPushEvent(
    listenerUrl: string,
    payload: unknown,
    options: GitLabPushEventOptions = {},
  ): Promise<GitLabPushEventResult> {
    return sendGitLabPushEvent(this.pipelineRuns, listenerUrl, payload, options);
  }

  /** Closes the connection pool. Idempotent. */
  async close(): Promise<void> {
    await this.transport.close();
  }
}
