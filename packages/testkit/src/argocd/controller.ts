import type { GitAccess, GitRevisionReader } from './git-revisions.js';
import { createResourceHealthAssessor, type ResourceHealthAssessor } from './health.js';
import type { HealthScript, HealthScriptStep, LiveObject } from './live-state.js';
import { isSynthesized, objectKey, scriptMatches, stepAt, synthesizeLiveObject } from './live-state.js';
import { imagesOf, type ManifestRenderer, mergeHelmValues } from './manifest-renderer.js';
import type { Application, ApplicationSource, HealthStatus, KubeObject, ResourceStatus } from './model.js';
import { formatKubeTime, splitApiVersion } from './model.js';
import { type AssessedObject, buildResourceTree } from './resource-tree.js';
import type { ArgoCDStore } from './store.js';
import { executeSync, recordSyncOutcome, type SyncOutcome } from './sync-runner.js';

/** Settings for {@link ApplicationController}. */
export interface ApplicationControllerOptions {
  store: ArgoCDStore;
  git: GitRevisionReader;
  clock: () => number;
  renderer: ManifestRenderer;
  syncDurationMs: number;
  defaultRolloutMs: number;
  reconciliationIntervalMs: number;
  reconcileAfterOperationMs: number;
  /** How long a periodic reconcile may reuse the last `ls-remote` answer (refreshes and syncs never do). */
  revisionCacheMs: number;
  healthScripts: () => readonly HealthScript[];
  argocdCm: () => Record<string, string>;
  repositoryAccess: (repoURL: string) => GitAccess;
  onError: (error: unknown) => void;
}

interface AppRuntime {
  live: Map<string, LiveObject>;
  chain: Promise<void>;
  queued: Promise<void> | undefined;
  timer: NodeJS.Timeout | undefined;
  timerDueAtMs: number;
  operationTimer: NodeJS.Timeout | undefined;
  scriptedFailures: string[];
  nextOperationDurationMs: number | undefined;
  lastRenderKey: string | undefined;
  lastRender: KubeObject[];
  /** Write status (new reconciledAt) on the next comparison even if nothing else changed. */
  forceWrite: boolean;
  /** Resolve the target revision with a fresh `ls-remote` on the next comparison (refresh, after operations). */
  freshRevision: boolean;
}

const HEALTH_ORDER = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

/**
 * The emulator's application controller: runs sync operations (Running → Succeeded/Failed/Error, history),
 * compares target and live state (sync status against the revision resolved from git), assesses health with the
 * scripted lifecycles, publishes the resource tree, auto-syncs, and reconciles again after each operation so
 * `reconciledAt` moves past `operationState.finishedAt` (what `argocd app wait` waits for).
 */
