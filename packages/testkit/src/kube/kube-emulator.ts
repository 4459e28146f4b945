import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { defaultLogger, type Logger, registerSecret } from '@gitops-kit/core';
import { handleAggregatedDiscovery } from './aggregated-discovery.js';
import { type ApiRoute, EVENT_LISTENER_PREFIX, resolveRoute } from './api-route.js';
import { handleDiscovery } from './discovery.js';
import { describeRequest, dispatchResourceRequest } from './dispatch-request.js';
import { type EventListenerDelivery, EventListenerSink } from './event-listener.js';
import { KubeFaults, type RecordedRequest, reasonForStatus } from './fault-injection.js';
import { sendStatus } from './http-util.js';
import { KubeEmulatorStatusError, makeStatus, statusError } from './kube-status.js';
import { type KubeconfigAuth, renderKubeconfig } from './kubeconfig.js';
import { KubeObjectApi } from './object-api.js';
import { ObjectStore } from './object-store.js';
import { handleOpenApi } from './openapi/openapi-handler.js';
import { PodLogStore } from './pod-logs.js';
import { RESOURCE_TYPES } from './resource-types.js';
import { SimulatedClock } from './simulated-clock.js';
import { type TaskScriptInput, TaskScripts } from './task-script.js';
import { tektonAdmission } from './tekton-admission.js';
import { TektonController } from './tekton-controller.js';
import { generateKubeTlsMaterial } from './tls-material.js';
import { WatchRegistry } from './watch-handler.js';

/** Options of `KubeEmulator.start`. All durations of the simulation are simulated ms (see `timeScale`). */
export interface KubeEmulatorOptions {
  /** Bearer token the server accepts (default: random). More can be added with `acceptToken`. */
  token?: string;
  /** Serve HTTPS with a freshly generated CA (default false). */
  tls?: boolean;
  /** Also accept client certificates signed by the emulator's CA (needs `tls`; default false). */
  clientCertificateAuth?: boolean;
  /** Accept HTTP basic auth with these credentials. */
  basicAuth?: { username: string; password: string };
  /** Namespace of the generated kubeconfig context (default `default`). */
  namespace?: string;
  /** Simulated ms per real ms (default 1): 1000 turns a one-hour timeout into 3.6 real seconds. */
  timeScale?: number;
  /**
   * Simulated time at start. Default: now, or with `timeScale` > 1 `(timeScale - 1)` hours earlier, so that
   * simulated timestamps stay behind the real clock for the first real hour (clients compare them with theirs).
   */
  clockStart?: Date;
  /** Events kept per resource type for watches; a watch from an older version gets 410 (default 1000). */
  watchHistoryLimit?: number;
  /** Real ms between BOOKMARK events (default 1000). */
  bookmarkIntervalMs?: number;
  /** How a too-old watch is refused when no fault is scripted (default `stream`: an ERROR event). */
  expiredWatchMode?: 'http' | 'stream';
  /** Run the Tekton controller simulation (default true). */
  tekton?: boolean;
  /**
   * Simulate Tekton's admission webhooks: defaults, and the 400 denials for what Tekton would refuse
   * (default: the value of `tekton`).
   */
  tektonWebhooks?: boolean;
  /** Where the emulator reports its own failures, e.g. a reconciler error (default: core's `defaultLogger`). */
  logger?: Logger;
  /** Duration of a step nobody scripted, simulated ms (default 20). */
  defaultStepDurationMs?: number;
  /** Simulated ms between an EventListener's 202 answer and the creation of the objects (default 200). */
  eventListenerDelayMs?: number;
  /** Port to listen on (default 0: any free port). */
  port?: number;
}

/** Real time during which a fast simulated clock stays behind the real one (see `defaultClockStart`). */
const REAL_TIME_HORIZON_MS = 3_600_000;

/**
 * Where the simulated clock starts when the test gives no `clockStart`: now at `timeScale` <= 1; with a faster
 * clock, far enough in the past that simulated time stays behind real time for an hour of real time. Clients
 * compare the server's timestamps with their own clock (kubectl prints a future creationTimestamp as AGE
 * `<invalid>`), so a timestamp must never lie in the future.
 */
