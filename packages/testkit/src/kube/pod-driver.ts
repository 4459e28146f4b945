import type { KubeObject, ObjectStore } from './object-store.js';
import type { PodLogStore } from './pod-logs.js';
import { findResourceTypeByKind } from './resource-types.js';
import type { SimulatedClock } from './simulated-clock.js';
import type { ParamValue, StepScript } from './task-script.js';
import { statusOf } from './tekton-status.js';

const POD = findResourceTypeByKind('Pod')!;

/** Tekton's init containers (`pkg/pod/pod.go`). */
export const INIT_CONTAINERS = ['prepare', 'place-scripts'];

/** A step of a Task spec (the fields the simulation reads). */
export interface StepSpec {
  name?: string;
  image?: string;
  onError?: string;
  [key: string]: unknown;
}

/** Drives the pod object and container logs of one TaskRun attempt. */
export class PodDriver {
  constructor(
    private readonly store: ObjectStore,
    private readonly logs: PodLogStore,
    private readonly clock: SimulatedClock,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  private update(change: (pod: KubeObject, status: Record<string, unknown>) => void): void {
    this.store.mutate(POD, this.namespace, this.name, (pod) => change(pod, statusOf(pod)));
  }

  create(taskRun: KubeObject, steps: StepSpec[], containers: string[], initContainers: string[]): void {
    const spec = (taskRun['spec'] ?? {}) as { serviceAccountName?: string };
    this.store.create(POD, this.namespace, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: this.name,
        labels: {
          ...(taskRun.metadata.labels ?? {}),
          'tekton.dev/taskRun': taskRun.metadata.name,
          'tekton.dev/taskRunUID': taskRun.metadata.uid,
          'app.kubernetes.io/managed-by': 'tekton-pipelines',
        },
        ownerReferences: [
          {
            apiVersion: 'tekton.dev/v1',
            kind: 'TaskRun',
            name: taskRun.metadata.name,
            uid: taskRun.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {
        serviceAccountName: spec.serviceAccountName ?? 'default',
        restartPolicy: 'Never',
        initContainers: initContainers.map((name) => ({
          name,
          image: 'ghcr.io/tektoncd/pipeline/entrypoint',
        })),
        containers: containers.map((name, index) => ({
          name,
          image: String(steps[index]?.image ?? 'busybox'),
        })),
      },
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/1 nodes are available',
          },
        ],
      },
    });
    this.logs.ensure(this.namespace, this.name, [...initContainers, ...containers], 'ContainerCreating');
  }

  schedule(initContainers: string[], containers: string[]): void {
    this.update((pod, status) => {
      (pod['spec'] as Record<string, unknown>)['nodeName'] = 'kube-emulator-node';
      status['conditions'] = [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized' },
      ];
      status['initContainerStatuses'] = initContainers.map((name) => ({
        name,
        ready: false,
        state: { running: { startedAt: this.clock.isoNow() } },
      }));
      status['containerStatuses'] = containers.map((name) => ({
        name,
        ready: false,
        state: { waiting: { reason: 'PodInitializing' } },
      }));
    });
    for (const container of initContainers)
      this.logs.setState(this.namespace, this.name, container, 'running');
    for (const container of containers)
      this.logs.setState(this.namespace, this.name, container, 'waiting', 'PodInitializing');
  }

  startContainers(containers: string[]): void {
    const now = this.clock.isoNow();
    this.update((pod, status) => {
      status['phase'] = 'Running';
      status['startTime'] = now;
      status['conditions'] = [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
      ];
      const initStatuses =
        (status['initContainerStatuses'] as Array<Record<string, unknown>> | undefined) ?? [];
      // A terminated state carries the running state's startedAt (ContainerStateTerminated.startedAt).
      for (const init of initStatuses) {
        const startedAt = (init['state'] as { running?: { startedAt?: string } } | undefined)?.running
          ?.startedAt;
        init['state'] = {
          terminated: { exitCode: 0, reason: 'Completed', startedAt: startedAt ?? now, finishedAt: now },
        };
      }
      status['containerStatuses'] = containers.map((name) => ({
        name,
        ready: true,
        state: { running: { startedAt: now } },
      }));
      void pod;
    });
    for (const container of INIT_CONTAINERS)
      this.logs.setState(this.namespace, this.name, container, 'terminated');
    for (const container of containers) this.logs.setState(this.namespace, this.name, container, 'running');
  }

  /** Prints the step's lines over its duration; returns the abort reason if stopped. */
  /**
   * Runs one step: prints its scripted lines on the simulated clock, then its `run` function (real time) if any,
   * and marks the container terminated. Resolves with the exit code and results, or `stopped` with the abort
   * reason.
   */
  async runStep(
    container: string,
    step: StepScript & { durationMs: number; exitCode: number },
    signal: AbortSignal,
  ): Promise<{ stopped: string } | { exitCode: number; results: Record<string, ParamValue> | undefined }> {
    const lines = (step.logs ?? []).map((line, index, all) =>
      typeof line === 'string'
        ? { text: line, atMs: (index * step.durationMs) / all.length }
        : { text: line.text, atMs: line.atMs ?? (index * step.durationMs) / all.length },
    );
    lines.sort((left, right) => left.atMs - right.atMs);
    let elapsedMs = 0;
    for (const line of lines) {
      // Lines closer together than a real millisecond are written in one go (timers cannot be finer).
      if (this.clock.toRealMs(line.atMs - elapsedMs) >= 1) {
        await this.clock.sleep(line.atMs - elapsedMs, signal);
        elapsedMs = line.atMs;
      }
      if (signal.aborted) return { stopped: String(signal.reason) };
      this.logs.append(this.namespace, this.name, container, line.text);
    }
    if (step.durationMs > elapsedMs) await this.clock.sleep(step.durationMs - elapsedMs, signal);
    if (signal.aborted) return { stopped: String(signal.reason) };
    let exitCode = step.exitCode;
    let results = step.results;
    if (step.run) {
      const outcome = await this.#runFunction(container, step.run, signal);
      if (signal.aborted) return { stopped: String(signal.reason) };
      exitCode = outcome.exitCode;
      results = { ...results, ...outcome.results };
    }
    const finishedAt = this.clock.isoNow();
    this.update((_pod, status) => {
      const statuses = (status['containerStatuses'] as Array<Record<string, unknown>> | undefined) ?? [];
      const entry = statuses.find((candidate) => candidate['name'] === container);
      if (entry) {
        const running = (entry['state'] as { running?: { startedAt?: string } } | undefined)?.running;
        entry['state'] = {
          terminated: {
            exitCode,
            reason: exitCode === 0 ? 'Completed' : 'Error',
            startedAt: running?.startedAt ?? finishedAt,
            finishedAt,
          },
        };
      }
    });
    return { exitCode, results };
  }

  async #runFunction(
    container: string,
    run: NonNullable<StepScript['run']>,
    signal: AbortSignal,
  ): Promise<{ exitCode: number; results: Record<string, ParamValue> | undefined }> {
    const log = (line: string): void => {
      if (!signal.aborted) this.logs.append(this.namespace, this.name, container, line);
    };
    // A cancelled or timed-out TaskRun does not wait for a step function that ignores its signal.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<undefined>((resolve) => {
      onAbort = () => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([run({ log, signal }), aborted]);
      if (typeof outcome === 'number') return { exitCode: outcome, results: undefined };
      return { exitCode: outcome?.exitCode ?? 0, results: outcome?.results };
    } catch (error) {
      log(error instanceof Error ? error.message : String(error));
      return { exitCode: 1, results: undefined };
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  finish(succeeded: boolean): void {
    this.update((_pod, status) => {
      status['phase'] = succeeded ? 'Succeeded' : 'Failed';
    });
  }
}