export class ApplicationController {
  private readonly runtimes = new Map<string, AppRuntime>();
  private assessor: Promise<ResourceHealthAssessor> | undefined;
  private interval: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: ApplicationControllerOptions) {}

  start(): void {
    if (this.options.reconciliationIntervalMs > 0) {
      this.interval = setInterval(() => {
        for (const app of this.options.store.listApplications()) void this.reconcile(app.metadata.name);
      }, this.options.reconciliationIntervalMs);
      this.interval.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.interval) clearInterval(this.interval);
    for (const runtime of this.runtimes.values()) {
      clearTimeout(runtime.timer);
      clearTimeout(runtime.operationTimer);
    }
    await Promise.allSettled([...this.runtimes.values()].map((runtime) => runtime.chain));
    await this.assessor?.then((assessor) => assessor.close()).catch(() => undefined);
  }

  /** Drops the cached health assessor so new argocd-cm customisations apply, then re-assesses every app. */
  healthConfigurationChanged(): void {
    const previous = this.assessor;
    this.assessor = undefined;
    void previous?.then((assessor) => assessor.close()).catch(() => undefined);
    for (const app of this.options.store.listApplications()) void this.reconcile(app.metadata.name);
  }

  failNextSync(name: string, message: string): void {
    this.runtime(name).scriptedFailures.push(message);
  }

  /** The next operation on `name` stays Running this long (`Infinity`: until terminated or finished by a test). */
  setNextOperationDuration(name: string, durationMs: number): void {
    this.runtime(name).nextOperationDurationMs = durationMs;
  }

  /** Finishes a Running operation now (used with an infinite duration). */
  finishOperation(name: string): Promise<void> {
    return this.enqueue(name, () => this.completeOperation(name));
  }

  /** The objects the emulator considers live for an app (for inspection in tests). */
  liveObjects(name: string): KubeObject[] {
    return [...this.runtime(name).live.values()].map((live) => structuredClone(live.desired));
  }

  /** A refresh (`?refresh=normal|hard`): reconcile now and always record a new `reconciledAt`. */
  refresh(name: string): Promise<void> {
    this.runtime(name).forceWrite = true;
    this.runtime(name).freshRevision = true;
    return this.reconcile(name);
  }

  /** Target and live state per resource for `GET …/managed-resources` (from the last comparison). */
  managedResources(name: string): Array<{ target: KubeObject | undefined; live: KubeObject | undefined }> {
    const runtime = this.runtime(name);
    const keys = new Set([...runtime.lastRender.map(objectKey), ...runtime.live.keys()]);
    return [...keys].sort().map((key) => {
      const live = runtime.live.get(key);
      return {
        target: runtime.lastRender.find((object) => objectKey(object) === key),
        live: live ? synthesizeLiveObject(name, live, undefined) : undefined,
      };
    });
  }

  /** Queues a full reconcile (operation step, comparison, health, auto-sync); resolves when it has run. */
  reconcile(name: string): Promise<void> {
    const runtime = this.runtime(name);
    if (runtime.queued) return runtime.queued;
    const queued = this.enqueue(name, async () => {
      runtime.queued = undefined;
      await this.reconcileNow(name);
    });
    runtime.queued = queued;
    return queued;
  }

  private enqueue(name: string, task: () => Promise<void>): Promise<void> {
    const runtime = this.runtime(name);
    const next = runtime.chain.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (error) {
        this.options.onError(error);
      }
    });
    runtime.chain = next;
    return next;
  }

  private runtime(name: string): AppRuntime {
    let runtime = this.runtimes.get(name);
    if (!runtime) {
      runtime = {
        live: new Map(),
        chain: Promise.resolve(),
        queued: undefined,
        timer: undefined,
        timerDueAtMs: Number.POSITIVE_INFINITY,
        operationTimer: undefined,
        scriptedFailures: [],
        nextOperationDurationMs: undefined,
        lastRenderKey: undefined,
        lastRender: [],
        forceWrite: true,
        freshRevision: true,
      };
      this.runtimes.set(name, runtime);
    }
    return runtime;
  }

  private schedule(name: string, delayMs: number): void {
    if (this.stopped) return;
    const runtime = this.runtime(name);
    const dueAtMs = this.options.clock() + delayMs;
    if (runtime.timer && runtime.timerDueAtMs <= dueAtMs) return;
    clearTimeout(runtime.timer);
    runtime.timerDueAtMs = dueAtMs;
    runtime.timer = setTimeout(
      () => {
        runtime.timer = undefined;
        runtime.timerDueAtMs = Number.POSITIVE_INFINITY;
        void this.reconcile(name);
      },
      Math.max(0, delayMs),
    );
  }

  private async reconcileNow(name: string): Promise<void> {
    const { store, clock } = this.options;
    const app = store.getApplication(name);
    const runtime = this.runtime(name);
    if (!app) {
      clearTimeout(runtime.timer);
      clearTimeout(runtime.operationTimer);
      this.runtimes.delete(name);
      return;
    }
    if (app.metadata.deletionTimestamp) {
      // Cascade deletion: the finalizer removes the live objects, then the app goes away.
      runtime.live.clear();
      store.deleteApplication(name);
      return;
    }
    const state = app.status?.operationState;
    if (state?.phase === 'Terminating') {
      clearTimeout(runtime.operationTimer);
      runtime.nextOperationDurationMs = undefined;
      state.phase = 'Failed';
      state.message = 'Operation terminated';
      state.finishedAt = formatKubeTime(clock());
      delete app.operation;
      store.putApplication(app);
      store.recordEvent(name, {
        reason: 'OperationCompleted',
        message: 'Sync operation terminated',
        type: 'Warning',
      });
      runtime.forceWrite = true;
      this.schedule(name, this.options.reconcileAfterOperationMs);
      return;
    }
    if (app.operation && state?.phase !== 'Running') {
      this.startOperation(app);
      return;
    }
    if (state?.phase === 'Running') return;
    await this.compare(app);
  }

  private startOperation(app: Application): void {
    const { store, clock } = this.options;
    const name = app.metadata.name;
    const runtime = this.runtime(name);
    const operation = app.operation ?? {};
    const previousRetries =
      app.status?.operationState?.phase === 'Running' ? (app.status.operationState.retryCount ?? 0) : 0;
    app.status = app.status ?? {};
    app.status.operationState = {
      operation: structuredClone(operation),
      phase: 'Running',
      message: 'one or more tasks are running',
      startedAt: formatKubeTime(clock()),
      ...(previousRetries > 0 ? { retryCount: previousRetries } : {}),
    };
    store.putApplication(app);
    const who = operation.initiatedBy?.automated
      ? 'Initiated automated sync'
      : `${operation.initiatedBy?.username ?? 'Unknown user'} initiated sync`;
    store.recordEvent(name, {
      reason: 'OperationStarted',
      message: `${who} to ${operation.sync?.revision ?? 'HEAD'}`,
      type: 'Normal',
    });
    const durationMs = runtime.nextOperationDurationMs ?? this.options.syncDurationMs;
    runtime.nextOperationDurationMs = undefined;
    if (Number.isFinite(durationMs)) {
      runtime.operationTimer = setTimeout(() => void this.finishOperation(name), durationMs);
    }
  }

  private async completeOperation(name: string): Promise<void> {
    const { store, clock, git } = this.options;
    const app = store.getApplication(name);
    const state = app?.status?.operationState;
    if (!app?.operation || state?.phase !== 'Running') return;
    const runtime = this.runtime(name);
    clearTimeout(runtime.operationTimer);
    const sync = app.operation.sync ?? {};
    const source: ApplicationSource | undefined = sync.source ?? app.spec.source;
    let outcome: SyncOutcome;
    try {
      if (!source?.repoURL) throw new Error('application source is missing repoURL');
      const revision = await git.resolve(
        source.repoURL,
        sync.revision ?? source.targetRevision,
        this.options.repositoryAccess(source.repoURL),
      );
      const desired = await this.render(app, source, revision);
      const scriptedFailure = runtime.scriptedFailures.shift();
      outcome = executeSync({
        app,
        live: runtime.live,
        desired,
        revision,
        source,
        nowMs: clock(),
        ...(scriptedFailure !== undefined ? { scriptedFailure } : {}),
      });
    } catch (error) {
      outcome = {
        phase: 'Error',
        message: `ComparisonError: ${(error as Error).message}`,
        revision: sync.revision ?? '',
        source,
        resources: [],
      };
    }
    const retryLimit = Number((app.operation.retry as { limit?: number } | undefined)?.limit ?? 0);
    const retries = state.retryCount ?? 0;
    if (outcome.phase !== 'Succeeded' && retries < retryLimit) {
      // Controller-side retry (operation.retry): the same operation runs again, counting attempts.
      state.retryCount = retries + 1;
      state.message = `${outcome.message}. Retrying attempt #${retries + 1}`;
      store.putApplication(app);
      runtime.operationTimer = setTimeout(() => void this.finishOperation(name), this.options.syncDurationMs);
      return;
    }
    recordSyncOutcome(app, outcome, clock());
    store.putApplication(app);
    const result = outcome.phase === 'Succeeded' ? 'succeeded' : 'failed';
    runtime.forceWrite = true;
    store.recordEvent(name, {
      reason: 'OperationCompleted',
      message: `Sync operation to ${outcome.revision} ${result}`,
      type: outcome.phase === 'Succeeded' ? 'Normal' : 'Warning',
    });
    this.schedule(name, this.options.reconcileAfterOperationMs);
  }

  private async render(app: Application, source: ApplicationSource, revision: string): Promise<KubeObject[]> {
    const runtime = this.runtime(app.metadata.name);
    const key = JSON.stringify([revision, source, app.spec.destination]);
    if (runtime.lastRenderKey === key) return structuredClone(runtime.lastRender);
    const repoURL = source.repoURL ?? '';
    const readFile = (path: string) => this.options.git.readFile(repoURL, revision, path);
    const values = await mergeHelmValues(source, readFile);
    const namespace = app.spec.destination?.namespace ?? 'default';
    const objects = await this.options.renderer({
      appName: app.metadata.name,
      namespace,
      source,
      revision,
      values,
      readFile,
    });
    for (const object of objects) object.metadata.namespace ??= namespace;
    runtime.lastRenderKey = key;
    runtime.lastRender = structuredClone(objects);
    return objects;
  }

  /** Renders the manifests for a revision without touching live state (`GET …/manifests`). */
  async renderAt(
    app: Application,
    revision: string | undefined,
  ): Promise<{ revision: string; objects: KubeObject[] }> {
    const source = app.spec.source;
    if (!source?.repoURL) throw new Error('application source is missing repoURL');
    const sha = await this.options.git.resolve(
      source.repoURL,
      revision || source.targetRevision,
      this.options.repositoryAccess(source.repoURL),
    );
    return { revision: sha, objects: await this.render(app, source, sha) };
  }

  private async compare(app: Application): Promise<void> {
    const { store, clock, git } = this.options;
    const name = app.metadata.name;
    const runtime = this.runtime(name);
    const source = app.spec.source;
    const now = clock();
    const before = JSON.stringify({ status: app.status, operation: app.operation });
    app.status ??= {};
    const status = app.status;
    let revision: string;
    let desired: KubeObject[];
    try {
      if (!source?.repoURL) throw new Error('spec.source.repoURL is required');
      const maxAgeMs = runtime.freshRevision ? 0 : this.options.revisionCacheMs;
      runtime.freshRevision = false;
      revision = await git.resolve(
        source.repoURL,
        source.targetRevision,
        this.options.repositoryAccess(source.repoURL),
        maxAgeMs,
      );
      desired = await this.render(app, source, revision);
      delete status.conditions;
    } catch (error) {
      status.sync = {
        status: 'Unknown',
        comparedTo: { source: source ?? {}, destination: app.spec.destination ?? {} },
      };
      status.conditions = [
        {
          type: 'ComparisonError',
          message: (error as Error).message,
          lastTransitionTime: formatKubeTime(now),
        },
      ];
      this.finishCompare(app, before, now);
      return;
    }
    const assessor = await this.healthAssessor();
    const wanted = new Map(desired.map((object) => [objectKey(object), object]));
    const assessed: AssessedObject[] = [];
    const resources: ResourceStatus[] = [];
    let nextChangeInMs = Number.POSITIVE_INFINITY;
    let outOfSync = false;
    for (const [key, live] of runtime.live) {
      const { step, nextChangeInMs: untilNext } = stepAt(
        this.stepsFor(name, live.desired),
        now - live.appliedAtMs,
      );
      if (untilNext !== undefined) nextChangeInMs = Math.min(nextChangeInMs, untilNext);
      const synthesized = isSynthesized(live.desired.kind, step);
      const object = synthesizeLiveObject(name, live, synthesized ? step : undefined);
      const result = synthesized
        ? assessor.assess(object)
        : { status: step?.status ?? 'Unknown', message: step?.message ?? '' };
      const health: HealthStatus | undefined = result
        ? { status: result.status, ...(result.message ? { message: result.message } : {}) }
        : undefined;
      assessed.push({ object, health, appliedAtMs: live.appliedAtMs });
      const target = wanted.get(key);
      const synced = target !== undefined && JSON.stringify(target) === JSON.stringify(live.desired);
      outOfSync ||= !synced;
      resources.push({
        ...this.resourceIdentity(live.desired),
        status: synced ? 'Synced' : 'OutOfSync',
        ...(health ? { health } : {}),
      });
    }
    for (const [key, object] of wanted) {
      if (runtime.live.has(key)) continue;
      outOfSync = true;
      resources.push({
        ...this.resourceIdentity(object),
        status: 'OutOfSync',
        health: { status: 'Missing' },
      });
    }
    resources.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
    status.resources = resources;
    status.sync = {
      status: outOfSync ? 'OutOfSync' : 'Synced',
      revision,
      comparedTo: { source: source ?? {}, destination: app.spec.destination ?? {} },
    };
    const appHealth = aggregateHealth(assessed, desired.length);
    if (status.health?.status !== appHealth.status)
      status.health = { ...appHealth, lastTransitionTime: formatKubeTime(now) };
    else
      status.health = {
        ...appHealth,
        ...(status.health.lastTransitionTime ? { lastTransitionTime: status.health.lastTransitionTime } : {}),
      };
    status.sourceType = source.helm || source.chart ? 'Helm' : 'Directory';
    status.resourceHealthSource = 'appTree';
    status.summary = { images: [...new Set(assessed.flatMap(({ object }) => imagesOf(object)))].sort() };
    store.setTree(name, buildResourceTree(assessed));
    this.autoSync(app, revision, outOfSync);
    this.finishCompare(app, before, now);
    if (Number.isFinite(nextChangeInMs)) this.schedule(name, nextChangeInMs + 1);
  }

  private finishCompare(app: Application, before: string, now: number): void {
    const status = app.status ?? {};
    const finishedAt = status.operationState?.finishedAt;
    const runtime = this.runtime(app.metadata.name);
    const needsReconciledAt =
      runtime.forceWrite ||
      !status.reconciledAt ||
      (finishedAt !== undefined && status.reconciledAt < finishedAt);
    runtime.forceWrite = false;
    const changed = JSON.stringify({ status: app.status, operation: app.operation }) !== before;
    if (!changed && !needsReconciledAt) return;
    status.reconciledAt = formatKubeTime(now);
    status.observedAt = status.reconciledAt;
    this.options.store.putApplication(app);
    if (app.operation) void this.reconcile(app.metadata.name);
  }

  private autoSync(app: Application, revision: string, outOfSync: boolean): void {
    const automated = app.spec.syncPolicy?.automated;
    if (!automated || automated.enabled === false || !outOfSync || app.operation) return;
    const last = app.status?.operationState;
    // Argo CD skips auto-sync when the most recent sync already went to this revision (unless self-heal applies).
    if (
      last?.syncResult?.revision === revision &&
      (last.phase !== 'Succeeded' || automated.selfHeal !== true)
    )
      return;
    app.operation = {
      sync: {
        revision,
        prune: automated.prune === true,
        ...(app.spec.syncPolicy?.syncOptions ? { syncOptions: app.spec.syncPolicy.syncOptions } : {}),
      },
      initiatedBy: { automated: true },
    };
  }

  private resourceIdentity(object: KubeObject): Omit<ResourceStatus, 'status'> {
    const { group, version } = splitApiVersion(object.apiVersion);
    return {
      group,
      version,
      kind: object.kind,
      namespace: object.metadata.namespace ?? '',
      name: object.metadata.name,
    };
  }

  private stepsFor(appName: string, object: KubeObject): readonly HealthScriptStep[] {
    const scripts = this.options.healthScripts();
    for (let index = scripts.length - 1; index >= 0; index -= 1) {
      const script = scripts[index];
      if (script && scriptMatches(script.match, appName, object)) return script.steps;
    }
    if (object.kind === 'Deployment' && this.options.defaultRolloutMs > 0) {
      return [{ status: 'Progressing', forMs: this.options.defaultRolloutMs }, { status: 'Healthy' }];
    }
    return [];
  }

  private healthAssessor(): Promise<ResourceHealthAssessor> {
    this.assessor ??= createResourceHealthAssessor(this.options.argocdCm());
    return this.assessor;
  }
}

function aggregateHealth(assessed: readonly AssessedObject[], desiredCount: number): HealthStatus {
  if (assessed.length === 0) return { status: desiredCount > 0 ? 'Missing' : 'Healthy' };
  let worst = 'Healthy';
  for (const { health } of assessed) {
    if (!health) continue;
    if (HEALTH_ORDER.indexOf(health.status) > HEALTH_ORDER.indexOf(worst)) worst = health.status;
  }
  return { status: worst };
}