function defaultClockStart(timeScale: number): Date {
  return new Date(Date.now() - Math.max(0, timeScale - 1) * REAL_TIME_HORIZON_MS);
}

/**
 * A Kubernetes API server on 127.0.0.1 for tests: storage with resourceVersions, selectors, patches and
 * watches, pods with logs, a Tekton controller simulation and EventListener sinks, plus fault hooks.
 *
 * @throws Error from `start` when the port cannot be bound; `KubeEmulatorStatusError` from the in-process
 *   object API (same Status as the HTTP API would answer).
 * @example
 * ```ts
 * const kube = await KubeEmulator.start({ timeScale: 100 });
 * kube.scriptTask('test', { steps: { run: { logs: ['ok'], durationMs: 500 } } });
 * const response = await fetch(`${kube.url}/apis/tekton.dev/v1/namespaces/default/pipelineruns`, {
 *   headers: { authorization: `Bearer ${kube.token}` },
 * });
 * await kube.stop();
 * ```
 */
export class KubeEmulator extends KubeObjectApi {
  /** Base URL, e.g. `https://127.0.0.1:43121`. */
  url = '';
  /** The bearer token the server accepts. */
  readonly token: string;
  /** The CA certificate (PEM) when TLS is on. */
  readonly ca: string | undefined;
  /** A client certificate and key signed by the CA (PEM) when TLS is on. */
  readonly clientCertificate: { certificate: string; key: string } | undefined;
  /** Fault switches. */
  readonly faults = new KubeFaults();
  /** Every request received (bounded to the last 10 000). */
  readonly requests: RecordedRequest[] = [];
  /** The emulator's clock. */
  readonly clock: SimulatedClock;
  private readonly tokens = new Set<string>();
  private readonly logs: PodLogStore;
  private readonly watches: WatchRegistry;
  private readonly scripts: TaskScripts;
  private readonly controller: TektonController | undefined;
  private readonly sink: EventListenerSink;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  private constructor(
    private readonly options: KubeEmulatorOptions,
    private readonly server: Server,
    tls: { ca: string; clientCertificate: string; clientKey: string } | undefined,
  ) {
    const logger = options.logger ?? defaultLogger;
    const clock = new SimulatedClock({
      onCallbackError: (error) => logger.error('KubeEmulator: a timer callback failed', error),
      timeScale: options.timeScale ?? 1,
      start: options.clockStart ?? defaultClockStart(options.timeScale ?? 1),
    });
    const store = new ObjectStore(clock, options.watchHistoryLimit ?? 1000);
    super(store, options.namespace ?? 'default');
    this.clock = clock;
    for (const type of RESOURCE_TYPES) if (type.storage === undefined) store.registerType(type);
    store.addAdmissionHook((type, object, operation) => {
      // Triggers reports where the sink listens; here that is this server's sink path.
      if (type.kind !== 'EventListener' || operation !== 'CREATE') return;
      const url = this.eventListenerUrl(object.metadata.name, object.metadata.namespace);
      object['status'] = {
        address: { url },
        conditions: [{ type: 'Ready', status: 'True', reason: 'Ready' }],
      };
    });
    this.token = options.token ?? randomBytes(24).toString('base64url');
    this.acceptToken(this.token);
    if (options.basicAuth) registerSecret(options.basicAuth.password);
    this.ca = tls?.ca;
    this.clientCertificate = tls ? { certificate: tls.clientCertificate, key: tls.clientKey } : undefined;
    this.logs = new PodLogStore(clock);
    this.watches = new WatchRegistry(store, this.faults, {
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
      expiredWatchMode: options.expiredWatchMode ?? 'stream',
    });
    this.scripts = new TaskScripts(options.defaultStepDurationMs ?? 20);
    this.controller =
      options.tekton === false
        ? undefined
        : new TektonController(store, this.logs, clock, this.scripts, logger);
    if (options.tektonWebhooks ?? options.tekton !== false) store.addAdmissionHook(tektonAdmission);
    this.sink = new EventListenerSink(store, clock, options.eventListenerDelayMs ?? 200);
    server.on(
      'request',
      (request: IncomingMessage, response: ServerResponse) => void this.handle(request, response),
    );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /**
   * Starts an emulator on 127.0.0.1.
   *
   * @throws Error when the port cannot be bound.
   */
  static async start(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
    const material = options.tls ? await generateKubeTlsMaterial('kube-emulator-user') : undefined;
    const server = material
      ? createHttpsServer({
          cert: material.serverCertificate,
          key: material.serverKey,
          ca: material.ca,
          requestCert: options.clientCertificateAuth === true,
          rejectUnauthorized: false,
        })
      : createServer();
    const emulator = new KubeEmulator(
      options,
      server,
      material
        ? { ca: material.ca, clientCertificate: material.clientCertificate, clientKey: material.clientKey }
        : undefined,
    );
    await emulator.listen(options.port ?? 0);
    emulator.controller?.start();
    return emulator;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        this.url = `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
        resolve();
      });
    });
  }

  private closeServer(): Promise<void> {
    this.watches.closeAll();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    return closed;
  }

  /** Stops the server, ends every stream and cancels every timer. */
  async stop(): Promise<void> {
    this.controller?.stop();
    this.sink.stop();
    this.clock.clearAll();
    if (this.server.listening) await this.closeServer();
  }

  /** Closes the listener and every connection (clients see "connection refused") until `resume()`. */
  async suspend(): Promise<void> {
    if (this.server.listening) await this.closeServer();
  }

  /** Listens again on the same port after `suspend()`; all state is kept. */
  async resume(): Promise<void> {
    if (!this.server.listening) await this.listen(this.port);
  }

  /** Accepts another bearer token (e.g. one an exec plugin will hand out). */
  acceptToken(token: string): void {
    registerSecret(token);
    this.tokens.add(token);
  }

  /** Stops accepting a bearer token (requests with it get 401). */
  revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  /** A kubeconfig (YAML) pointing at this emulator. */
  kubeconfig(options: { auth?: KubeconfigAuth; namespace?: string; contextName?: string } = {}): string {
    const auth = options.auth ?? 'token';
    if (
      auth === 'client-certificate' &&
      (this.clientCertificate === undefined || this.options.clientCertificateAuth !== true)
    ) {
      throw new Error(
        'client-certificate auth needs KubeEmulator.start({ tls: true, clientCertificateAuth: true })',
      );
    }
    if (auth === 'basic' && this.options.basicAuth === undefined)
      throw new Error('basic auth needs the basicAuth option');
    return renderKubeconfig({
      server: this.url,
      namespace: options.namespace ?? this.options.namespace ?? 'default',
      contextName: options.contextName ?? 'kube-emulator',
      auth,
      token: this.token,
      ...(this.ca === undefined ? {} : { ca: this.ca }),
      ...(this.clientCertificate === undefined ? {} : { clientCertificate: this.clientCertificate }),
      ...(this.options.basicAuth === undefined ? {} : { basicAuth: this.options.basicAuth }),
    });
  }

  /** Scripts the steps of TaskRuns whose pipeline task, TaskRun name or Task name is `name`. */
  scriptTask(name: string, script: TaskScriptInput): void {
    this.scripts.set(name, script);
  }

  /** URL of the sink of EventListener `name` (POST GitLab webhooks here). */
  eventListenerUrl(name: string, namespace = this.options.namespace ?? 'default'): string {
    return `${this.url}${EVENT_LISTENER_PREFIX}${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  }

  /** What each EventListener request did (accepted, rejected by an interceptor, created objects). */
  get eventListenerDeliveries(): readonly EventListenerDelivery[] {
    return this.sink.deliveries;
  }

  /** Makes every stored resourceVersion too old to watch from (the next such watch gets 410). */
  compactHistory(): void {
    this.store.compact();
  }

  /** Forces `generateName` suffixes (e.g. the same one twice to provoke a 409). */
  scriptGeneratedNameSuffixes(...suffixes: string[]): void {
    this.store.scriptedNameSuffixes.push(...suffixes);
  }

  /** Sends a BOOKMARK on every open watch that allows them. */
  sendBookmarks(): void {
    this.watches.sendBookmarks();
  }

  /** Ends every open watch response cleanly. */
  closeWatches(): void {
    this.watches.closeAll();
  }

  /** Number of open watch responses. */
  get openWatchCount(): number {
    return this.watches.openCount;
  }

  /** Appends a log line to a container of a pod the test created itself (the container is marked running). */
  appendPodLog(namespace: string, pod: string, container: string, line: string): void {
    this.logs.ensure(namespace, pod, [container]);
    if (this.logs.get(namespace, pod, container)?.state === 'waiting')
      this.logs.setState(namespace, pod, container, 'running');
    this.logs.append(namespace, pod, container, line);
  }

  private authenticate(request: IncomingMessage): string | undefined {
    const header = request.headers.authorization ?? '';
    if (header.startsWith('Bearer ') && this.tokens.has(header.slice(7).trim())) return 'bearer';
    if (header.startsWith('Basic ') && this.options.basicAuth) {
      const { username, password } = this.options.basicAuth;
      if (Buffer.from(header.slice(6).trim(), 'base64').toString('utf8') === `${username}:${password}`)
        return 'basic';
    }
    const socket = request.socket as TLSSocket;
    if (this.options.clientCertificateAuth && socket.authorized === true) return 'client-certificate';
    return undefined;
  }

  private record(request: IncomingMessage, url: URL, route: ApiRoute): RecordedRequest {
    const record = describeRequest(request, url, route);
    this.requests.push(record);
    if (this.requests.length > 10_000) this.requests.shift();
    return record;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const route = resolveRoute(method, url.pathname, url.searchParams);
    const record = this.record(request, url, route);
    // Record the status when the headers go out: a watch or log stream may stay open long after.
    const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
    response.writeHead = ((...args: unknown[]) => {
      record.status = Number(args[0]);
      return writeHead(...args);
    }) as typeof response.writeHead;
    try {
      // The API server lets anyone read /healthz, /livez, /readyz and /version (system:public-info-viewer);
      // health checks answer plain text `ok`.
      if (route.kind === 'health') {
        response.writeHead(200, {
          'content-type': 'text/plain; charset=utf-8',
          'x-content-type-options': 'nosniff',
        });
        response.end('ok');
        return;
      }
      const fault = this.faults.takeRequestFault(record);
      if (fault !== undefined) {
        const retryAfter = fault.retryAfterSeconds;
        const status = makeStatus(
          fault.status,
          fault.reason ?? reasonForStatus(fault.status),
          fault.message ?? `injected ${fault.status}`,
          retryAfter === undefined ? undefined : { retryAfterSeconds: retryAfter },
        );
        return sendStatus(
          response,
          status,
          retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
        );
      }
      if (route.kind === 'eventlistener')
        return await this.sink.handle(route.namespace, route.name, request, response);
      const authentication = this.authenticate(request);
      const anonymousVersion = route.kind === 'discovery' && url.pathname.replace(/\/+$/, '') === '/version';
      if (authentication === undefined && !anonymousVersion)
        throw statusError(401, 'Unauthorized', 'Unauthorized');
      if (authentication !== undefined) record.authentication = authentication;
      if (route.kind === 'discovery') {
        if (handleAggregatedDiscovery(url.pathname, request, response)) return;
        return handleDiscovery(url.pathname, response);
      }
      if (route.kind === 'openapi') return handleOpenApi(url.pathname, request, response);
      if (route.kind === 'unknown')
        throw statusError(404, 'NotFound', 'the server could not find the requested resource');
      const context = {
        store: this.store,
        logs: this.logs,
        faults: this.faults,
        watches: this.watches,
        now: () => this.clock.now(),
      };
      await dispatchResourceRequest(context, route, url.searchParams, request, response);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (KubeEmulatorStatusError.isInstance(error))
        sendStatus(response, (error as KubeEmulatorStatusError).status);
      else
        sendStatus(response, makeStatus(500, 'InternalError', `internal error: ${(error as Error).message}`));
    }
  }
}
