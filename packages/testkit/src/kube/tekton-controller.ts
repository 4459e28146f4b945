import type { Logger } from '@gitops-kit/core';
import type { KubeObject, ObjectStore, StoreEvent } from './object-store.js';
import { PipelineRunReconciler } from './pipelinerun-reconciler.js';
import type { PodLogStore } from './pod-logs.js';
import { findResourceTypeByKind } from './resource-types.js';
import type { SimulatedClock } from './simulated-clock.js';
import type { TaskScripts } from './task-script.js';
import { TaskRunRunner } from './taskrun-runner.js';
import { isRunFinished, setSucceeded } from './tekton-status.js';

const RECONCILE_DELAY_MS = 2;

/**
 * The Tekton controller simulation: applies the webhook defaults, starts TaskRuns (scripted pods and logs),
 * and reconciles PipelineRuns on every change of the run or its TaskRuns and when a timeout falls due.
 * Reactions run in a microtask after the change, so watchers always see events in resourceVersion order.
 */
export class TektonController {
  private readonly runner: TaskRunRunner;
  private readonly reconciler: PipelineRunReconciler;
  private readonly pending = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly logs: PodLogStore,
    private readonly clock: SimulatedClock,
    scripts: TaskScripts,
    private readonly logger: Logger,
  ) {
    this.runner = new TaskRunRunner(store, logs, clock, scripts, (taskRun, error) =>
      this.failRun('TaskRun', taskRun.metadata.namespace ?? 'default', taskRun.metadata.name, error),
    );
    this.reconciler = new PipelineRunReconciler(store, clock);
  }

  /**
   * A reconciler error never leaves the controller: it is logged and the run is marked failed (`Succeeded=False`,
   * reason `EmulatorReconcileError`), so the emulator keeps answering and a waiting client sees an end state.
   * Tekton's own controller would log and requeue; a test needs an outcome rather than a hang.
   */
  private failRun(kind: 'PipelineRun' | 'TaskRun', namespace: string, name: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.logger.error(
      `KubeEmulator: the Tekton controller failed on ${kind} ${namespace}/${name}: ${message}`,
    );
    try {
      const type = findResourceTypeByKind(kind);
      if (type === undefined) return;
      this.store.mutate(type, namespace, name, (object: KubeObject) => {
        if (isRunFinished(object)) return;
        setSucceeded(object, 'False', 'EmulatorReconcileError', `[emulator] ${message}`, this.clock.isoNow());
      });
    } catch (secondary) {
      this.logger.error(`KubeEmulator: could not mark ${kind} ${namespace}/${name} failed`, secondary);
    }
  }

  /** Runs `work` for one object; whatever it throws becomes a failed run (see `failRun`). */
  private guard(kind: string, namespace: string, name: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      if (kind === 'PipelineRun' || kind === 'TaskRun') this.failRun(kind, namespace, name, error);
      else
        this.logger.error(
          `KubeEmulator: the Tekton controller failed on ${kind} ${namespace}/${name}`,
          error,
        );
    }
  }

  /** Starts reacting to changes. */
  start(): void {
    this.unsubscribe = this.store.subscribe((event) => {
      if (event.type === 'DELETED' && event.resourceType.kind === 'Pod') {
        this.logs.removePod(event.object.metadata.namespace ?? 'default', event.object.metadata.name);
      }
      const { metadata } = event.object;
      queueMicrotask(() =>
        this.guard(event.resourceType.kind, metadata.namespace ?? 'default', metadata.name, () =>
          this.react(event),
        ),
      );
    });
  }

  /** Stops every run and timer. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.runner.stopAll();
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
  }

  private react(event: StoreEvent): void {
    if (this.stopped) return;
    if (event.type === 'DELETED') {
      if (event.resourceType.kind === 'TaskRun') this.runner.deleted(event.object);
      return;
    }
    const { object } = event;
    const namespace = object.metadata.namespace ?? 'default';
    if (event.resourceType.kind === 'PipelineRun') this.enqueue(namespace, object.metadata.name);
    if (event.resourceType.kind !== 'TaskRun') return;
    if (event.type === 'ADDED') this.runner.start(object);
    else this.runner.changed(object);
    const owner = object.metadata.labels?.['tekton.dev/pipelineRun'];
    if (owner !== undefined) this.enqueue(namespace, owner);
  }

  private enqueue(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    // Changes are coalesced for a couple of real milliseconds, as a controller's work queue does.
    const timer = setTimeout(() => {
      this.pending.delete(key);
      if (!this.stopped) this.guard('PipelineRun', namespace, name, () => this.reconcile(namespace, name));
    }, RECONCILE_DELAY_MS);
    timer.unref();
  }

  private reconcile(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const nextDeadlineMs = this.reconciler.reconcile(namespace, name);
    this.clock.clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (nextDeadlineMs === undefined) return;
    const timer = this.clock.setTimeout(
      () => {
        this.timers.delete(key);
        this.enqueue(namespace, name);
      },
      Math.max(0, nextDeadlineMs - this.clock.now()) + 1,
    );
    this.timers.set(key, timer);
  }
}
