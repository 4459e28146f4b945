import { RESOURCES } from '../kube/resource.js';
import { type WatchEvent, watchResource } from '../kube/watch.js';
import type { Condition, Param } from '../schemas/common.js';
import { type TaskRun, taskRunSchema } from '../schemas/runs.js';
import { Changes } from './async-queue.js';
import { type CallOptions, type ClientContext, callOptions } from './client-context.js';
import type { ListRunsOptions, WatchRunsOptions } from './pipeline-runs.js';
import { isRunDone } from './run-state.js';
import { type RunLogEntry, taskRunLogEntries } from './task-run-logs.js';

/** A TaskRun description: what `tkn taskrun describe` shows, as data. */
export interface TaskRunDescription {
  name: string;
  namespace: string;
  taskRef: string | undefined;
  serviceAccountName: string | undefined;
  timeout: string | undefined;
  labels: Record<string, string>;
  startTime: string | undefined;
  completionTime: string | undefined;
  conditions: Condition[];
  params: Param[];
  results: Array<{ name: string; value: unknown }>;
  steps: Array<{ name: string; status: string; exitCode: number | undefined }>;
  retries: number;
}

/** TaskRuns: get, list, watch, logs, describe. Reached as `client.taskRuns`. */
export class TaskRuns {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /** GETs a TaskRun. @throws {KubernetesApiError} `NotFound`. */
  get(name: string, options: CallOptions = {}): Promise<TaskRun> {
    return this.#context.transport.get(
      RESOURCES.taskRuns,
      options.namespace ?? this.#context.namespace,
      name,
      taskRunSchema,
      callOptions(options),
    );
  }

  /** Lists TaskRuns (all pages), e.g. `{ labelSelector: 'tekton.dev/pipelineRun=build-x' }`. */
  async list(options: ListRunsOptions = {}): Promise<TaskRun[]> {
    const { namespace, ...rest } = options;
    const result = await this.#context.transport.listAll(
      RESOURCES.taskRuns,
      namespace ?? this.#context.namespace,
      taskRunSchema,
      rest,
    );
    return result.items;
  }

  /** Watches TaskRuns with reflector semantics; `name` narrows to one. */
  watch(options: WatchRunsOptions = {}): AsyncIterable<WatchEvent<TaskRun>> {
    const { name, namespace, ...rest } = options;
    const onEvent = rest.onEvent ?? this.#context.onWatchEvent;
    const backoff = rest.backoff ?? this.#context.watchBackoff;
    return watchResource(this.#context.transport, RESOURCES.taskRuns, taskRunSchema, {
      ...rest,
      namespace: namespace ?? this.#context.namespace,
      ...(name ? { fieldSelector: `metadata.name=${name}` } : {}),
      ...(onEvent ? { onEvent } : {}),
      ...(backoff ? { backoff } : {}),
    });
  }

  /**
   * The TaskRun's logs, step by step, every attempt (retries reported as `retry` entries); with `follow` a live
   * TaskRun is watched until it is done.
   *
   * @example
   * ```ts
   * for await (const entry of client.taskRuns.logs('build-x-clone', { follow: true })) console.log(`[${entry.step}] ${entry.line}`);
   * ```
   */
  async *logs(name: string, options: CallOptions & { follow?: boolean } = {}): AsyncGenerator<RunLogEntry> {
    const namespace = options.namespace ?? this.#context.namespace;
    const taskRun = await this.get(name, options);
    const pipelineTask = taskRun.metadata.labels?.['tekton.dev/pipelineTask'] ?? '';
    if (!options.follow || isRunDone(taskRun)) {
      yield* taskRunLogEntries(this.#context, taskRun, {
        namespace,
        follow: false,
        pipelineTask,
        signal: options.signal,
      });
      return;
    }
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const updates = new Changes(taskRun);
    const watcher = (async () => {
      for await (const event of this.watch({ name, namespace, signal: stop.signal })) {
        updates.set(event.object);
        if (isRunDone(event.object)) return;
      }
    })().catch(() => undefined);
    try {
      yield* taskRunLogEntries(this.#context, taskRun, {
        namespace,
        follow: true,
        pipelineTask,
        signal: stop.signal,
        updates,
      });
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      stop.abort();
      await watcher;
    }
  }

  /** Describes a TaskRun (one GET). @throws {KubernetesApiError} `NotFound`. */
  async describe(name: string, options: CallOptions = {}): Promise<TaskRunDescription> {
    const taskRun = await this.get(name, options);
    const status = taskRun.status;
    return {
      name: taskRun.metadata.name ?? '',
      namespace: taskRun.metadata.namespace ?? '',
      taskRef: taskRun.spec.taskRef?.name || undefined,
      serviceAccountName: taskRun.spec.serviceAccountName || undefined,
      timeout: taskRun.spec.timeout,
      labels: { ...(taskRun.metadata.labels ?? {}) },
      startTime: status?.startTime,
      completionTime: status?.completionTime,
      conditions: status?.conditions ?? [],
      params: taskRun.spec.params ?? [],
      results: (status?.results ?? []).map((result) => ({ name: result.name, value: result.value })),
      steps: (status?.steps ?? []).map((step) => ({
        name: step.name ?? '',
        status: step.terminated
          ? step.terminated.exitCode === 0
            ? 'Completed'
            : (step.terminated.reason ?? 'Error')
          : step.running
            ? 'Running'
            : (step.waiting?.reason ?? '---'),
        exitCode: step.terminated?.exitCode,
      })),
      retries: status?.retriesStatus?.length ?? 0,
    };
  }
}
