import { statusError } from './kube-status.js';
import type { KubeObject, ObjectStore, StoreEvent } from './object-store.js';
import { PipelineRunReconciler } from './pipelinerun-reconciler.js';
import type { PodLogStore } from './pod-logs.js';
import type { ResourceType } from './resource-types.js';
import type { SimulatedClock } from './simulated-clock.js';
import type { TaskScripts } from './task-script.js';
import { TaskRunRunner } from './taskrun-runner.js';

const RECONCILE_DELAY_MS = 2;
const RUN_STATUSES = ['', 'Cancelled', 'CancelledRunFinally', 'StoppedRunFinally', 'PipelineRunPending'];

/** Tekton's defaulting and validating webhooks, reduced to what a client can observe. */
function tektonAdmission(type: ResourceType, object: KubeObject, operation: 'CREATE' | 'UPDATE'): void {
  if (type.group !== 'tekton.dev') return;
  if (typeof object['spec'] !== 'object' || object['spec'] === null) object['spec'] = {};
  const spec = object['spec'] as Record<string, unknown>;
  if (type.kind === 'PipelineRun') {
    if ((spec['pipelineRef'] === undefined) === (spec['pipelineSpec'] === undefined)) {
      const message =
        spec['pipelineRef'] === undefined
          ? 'expected exactly one, got neither'
          : 'expected exactly one, got both';
      throw statusError(
        422,
        'Invalid',
        `admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: ${message}: spec.pipelineRef, spec.pipelineSpec`,
        {
          name: object.metadata.name,
          group: 'tekton.dev',
          kind: 'PipelineRun',
          causes: [{ reason: 'FieldValueInvalid', message, field: 'spec.pipelineRef' }],
        },
      );
    }
    if (!RUN_STATUSES.includes(String(spec['status'] ?? ''))) {
      throw statusError(
        422,
        'Invalid',
        `admission webhook "validation.webhook.pipeline.tekton.dev" denied the request: validation failed: invalid value: ${String(spec['status'])}: spec.status`,
        {
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: `invalid value: ${String(spec['status'])}`,
              field: 'spec.status',
            },
          ],
        },
      );
    }
    if (operation === 'CREATE') {
      spec['timeouts'] ??= {};
      const timeouts = spec['timeouts'] as Record<string, unknown>;
      timeouts['pipeline'] ??= '1h0m0s';
      spec['taskRunTemplate'] ??= {};
      const template = spec['taskRunTemplate'] as Record<string, unknown>;
      template['serviceAccountName'] ??= 'default';
    }
  }
  if (type.kind === 'TaskRun' && operation === 'CREATE') {
    spec['serviceAccountName'] ??= 'default';
    spec['timeout'] ??= '1h0m0s';
  }
}

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
  ) {
    this.runner = new TaskRunRunner(store, logs, clock, scripts);
    this.reconciler = new PipelineRunReconciler(store, clock);
    store.addAdmissionHook(tektonAdmission);
  }

  /** Starts reacting to changes. */
  start(): void {
    this.unsubscribe = this.store.subscribe((event) => {
      if (event.type === 'DELETED' && event.resourceType.kind === 'Pod') {
        this.logs.removePod(event.object.metadata.namespace ?? 'default', event.object.metadata.name);
      }
      queueMicrotask(() => this.react(event));
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
      if (!this.stopped) this.reconcile(namespace, name);
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
