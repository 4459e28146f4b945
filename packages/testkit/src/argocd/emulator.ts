import { createServer as createHttpServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { GitOpsKitError, registerSecret } from '@gitops-kit/core';
import { generate } from 'selfsigned';
import { ClusterRegistry, type EmulatedCluster } from './clusters.js';
import { ApplicationController } from './controller.js';
import {
  type ArgoCDEmulatorOptions,
  type ResolvedEmulatorOptions,
  resolveEmulatorOptions,
} from './emulator-options.js';
import { type ArgoCDFault, FaultRegistry, type InstalledArgoCDFault } from './faults.js';
import { GitRevisionReader, type SeededCommit } from './git-revisions.js';
import type { HealthScript, HealthScriptMatch, HealthScriptStep } from './live-state.js';
import { defaultManifestRenderer } from './manifest-renderer.js';
import type { Application, AppProject, KubeObject, Operation, Repository } from './model.js';
import { PodLogStore } from './pod-logs.js';
import { type ArgoCDRequestRecord, handleRequest } from './request-pipeline.js';
import { applicationOperationRoutes } from './routes-application-operations.js';
import { applicationResourceRoutes } from './routes-application-resources.js';
import { applicationRoutes } from './routes-applications.js';
import { clusterRoutes } from './routes-clusters.js';
import { logRoutes, type PodLogSelector, writeSelectedPodLogs } from './routes-logs.js';
import { isProjectTokenRecorded, projectRoutes, repositoryRoutes } from './routes-repositories-projects.js';
import { sessionRoutes } from './routes-session.js';
import { type EmulatorState, Router } from './routing.js';
import { SessionManager } from './sessions.js';
import { ArgoCDStore } from './store.js';
import { streamRoutes } from './streams.js';
import { createArgoCDSwaggerValidator } from './swagger-validator.js';

/**
 * Misuse of the emulator's scripting API (e.g. naming an application that does not exist).
 * @example
 * try { argocd.updateApplication('ghost', () => {}); } catch (error) { ArgoCDEmulatorError.isInstance(error); }
 */
export class ArgoCDEmulatorError extends GitOpsKitError {
  static override readonly kind: string = 'ArgoCDEmulatorError';
  constructor(message: string) {
    super(message, { code: 'ARGOCD_EMULATOR_MISUSE', retryable: false });
  }
}

/** What a test seeds: metadata and spec (status is the controller's job). */
export interface SeedApplication {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Application['spec'];
}

/**
 * An in-memory Argo CD API server on loopback with the real wire format (grpc-gateway errors, 403-for-missing-apps,
 * 415 without a JSON content type, expiring and renewing session tokens, NDJSON/SSE watches), a controller that
 * runs syncs against real git revisions, and hooks to script health and inject faults.
 *
 * @example
 * const argocd = await ArgoCDEmulator.start({ adminPassword: 'secret' });
 * const sha = argocd.seedRepositoryCommit('https://git.example/deploy.git', { files: { 'helm/values.yaml': 'image: {tag: v1}' } });
 * argocd.seedApplication({ metadata: { name: 'web' }, spec: { project: 'default', source: { repoURL: 'https://git.example/deploy.git', path: 'helm', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'web' } } });
 * const response = await fetch(`${argocd.url}/api/v1/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'secret' }) });
 * await argocd.stop();
 */
export class ArgoCDEmulator {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** PEM certificate clients must trust when `tls` is on (self-signed), else undefined. */
  readonly caCertificate: string | undefined;
  /** Every request answered so far (method, path, query, status; no headers or bodies). */
  readonly requests: ArgoCDRequestRecord[];
  private readonly healthScripts: HealthScript[] = [];

  private constructor(
    private readonly server: Server,
    private readonly state: EmulatorState,
    private readonly options: ResolvedEmulatorOptions,
    url: string,
    caCertificate: string | undefined,
    requests: ArgoCDRequestRecord[],
    healthScripts: HealthScript[],
  ) {
    this.url = url;
    this.caCertificate = caCertificate;
    this.requests = requests;
    this.healthScripts = healthScripts;
  }

  /**
   * Starts the emulator on an ephemeral loopback port.
   * @throws Error when the port cannot be bound or the TLS certificate cannot be generated.
   */
  static async start(options: ArgoCDEmulatorOptions = {}): Promise<ArgoCDEmulator> {
    const resolved = resolveEmulatorOptions(options);
    const clock = resolved.clock;
    const store = new ArgoCDStore(resolved.namespace, clock);
    const healthScripts: HealthScript[] = [];
    const requests: ArgoCDRequestRecord[] = [];
    const git = new GitRevisionReader({
      clock,
      ...(resolved.gitCaCertificate ? { caCertificate: resolved.gitCaCertificate } : {}),
    });
    const sessions = new SessionManager({
      sessionDurationMs: resolved.sessionDurationMs,
      renewBeforeExpiryMs: resolved.renewBeforeExpiryMs,
      maxLoginFailures: resolved.maxLoginFailures,
      loginFailureWindowMs: resolved.loginFailureWindowMs,
      isProjectTokenValid: (project, role, iat, id) => isProjectTokenRecorded(store, project, role, iat, id),
    });
    registerSecret(resolved.adminPassword, ...Object.values(resolved.accounts));
    sessions.setAccount('admin', resolved.adminPassword);
    for (const [username, password] of Object.entries(resolved.accounts))
      sessions.setAccount(username, password);
    const repositoryAccess = (repoURL: string) => {
      const repository = store.getRepository(repoURL);
      return {
        ...(repository?.username !== undefined ? { username: repository.username } : {}),
        ...(repository?.password !== undefined ? { password: repository.password } : {}),
        ...(repository?.insecure !== undefined ? { insecure: repository.insecure } : {}),
      };
    };
    let url = '';
    const state: EmulatorState = {
      store,
      clusters: new ClusterRegistry(),
      podLogs: new PodLogStore(),
      sessions,
      git,
      faults: new FaultRegistry(),
      clock,
      argocdCm: resolved.argocdCm,
      version: resolved.version,
      url: () => url,
      repositoryAccess,
      keepAliveIntervalMs: resolved.keepAliveIntervalMs,
      tls: Boolean(resolved.tls),
      openStreams: new Set<ServerResponse>(),
      controller: new ApplicationController({
        store,
        git,
        clock,
        renderer: resolved.renderer ?? defaultManifestRenderer,
        syncDurationMs: resolved.syncDurationMs,
        defaultRolloutMs: resolved.defaultRolloutMs,
        reconciliationIntervalMs: resolved.reconciliationIntervalMs,
        reconcileAfterOperationMs: resolved.reconcileAfterOperationMs,
        revisionCacheMs: resolved.revisionCacheMs,
        healthScripts: () => healthScripts,
        argocdCm: () => resolved.argocdCm,
        repositoryAccess,
        onError: resolved.onError,
      }),
    };
    const router = new Router();
    router.add(
      ...sessionRoutes,
      ...repositoryRoutes,
      ...projectRoutes,
      ...applicationRoutes,
      ...applicationOperationRoutes,
      ...clusterRoutes,
      ...applicationResourceRoutes,
      ...logRoutes,
      ...streamRoutes,
    );
    const swagger = createArgoCDSwaggerValidator({ rejectUnknownFields: resolved.rejectUnknownFields });
    const pipeline = {
      state,
      router,
      validator: resolved.validateRequests ? swagger : undefined,
      decoder: swagger,
      requireJsonContentType: resolved.requireJsonContentType,
      records: requests,
    };
    const listener = (request: Parameters<typeof handleRequest>[1], response: ServerResponse) => {
      handleRequest(pipeline, request, response).catch((error: unknown) => {
        resolved.onError(error);
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
    };
    let caCertificate: string | undefined;
    let server: Server;
    if (resolved.tls) {
      const material = resolved.tls === true ? await selfSignedMaterial() : resolved.tls;
      caCertificate = material.cert;
      server = createHttpsServer({ key: material.key, cert: material.cert }, listener);
    } else {
      server = createHttpServer(listener);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    url = `${resolved.tls ? 'https' : 'http'}://${resolved.host}:${address.port}`;
    // Pod logs go with their app (a new app of the same name starts without them).
    store.onApplicationChange((change) => {
      if (change.type === 'DELETED') state.podLogs.forget(change.application.metadata.name);
    });
    state.controller.start();
    return new ArgoCDEmulator(server, state, resolved, url, caCertificate, requests, healthScripts);
  }

  /** Stops the controller, closes open streams and the server, and removes the git cache. */
  async stop(): Promise<void> {
    await this.state.controller.stop();
    for (const stream of this.state.openStreams) stream.destroy();
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.state.git.close();
  }

  // Seeding and inspection ---------------------------------------------------------------------------------------

  /** Adds (or replaces) an application without going through the API, then lets the controller reconcile it. */
  seedApplication(app: SeedApplication): Application {
    const stored = this.state.store.putApplication({
      metadata: { ...app.metadata },
      spec: structuredClone(app.spec),
    });
    void this.state.controller.reconcile(app.metadata.name);
    return stored;
  }

  /** A copy of the stored application, or undefined. */
  getApplication(name: string): Application | undefined {
    return this.state.store.getApplication(name);
  }

  /** Copies of all applications, sorted by name. */
  listApplications(): Application[] {
    return this.state.store.listApplications();
  }

  /**
   * Changes an application as another writer would (the change is broadcast to watchers).
   * @throws ArgoCDEmulatorError when the application does not exist.
   */
  updateApplication(name: string, change: (app: Application) => void): Application {
    const updated = this.state.store.updateApplication(name, change);
    if (!updated) throw new ArgoCDEmulatorError(`application "${name}" does not exist in the emulator`);
    void this.state.controller.reconcile(name);
    return updated;
  }

  /** Adds or replaces an AppProject. */
  seedProject(project: Pick<AppProject, 'metadata' | 'spec'>): AppProject {
    return this.state.store.putProject({
      metadata: { ...project.metadata },
      spec: structuredClone(project.spec),
    });
  }

  /**
   * Registers a destination cluster (besides `in-cluster`, https://kubernetes.default.svc, which always exists).
   * Apps may only target known clusters, by `server` or by `name`, as in Argo CD.
   * @throws ArgoCDEmulatorError when `server` is not an http(s) URL.
   * @example
   * argocd.seedCluster({ server: 'https://prod.example:6443', name: 'prod' });
   */
  seedCluster(cluster: EmulatedCluster): EmulatedCluster {
    if (!/^https?:\/\/[^/]/.test(cluster.server ?? ''))
      throw new ArgoCDEmulatorError(`cluster server must be an http(s) URL, got "${cluster.server}"`);
    return this.state.clusters.put({ ...cluster, server: cluster.server.replace(/\/+$/, '') });
  }

  /** A copy of the stored project (including `status.jwtTokensByRole`), or undefined. */
  getProject(name: string): AppProject | undefined {
    return this.state.store.getProject(name);
  }

  /** Registers a repository (with credentials the emulator then uses to fetch it). */
  seedRepository(repository: Repository): void {
    registerSecret(repository.password);
    this.state.store.putRepository({
      type: 'git',
      ...repository,
      connectionState: { status: 'Successful', message: '' },
    });
  }

  /** The stored repository including credentials (the API never returns them). */
  getRepository(url: string): Repository | undefined {
    return this.state.store.getRepository(url);
  }

  /** Adds a commit to an in-memory repository (no git server needed); returns its SHA. */
  seedRepositoryCommit(repoURL: string, commit: SeededCommit): string {
    const sha = this.state.git.seedCommit(repoURL, commit);
    // In-memory repositories behave as if a push webhook were configured: apps using them refresh at once.
    this.state.controller.repositoryChanged(repoURL);
    return sha;
  }

  /** The objects the emulator considers deployed for an app. */
  liveObjects(name: string): KubeObject[] {
    return this.state.controller.liveObjects(name);
  }

  /**
   * Writes log lines to the containers of the app's pods that `selector` picks the way `GET …/logs` does (`kind` +
   * `name` of an owner such as a Deployment selects its pods; `podName` one pod; nothing: every pod), stamped
   * with the emulator clock. `container` defaults to each pod's first container. Followers (`follow=true`) get the
   * lines at once. Returns the pods written to.
   * @throws ArgoCDEmulatorError when the app does not exist.
   */
  writePodLogs(appName: string, selector: PodLogSelector, lines: readonly string[]): string[] {
    if (!this.state.store.hasApplication(appName))
      throw new ArgoCDEmulatorError(`application "${appName}" does not exist in the emulator`);
    return writeSelectedPodLogs(this.state, appName, selector, lines);
  }

  /** Reconciles an app now (like a refresh) and resolves once done. */
  refresh(name: string): Promise<void> {
    return this.state.controller.refresh(name);
  }

  // Accounts and tokens ---------------------------------------------------------------------------------------------

  /** Adds or changes a local account (clears its failed-login count). */
  setAccount(username: string, password: string, enabled = true): void {
    registerSecret(password);
    this.state.sessions.setAccount(username, password, enabled);
  }

  /** Issues a login token for an account without an HTTP round trip (`lifetimeMs` defaults to the session duration). */
  issueToken(username = 'admin', lifetimeMs = this.options.sessionDurationMs): string {
    return this.state.sessions.issue(`${username}:login`, this.state.clock(), lifetimeMs);
  }

  /** Makes every token issued so far fail with "token is expired" (new logins still work). */
  expireTokens(): void {
    this.state.sessions.expireAllTokens();
  }

  /** `POST /api/v1/session` calls so far (successful or not). */
  get loginRequestCount(): number {
    return this.state.sessions.loginRequestCount;
  }

  // Controller scripting -------------------------------------------------------------------------------------------

  /** Scripts the health of matching resources from the moment they are (re)applied; later scripts win. */
  scriptHealth(match: HealthScriptMatch, steps: HealthScriptStep[]): void {
    this.healthScripts.push({ match, steps });
    for (const { name } of this.state.store.applicationSources()) {
      if (match.app === undefined || match.app === name) void this.state.controller.reconcile(name);
    }
  }

  /** Replaces argocd-cm data (e.g. `resource.customizations.health.networking.k8s.io_Ingress`) and re-assesses health. */
  setArgoCDConfigMap(data: Record<string, string>): void {
    for (const key of Object.keys(this.state.argocdCm)) delete this.state.argocdCm[key];
    Object.assign(this.state.argocdCm, data);
    this.state.controller.healthConfigurationChanged();
  }

  /** Makes the next sync of `name` fail with this message (phase Failed, the resource SyncFailed). */
  failNextSync(name: string, message: string): void {
    this.state.controller.failNextSync(name, message);
  }

  /**
   * Starts an operation as another user would (so a client's sync gets "another operation is already in
   * progress"); it stays Running for `durationMs` (default: forever, until {@link finishOperation} or terminate).
   */
  startOperation(name: string, options: { durationMs?: number; operation?: Operation } = {}): Application {
    this.state.controller.setNextOperationDuration(name, options.durationMs ?? Number.POSITIVE_INFINITY);
    return this.updateApplication(name, (app) => {
      app.operation = options.operation ?? {
        sync: { revision: app.spec.source?.targetRevision ?? 'HEAD' },
        initiatedBy: { username: 'someone-else' },
      };
    });
  }

  /** Makes the next operation on `name` (e.g. the client's sync) stay Running this long. */
  setNextOperationDuration(name: string, durationMs: number): void {
    this.state.controller.setNextOperationDuration(name, durationMs);
  }

  /** Completes a Running operation now. */
  finishOperation(name: string): Promise<void> {
    return this.state.controller.finishOperation(name);
  }

  // Faults -----------------------------------------------------------------------------------------------------------

  /** Installs a fault (5xx/429 with Retry-After, delays, resets, raw bodies, stream drops and in-band errors). */
  addFault(fault: ArgoCDFault): InstalledArgoCDFault {
    return this.state.faults.add(fault);
  }

  clearFaults(): void {
    this.state.faults.clear();
  }
}

async function selfSignedMaterial(): Promise<{ key: string; cert: string }> {
  const generated = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { key: generated.private, cert: generated.cert };
}
