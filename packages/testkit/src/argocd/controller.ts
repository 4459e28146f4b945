import type { GitAccess, GitRevisionReader } from './git-revisions.js';
import { createResourceHealthAssessor, type ResourceHealthAssessor } from './health.js';
import { compareLiveState } from './live-comparison.js';
import { currentBody, recordOutOfBandChange } from './live-drift.js';
import type { HealthScript, LiveObject } from './live-state.js';
import { objectKey, stepsForObject, synthesizeLiveObject } from './live-state.js';
import {
  isReferenceOnly,
  type ManifestRenderer,
  readKustomization,
  renderApplicationSource,
  renderApplicationSources,
} from './manifest-renderer.js';
import type { Application, ApplicationSource, KubeObject } from './model.js';
import { formatKubeTime } from './model.js';
import type { ArgoCDStore } from './store.js';
import { autoSyncOperation, beginOperation, performSync, recordSyncOutcome } from './sync-runner.js';

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
  /** Target objects of the last successful comparison (for managed-resources). */
  lastTarget: KubeObject[];
  /** The live objects behind the published tree's nodes (same order). */
  treeObjects: KubeObject[];
  /** Write status (new reconciledAt) on the next comparison even if nothing else changed. */
  forceWrite: boolean;
  /** Resolve the target revision with a fresh `ls-remote` on the next comparison (refresh, after operations). */
  freshRevision: boolean;
}

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
      // Only git-backed apps need polling: in-memory repositories notify on every seeded commit (like a webhook).
      this.interval = setInterval(() => {
        for (const { name, repoURL } of this.options.store.applicationSources()) {
          if (!repoURL || !this.options.git.isSeeded(repoURL)) void this.reconcile(name);
        }
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
    for (const { name } of this.options.store.applicationSources()) void this.reconcile(name);
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
    return [...this.runtime(name).live.values()].map((live) => structuredClone(currentBody(live)));
  }

  /** The live objects behind the app's resource tree (managed ones with status, plus ReplicaSets and Pods). */
  treeObjects(name: string): KubeObject[] {
    return structuredClone(this.runtimes.get(name)?.treeObjects ?? []);
  }

  /**
   * Replaces the live body of a managed object as an out-of-band change would (PatchResource, an action), then
   * reconciles. A changed pod template starts a new rollout, as the Deployment controller would. Returns false
   * when the object is not managed by the app (derived objects cannot be changed).
   */
  async changeLiveObject(name: string, object: KubeObject): Promise<boolean> {
    let changed = false;
    await this.enqueue(name, async () => {
      const current = this.runtime(name).live.get(objectKey(object));
      if (!current) return;
      recordOutOfBandChange(current, object, this.options.clock());
      changed = true;
    });
    if (changed) await this.reconcile(name);
    return changed;
  }

  /** Refreshes every app whose source is `repoURL` (a push webhook). */
  repositoryChanged(repoURL: string): void {
    for (const app of this.options.store.applicationSources()) {
      if (app.repoURL === repoURL) void this.refresh(app.name);
    }
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
    const keys = new Set([...runtime.lastTarget.map(objectKey), ...runtime.live.keys()]);
    return [...keys].sort().map((key) => {
      const live = runtime.live.get(key);
      return {
        target: runtime.lastTarget.find((object) => objectKey(object) === key),
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
        lastTarget: [],
        treeObjects: [],
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
    // The real controller keeps comparing while an operation runs, so health and sync stay live; only
    // reconciles outside operations move `reconciledAt` (what `argocd app wait` compares with `finishedAt`).
    await this.compare(app, { recordReconcile: state?.phase !== 'Running' });
  }

  private startOperation(app: Application): void {
    const { store, clock } = this.options;
    const name = app.metadata.name;
    const runtime = this.runtime(name);
    const eventMessage = beginOperation(app, clock());
    store.putApplication(app);
    store.recordEvent(name, { reason: 'OperationStarted', message: eventMessage, type: 'Normal' });
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
    const scriptedFailure = runtime.scriptedFailures.shift();
    const outcome = await performSync({
      app,
      live: runtime.live,
      nowMs: clock,
      resolve: (repoURL, revision) => git.resolve(repoURL, revision, this.options.repositoryAccess(repoURL)),
      render: (source, revision) => this.render(app, source, revision),
      renderSources: (sources, revisions) => this.renderSources(app, sources, revisions),
      ...(scriptedFailure !== undefined ? { scriptedFailure } : {}),
    });
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
    // Store the finished operation together with a fresh comparison (sync and health after the apply), but
    // leave `reconciledAt` to the reconcile that follows, as Argo CD's controller does.
    await this.compare(app, { recordReconcile: false, forcePut: true });
    const result = outcome.phase === 'Succeeded' ? 'succeeded' : 'failed';
    runtime.forceWrite = true;
    // After an operation someone started, Argo CD refreshes with a forced revision resolution (a fresh ref
    // listing); after an automated one it may reuse the cached refs (controller/appcontroller.go, "force a
    // refresh so that UI will report up-to-date").
    const initiatedBy = (app.operation?.initiatedBy ?? state.operation?.initiatedBy) as
      | { automated?: boolean }
      | undefined;
    runtime.freshRevision = initiatedBy?.automated !== true;
    store.recordEvent(name, {
      reason: 'OperationCompleted',
      message: `Sync operation to ${outcome.revisions ? outcome.revisions.join(',') : outcome.revision} ${result}`,
      type: outcome.phase === 'Succeeded' ? 'Normal' : 'Warning',
    });
    this.schedule(name, this.options.reconcileAfterOperationMs);
  }

  private render(app: Application, source: ApplicationSource, revision: string): Promise<KubeObject[]> {
    return this.cachedRender(app, JSON.stringify([revision, source, app.spec.destination]), () =>
      renderApplicationSource(this.options.renderer, this.options.git, app, source, revision),
    );
  }

  /** Renders every source of a multi-source app. */
  private renderSources(
    app: Application,
    sources: ApplicationSource[],
    revisions: string[],
  ): Promise<KubeObject[]> {
    return this.cachedRender(app, JSON.stringify([revisions, sources, app.spec.destination]), () =>
      renderApplicationSources(this.options.renderer, this.options.git, app, sources, revisions),
    );
  }

  /** The app's last render while `key` (revisions, sources, destination) stays the same; a copy each time. */
  private async cachedRender(
    app: Application,
    key: string,
    produce: () => Promise<KubeObject[]>,
  ): Promise<KubeObject[]> {
    const runtime = this.runtime(app.metadata.name);
    if (runtime.lastRenderKey !== key) {
      runtime.lastRender = await produce();
      runtime.lastRenderKey = key;
    }
    return structuredClone(runtime.lastRender);
  }

  /** Renders the manifests for a revision without touching live state (`GET …/manifests`). */
  async renderAt(
    app: Application,
    revision: string | undefined,
  ): Promise<{ revision: string; objects: KubeObject[] }> {
    const sources = app.spec.sources?.length ? app.spec.sources : undefined;
    if (sources) {
      // Multi-source: every source at its target revision (the single `revision` names the first source's).
      const revisions = await Promise.all(
        sources.map((candidate, index) =>
          this.options.git.resolve(
            candidate.repoURL ?? '',
            (index === 0 && revision) || candidate.targetRevision,
            this.options.repositoryAccess(candidate.repoURL ?? ''),
          ),
        ),
      );
      const objects = await renderApplicationSources(
        this.options.renderer,
        this.options.git,
        app,
        sources,
        revisions,
      );
      return { revision: revisions[0] ?? '', objects };
    }
    const source = app.spec.source;
    if (!source?.repoURL) throw new Error('application source is missing repoURL');
    const sha = await this.options.git.resolve(
      source.repoURL,
      revision || source.targetRevision,
      this.options.repositoryAccess(source.repoURL),
    );
    const objects = await renderApplicationSource(this.options.renderer, this.options.git, app, source, sha);
    return { revision: sha, objects };
  }

  private async compare(
    app: Application,
    options: { recordReconcile: boolean; forcePut?: boolean },
  ): Promise<void> {
    const { store, clock, git } = this.options;
    const name = app.metadata.name;
    const runtime = this.runtime(name);
    const sources = app.spec.sources?.length ? app.spec.sources : undefined;
    const source = sources ? undefined : app.spec.source;
    const now = clock();
    const before = options.forcePut ? '' : JSON.stringify({ status: app.status, operation: app.operation });
    app.status ??= {};
    const status = app.status;
    const comparedTo = {
      ...(sources ? { sources } : { source: source ?? {} }),
      destination: app.spec.destination ?? {},
    };
    let revisions: string[];
    let desired: KubeObject[];
    let kustomized = false;
    try {
      const maxAgeMs = runtime.freshRevision ? 0 : this.options.revisionCacheMs;
      runtime.freshRevision = false;
      const targets = sources ?? (source ? [source] : []);
      if (targets.length === 0 || targets.some((target) => !target.repoURL))
        throw new Error('spec.source.repoURL is required');
      revisions = await Promise.all(
        targets.map((target) =>
          git.resolve(
            target.repoURL as string,
            target.targetRevision,
            this.options.repositoryAccess(target.repoURL as string),
            maxAgeMs,
          ),
        ),
      );
      if (sources) desired = await this.renderSources(app, sources, revisions);
      else {
        const single = source as ApplicationSource & { repoURL: string };
        const revision = revisions[0] as string;
        desired = await this.render(app, single, revision);
        kustomized =
          single.kustomize !== undefined ||
          (await readKustomization(single, (path) => git.readFile(single.repoURL, revision, path))) !==
            undefined;
      }
      runtime.lastTarget = desired;
      delete status.conditions;
    } catch (error) {
      status.sync = { status: 'Unknown', comparedTo };
      status.conditions = [
        {
          type: 'ComparisonError',
          message: (error as Error).message,
          lastTransitionTime: formatKubeTime(now),
        },
      ];
      this.finishCompare(app, before, now, options.recordReconcile);
      return;
    }
    const comparison = compareLiveState({
      appName: name,
      live: runtime.live,
      desired,
      nowMs: now,
      assessor: await this.healthAssessor(),
      stepsFor: (object) =>
        stepsForObject(this.options.healthScripts(), name, object, this.options.defaultRolloutMs),
    });
    const outOfSync = comparison.outOfSync;
    const nextChangeInMs = comparison.nextChangeInMs;
    status.resources = comparison.resources;
    // Multi-source apps report one revision per source (`revisions`), single-source apps `revision`.
    status.sync = {
      status: outOfSync ? 'OutOfSync' : 'Synced',
      ...(sources ? { revisions } : { revision: revisions[0] as string }),
      comparedTo,
    };
    const appHealth = comparison.health;
    const lastTransitionTime =
      status.health?.status === appHealth.status ? status.health.lastTransitionTime : formatKubeTime(now);
    status.health = { ...appHealth, ...(lastTransitionTime ? { lastTransitionTime } : {}) };
    const typed = sources?.find((candidate) => !isReferenceOnly(candidate)) ?? source ?? {};
    status.sourceType = typed.helm || typed.chart ? 'Helm' : kustomized ? 'Kustomize' : 'Directory';
    status.resourceHealthSource = 'appTree';
    status.summary = { images: comparison.images };
    store.setTree(name, comparison.tree);
    runtime.treeObjects = comparison.treeObjects;
    const autoSync = autoSyncOperation(app, sources ? revisions : (revisions[0] as string), outOfSync);
    if (autoSync) app.operation = autoSync;
    this.finishCompare(app, before, now, options.recordReconcile);
    if (Number.isFinite(nextChangeInMs)) this.schedule(name, nextChangeInMs + 1);
  }

  private finishCompare(app: Application, before: string, now: number, recordReconcile: boolean): void {
    this.adoptConcurrentChanges(app);
    const status = app.status ?? {};
    const finishedAt = status.operationState?.finishedAt;
    const runtime = this.runtime(app.metadata.name);
    const needsReconciledAt =
      recordReconcile &&
      (runtime.forceWrite ||
        !status.reconciledAt ||
        (finishedAt !== undefined && status.reconciledAt < finishedAt));
    if (recordReconcile) runtime.forceWrite = false;
    const changed = JSON.stringify({ status: app.status, operation: app.operation }) !== before;
    if (!changed && !needsReconciledAt) return;
    if (needsReconciledAt || (recordReconcile && changed)) {
      status.reconciledAt = formatKubeTime(now);
      status.observedAt = status.reconciledAt;
    }
    this.options.store.putApplication(app);
    // An operation set by auto-sync starts on the next pass.
    if (app.operation && status.operationState?.phase !== 'Running') void this.reconcile(app.metadata.name);
  }

  /**
   * A comparison reads git (slow) between reading the app and storing it; API requests may have changed the app
   * meanwhile (a sync setting `operation`, a spec update, a terminate). Their changes win over the copy read before:
   * keep the stored spec, metadata and pending operation, and a terminate request on the operation state.
   */
  private adoptConcurrentChanges(app: Application): void {
    const latest = this.options.store.getApplication(app.metadata.name);
    if (!latest || latest.metadata.resourceVersion === app.metadata.resourceVersion) return;
    app.metadata = latest.metadata;
    app.spec = latest.spec;
    if (latest.operation && !app.operation) app.operation = latest.operation;
    const latestState = latest.status?.operationState;
    if (latestState && latestState.phase === 'Terminating') {
      app.status ??= {};
      app.status.operationState = latestState;
    }
  }

  private healthAssessor(): Promise<ResourceHealthAssessor> {
    this.assessor ??= createResourceHealthAssessor(this.options.argocdCm());
    return this.assessor;
  }
}
