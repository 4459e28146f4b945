import type { KubeObject, ObjectStore } from './object-store.js';
import { INIT_CONTAINERS, PodDriver, type StepSpec } from './pod-driver.js';
import type { PodLogStore } from './pod-logs.js';
import { findResourceTypeByKind } from './resource-types.js';
import { formatGoDurationSafe, parseGoDurationMs, type SimulatedClock } from './simulated-clock.js';
import type { ParamValue, StepScript, TaskScript, TaskScripts } from './task-script.js';
import { isRunFinished, setSucceeded, statusOf, succeededCondition } from './tekton-status.js';
import { type ParamSpec, paramResolver, resolveParams, substituteVariables } from './tekton-substitution.js';

const TASK_RUN = findResourceTypeByKind('TaskRun')!;
const TASK = findResourceTypeByKind('Task')!;
const POD = findResourceTypeByKind('Pod')!;
/** Tekton's `default-timeout-minutes`. */
const DEFAULT_TIMEOUT_MS = 60 * 60_000;

type StopReason = 'cancelled' | 'timeout' | 'stopped';
type AttemptOutcome =
  | { kind: 'succeeded' }
  | { kind: 'failed'; message: string }
  | { kind: 'stopped'; reason: StopReason };

interface TaskSpec {
  params?: ParamSpec[];
  steps?: StepSpec[];
  [key: string]: unknown;
}

function stepName(step: StepSpec, index: number): string {
  return step.name ?? `unnamed-${index}`;
}

function resultType(value: ParamValue): string {
  return typeof value === 'string' ? 'string' : Array.isArray(value) ? 'array' : 'object';
}

/**
 * Runs TaskRuns the way Tekton's TaskRun reconciler and entrypoint do, driven by the test's step scripts: a
 * pod `<taskrun>-pod` (`-pod-retry<N>` for retries) that is first unscheduled, then initialising, then runs one
 * container per step in order; `status.steps`, `podName`, `results`, `retriesStatus` and the `Succeeded`
 * condition follow Tekton. Cancellation (`spec.status: TaskRunCancelled`) and timeouts delete the pod.
 */
