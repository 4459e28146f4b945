import { z } from 'zod';
import { KubernetesApiError } from '../errors/kubernetes-api-error.js';
import { PodGoneError, WaitTimeoutError } from '../errors/tekton-errors.js';
import { streamPodLogs } from '../kube/pod-logs.js';
import { RESOURCES } from '../kube/resource.js';
import type { TaskRun } from '../schemas/runs.js';
import type { StepState } from '../schemas/task.js';
import type { Changes } from './async-queue.js';
import type { ClientContext } from './client-context.js';
import { isRunDone } from './run-state.js';

/** One entry of a run's log stream: a log line, or a notice about a retry or a missing pod. */
export interface RunLogEntry {
  /** `log` for a line; `retry` when a retried attempt starts; `pod-gone` when a pod was deleted (cancel, timeout);
   *  `not-started` when a container never started before the run ended. */
  kind: 'log' | 'retry' | 'pod-gone' | 'not-started';
  /** The pipeline task name; empty for a standalone TaskRun. */
  pipelineTask: string;
  taskRun: string;
  /** The step name (`step-` prefix trimmed); empty for notices about a whole pod. */
  step: string;
  /** The log text, or a human-readable notice. */
  line: string;
  /** The kubelet timestamp of a log line. */
  time: string | undefined;
  /** 0 for the first attempt, N for the N-th retry. */
  attempt: number;
}

const podSchema = z.looseObject({
  spec: z.looseObject({ containers: z.array(z.looseObject({ name: z.string() })).optional() }).optional(),
});

interface PodAttempt {
  podName: string;
  attempt: number;
  steps: StepState[] | undefined;
}

/** The pods of a TaskRun in order: retried attempts (`retriesStatus[].podName`) first, then the current one. */
export function podAttempts(taskRun: TaskRun): PodAttempt[] {
  const attempts: PodAttempt[] = [];
  const seen = new Set<string>();
  (taskRun.status?.retriesStatus ?? []).forEach((retry, index) => {
    if (retry.podName && !seen.has(retry.podName)) {
      seen.add(retry.podName);
      attempts.push({ podName: retry.podName, attempt: index, steps: retry.steps });
    }
  });
  const podName = taskRun.status?.podName;
  if (podName && !seen.has(podName)) {
    attempts.push({
      podName,
      attempt: taskRun.status?.retriesStatus?.length ?? 0,
      steps: taskRun.status?.steps,
    });
  }
  return attempts;
}

async function stepContainers(
  context: ClientContext,
  namespace: string,
  attempt: PodAttempt,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const fromStatus = (attempt.steps ?? []).map(
    (step) => step.container ?? (step.name ? `step-${step.name}` : ''),
  );
  if (fromStatus.length > 0 && fromStatus.every((name) => name !== '')) return fromStatus;
  const pod = await context.transport.get(
    RESOURCES.pods,
    namespace,
    attempt.podName,
    podSchema,
    signal ? { signal } : {},
  );
  return (pod.spec?.containers ?? [])
    .map((container) => container.name)
    .filter((name) => name.startsWith('step-'));
}

/** Options of {@link taskRunLogEntries}. */
export interface TaskRunLogOptions {
  namespace: string;
  follow: boolean;
  pipelineTask: string;
  signal?: AbortSignal | undefined;
  /** The live TaskRun (updated by a watch) when following. */
  updates?: Changes<TaskRun> | undefined;
}

/**
 * The log entries of one TaskRun: every attempt's pod in order, each step container in order. Missing pods are
 * reported as `pod-gone` entries, retries as `retry` entries; when following, waits for new attempts until the
 * TaskRun is done.
 */
export async function* taskRunLogEntries(
  context: ClientContext,
  initial: TaskRun,
  options: TaskRunLogOptions,
): AsyncGenerator<RunLogEntry> {
  const taskRunName = initial.metadata.name ?? '';
  const base = { pipelineTask: options.pipelineTask, taskRun: taskRunName };
  const followed = new Set<string>();
  while (true) {
    const current = options.updates?.value ?? initial;
    for (const attempt of podAttempts(current)) {
      if (followed.has(attempt.podName)) continue;
      followed.add(attempt.podName);
      if (attempt.attempt > 0) {
        yield {
          ...base,
          kind: 'retry',
          step: '',
          line: `retry ${attempt.attempt}: pod ${attempt.podName}`,
          time: undefined,
          attempt: attempt.attempt,
        };
      }
      let containers: string[];
      try {
        containers = await stepContainers(context, options.namespace, attempt, options.signal);
      } catch (error) {
        if (!KubernetesApiError.isNotFound(error)) throw error;
        yield {
          ...base,
          kind: 'pod-gone',
          step: '',
          line: `pod ${attempt.podName} was deleted; its logs are gone`,
          time: undefined,
          attempt: attempt.attempt,
        };
        continue;
      }
      for (const container of containers) {
        const step = container.replace(/^step-/, '');
        try {
          for await (const entry of streamPodLogs(context.transport, {
            namespace: options.namespace,
            pod: attempt.podName,
            container,
            follow: options.follow,
            ...(options.signal ? { signal: options.signal } : {}),
            ...(context.logPollIntervalMs !== undefined ? { pollIntervalMs: context.logPollIntervalMs } : {}),
          })) {
            yield {
              ...base,
              kind: 'log',
              step,
              line: entry.line,
              time: entry.time,
              attempt: attempt.attempt,
            };
          }
        } catch (error) {
          if (PodGoneError.isInstance(error)) {
            yield {
              ...base,
              kind: 'pod-gone',
              step,
              line: `pod ${attempt.podName} was deleted; its logs are gone`,
              time: undefined,
              attempt: attempt.attempt,
            };
            break;
          }
          if (WaitTimeoutError.isInstance(error) || (options.signal?.aborted && options.follow)) {
            yield {
              ...base,
              kind: 'not-started',
              step,
              line: `step ${step} produced no log before the run ended`,
              time: undefined,
              attempt: attempt.attempt,
            };
            if (options.signal?.aborted) return;
            continue;
          }
          throw error;
        }
      }
    }
    if (!options.follow || !options.updates) return;
    const latest = options.updates.value;
    if (isRunDone(latest) && podAttempts(latest).every((attempt) => followed.has(attempt.podName))) return;
    if (options.signal?.aborted) return;
    await options.updates.next(options.signal);
  }
}