export class TaskRunRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly store: ObjectStore,
    private readonly logs: PodLogStore,
    private readonly clock: SimulatedClock,
    private readonly scripts: TaskScripts,
    /** Receives what a run throws (the controller logs it and fails the TaskRun); nothing escapes as a rejection. */
    private readonly onError: (taskRun: KubeObject, error: unknown) => void,
  ) {}

  /** Starts a TaskRun that has no status yet (idempotent). */
  start(taskRun: KubeObject): void {
    const key = `${taskRun.metadata.namespace}/${taskRun.metadata.name}`;
    if (this.running.has(key) || succeededCondition(taskRun) !== undefined) return;
    if ((taskRun['spec'] as { status?: string } | undefined)?.status === 'TaskRunCancelled') {
      this.finishStopped(taskRun.metadata.namespace ?? 'default', taskRun.metadata.name, 'cancelled');
      return;
    }
    const controller = new AbortController();
    this.running.set(key, controller);
    void this.run(taskRun, controller.signal)
      .catch((error: unknown) => this.onError(taskRun, error))
      .finally(() => this.running.delete(key));
  }

  /** Reacts to a change: `spec.status: TaskRunCancelled` stops a running TaskRun. */
  changed(taskRun: KubeObject): void {
    const spec = taskRun['spec'] as { status?: string } | undefined;
    if (spec?.status !== 'TaskRunCancelled') return;
    const key = `${taskRun.metadata.namespace}/${taskRun.metadata.name}`;
    const controller = this.running.get(key);
    if (controller !== undefined) controller.abort('cancelled');
    else if (!isRunFinished(taskRun))
      this.finishStopped(taskRun.metadata.namespace ?? 'default', taskRun.metadata.name, 'cancelled');
  }

  /** Stops the simulation of a TaskRun that was deleted (its pod went with it). */
  deleted(taskRun: Readonly<KubeObject>): void {
    this.running.get(`${taskRun.metadata.namespace}/${taskRun.metadata.name}`)?.abort('stopped');
  }

  /** Stops every run (emulator shutdown). */
  stopAll(): void {
    for (const controller of this.running.values()) controller.abort('stopped');
  }

  private update(
    namespace: string,
    name: string,
    change: (taskRun: KubeObject) => void,
  ): KubeObject | undefined {
    return this.store.mutate(TASK_RUN, namespace, name, change);
  }

  private resolveTaskSpec(taskRun: KubeObject): TaskSpec | string {
    const spec = (taskRun['spec'] ?? {}) as {
      taskSpec?: TaskSpec;
      taskRef?: { name?: string; resolver?: string };
    };
    if (spec.taskSpec !== undefined) return spec.taskSpec;
    const refName = spec.taskRef?.name;
    if (refName === undefined)
      return 'resolvers are not supported by the KubeEmulator; use taskRef.name or taskSpec';
    const task = this.store.get(TASK, taskRun.metadata.namespace, refName);
    if (task === undefined) return `tasks.tekton.dev "${refName}" not found`;
    return (task['spec'] ?? {}) as TaskSpec;
  }

  private async run(taskRun: KubeObject, signal: AbortSignal): Promise<void> {
    const namespace = taskRun.metadata.namespace ?? 'default';
    const name = taskRun.metadata.name;
    const spec = (taskRun['spec'] ?? {}) as {
      params?: Array<{ name: string; value: ParamValue }>;
      timeout?: string;
      retries?: number;
      serviceAccountName?: string;
    };
    const resolved = this.resolveTaskSpec(taskRun);
    const now = this.clock.isoNow();
    if (typeof resolved === 'string') {
      this.update(namespace, name, (object) =>
        setSucceeded(object, 'False', 'CouldntGetTask', `[User error] ${resolved}`, now),
      );
      return;
    }
    const { values, missing } = resolveParams(resolved.params, spec.params);
    if (missing.length > 0) {
      const message = `[User error] invalid input params for task ${name}: missing values for these params which have no default values: [${missing.join(' ')}]`;
      this.update(namespace, name, (object) =>
        setSucceeded(object, 'False', 'TaskRunValidationFailed', message, now),
      );
      return;
    }
    const taskSpec = substituteVariables(
      resolved,
      paramResolver(values, { 'context.taskRun.name': name, 'context.taskRun.namespace': namespace }),
    ) as TaskSpec;
    const timeoutText = spec.timeout;
    const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : parseGoDurationMs(timeoutText);
    this.update(namespace, name, (object) => {
      const status = statusOf(object);
      status['startTime'] = now;
      status['taskSpec'] = taskSpec;
      setSucceeded(object, 'Unknown', 'Pending', 'Pending', now);
    });
    const retries = spec.retries ?? 0;
    for (let attempt = 0; ; attempt += 1) {
      // Tekton applies the timeout to each attempt and retries timed-out attempts like failed ones.
      const attemptTimeout = new AbortController();
      const timer =
        timeoutMs > 0 ? this.clock.setTimeout(() => attemptTimeout.abort('timeout'), timeoutMs) : undefined;
      const attemptSignal = AbortSignal.any([signal, attemptTimeout.signal]);
      const outcome = await this.runAttempt(taskRun, taskSpec, values, attempt, attemptSignal).finally(() =>
        this.clock.clearTimeout(timer),
      );
      const finishedAt = this.clock.isoNow();
      if (outcome.kind === 'succeeded') {
        this.update(namespace, name, (object) =>
          setSucceeded(object, 'True', 'Succeeded', 'All Steps have completed executing', finishedAt),
        );
        return;
      }
      const timedOut = outcome.kind === 'stopped' && outcome.reason === 'timeout';
      if (outcome.kind === 'stopped' && (!timedOut || attempt >= retries)) {
        this.finishStopped(namespace, name, outcome.reason, formatGoDurationSafe(timeoutMs));
        return;
      }
      const message =
        outcome.kind === 'failed'
          ? outcome.message
          : `TaskRun "${name}" failed to finish within "${formatGoDurationSafe(timeoutMs)}"`;
      const reason = timedOut ? 'TaskRunTimeout' : 'Failed';
      if (attempt >= retries) {
        this.update(namespace, name, (object) => setSucceeded(object, 'False', reason, message, finishedAt));
        return;
      }
      if (timedOut) this.deletePod(namespace, name);
      this.update(namespace, name, (object) => {
        const status = statusOf(object);
        const snapshot = structuredClone(status);
        delete snapshot['retriesStatus'];
        snapshot['conditions'] = [
          { type: 'Succeeded', status: 'False', reason, message, lastTransitionTime: finishedAt },
        ];
        snapshot['completionTime'] = finishedAt;
        status['retriesStatus'] = [...((status['retriesStatus'] as unknown[] | undefined) ?? []), snapshot];
        status['startTime'] = finishedAt;
        status['steps'] = [];
        delete status['results'];
        setSucceeded(object, 'Unknown', 'ToBeRetried', message, finishedAt);
      });
    }
  }

  /** Deletes the current pod of a TaskRun (Tekton does so on cancellation and timeout; its logs go with it). */
  private deletePod(namespace: string, name: string): void {
    const status = this.store.peek(TASK_RUN, namespace, name)?.['status'] as { podName?: string } | undefined;
    const podName = status?.podName;
    if (podName !== undefined && this.store.peek(POD, namespace, podName) !== undefined) {
      this.store.delete(POD, namespace, podName);
    }
  }

  private finishStopped(namespace: string, name: string, reason: StopReason, timeoutText = ''): void {
    if (reason === 'stopped') return;
    const now = this.clock.isoNow();
    this.update(namespace, name, (object) => {
      const status = statusOf(object);
      const steps = (status['steps'] as Array<Record<string, unknown>> | undefined) ?? [];
      for (const step of steps) {
        if (step['terminated'] !== undefined) continue;
        const startedAt = (step['running'] as { startedAt?: string } | undefined)?.startedAt ?? now;
        delete step['running'];
        delete step['waiting'];
        step['terminated'] = {
          exitCode: 1,
          reason: reason === 'cancelled' ? 'TaskRunCancelled' : 'TaskRunTimeout',
          startedAt,
          finishedAt: now,
        };
      }
      const specMessage = (object['spec'] as { statusMessage?: string } | undefined)?.statusMessage;
      if (reason === 'cancelled') {
        setSucceeded(
          object,
          'False',
          'TaskRunCancelled',
          `TaskRun "${name}" was cancelled. ${specMessage ?? ''}`.trim(),
          now,
        );
      } else {
        setSucceeded(
          object,
          'False',
          'TaskRunTimeout',
          `TaskRun "${name}" failed to finish within "${timeoutText}"`,
          now,
        );
      }
    });
    this.deletePod(namespace, name);
  }

  private async runAttempt(
    taskRun: KubeObject,
    taskSpec: TaskSpec,
    params: Record<string, ParamValue>,
    attempt: number,
    signal: AbortSignal,
  ): Promise<AttemptOutcome> {
    const namespace = taskRun.metadata.namespace ?? 'default';
    const name = taskRun.metadata.name;
    const labels = taskRun.metadata.labels ?? {};
    const podName = attempt === 0 ? `${name}-pod` : `${name}-pod-retry${attempt}`;
    const steps = taskSpec.steps ?? [];
    const containers = steps.map((step, index) => `step-${stepName(step, index)}`);
    const script: TaskScript = this.scripts.resolve({
      attempt,
      taskRunName: name,
      pipelineTask: labels['tekton.dev/pipelineTask'],
      taskName:
        labels['tekton.dev/task'] ?? (taskRun['spec'] as { taskRef?: { name?: string } }).taskRef?.name,
      params,
    });
    const stopped = (): AttemptOutcome | undefined =>
      signal.aborted ? { kind: 'stopped', reason: signal.reason as StopReason } : undefined;
    const pods = new PodDriver(this.store, this.logs, this.clock, namespace, podName);
    pods.create(taskRun, steps, containers, INIT_CONTAINERS);
    this.update(namespace, name, (object) => {
      statusOf(object)['podName'] = podName;
    });
    await this.clock.sleep(script.scheduleDelayMs ?? 0, signal);
    if (stopped()) return stopped()!;
    pods.schedule(INIT_CONTAINERS, containers);
    await this.clock.sleep(script.initDelayMs ?? 0, signal);
    if (stopped()) return stopped()!;
    const startedAt = this.clock.isoNow();
    pods.startContainers(containers);
    const stepStates: Array<Record<string, unknown>> = containers.map((container, index) => ({
      name: stepName(steps[index] ?? {}, index),
      container,
      running: { startedAt },
    }));
    const publish = (): void => {
      this.update(namespace, name, (object) => {
        statusOf(object)['steps'] = structuredClone(stepStates);
        setSucceeded(
          object,
          'Unknown',
          'Running',
          'Not all Steps in the Task have finished executing',
          startedAt,
        );
      });
    };
    publish();
    const results: Record<string, ParamValue> = {};
    let failure: string | undefined;
    for (const [index, container] of containers.entries()) {
      const state = stepStates[index]!;
      const step: StepScript & { exitCode: number; durationMs: number } = this.scripts.step(
        script,
        String(state['name']),
      );
      const stepStartedAt = this.clock.isoNow();
      if (failure !== undefined) {
        state['terminated'] = {
          exitCode: 1,
          reason: 'Error',
          startedAt: stepStartedAt,
          finishedAt: stepStartedAt,
        };
        state['terminationReason'] = 'Skipped';
      } else {
        const outcome = await pods.runStep(container, step, signal);
        if ('stopped' in outcome) return { kind: 'stopped', reason: outcome.stopped as StopReason };
        Object.assign(results, outcome.results ?? {});
        state['terminated'] = {
          exitCode: outcome.exitCode,
          reason: outcome.exitCode === 0 ? 'Completed' : 'Error',
          startedAt: stepStartedAt,
          finishedAt: this.clock.isoNow(),
        };
        state['terminationReason'] = outcome.exitCode === 0 ? 'Completed' : 'Error';
        if (outcome.exitCode !== 0 && steps[index]?.onError !== 'continue') {
          failure = `"${container}" exited with code ${outcome.exitCode}`;
        }
      }
      delete state['running'];
      this.logs.setState(namespace, podName, container, 'terminated');
      publish();
    }
    pods.finish(failure === undefined);
    this.update(namespace, name, (object) => {
      const entries = Object.entries(results);
      if (entries.length > 0)
        statusOf(object)['results'] = entries.map(([key, value]) => ({
          name: key,
          type: resultType(value),
          value,
        }));
    });
    return failure === undefined ? { kind: 'succeeded' } : { kind: 'failed', message: failure };
  }
}
