import { AbortError } from '@gitops-kit/core';
import { buildPipelineRunDescription, type PipelineRunDescription } from '../describe/describe-model.js';
import { KubernetesApiError } from '../errors/kubernetes-api-error.js';
import { TektonUsageError, TektonValidationError, WaitTimeoutError } from '../errors/tekton-errors.js';
import type { ListOptions } from '../kube/kube-transport.js';
import { RESOURCES } from '../kube/resource.js';
import { type WatchEvent, type WatchOptions, watchResource } from '../kube/watch.js';
import { type PipelineRun, pipelineRunSchema } from '../schemas/runs.js';
import { validateTektonDocument } from '../validation/validate-document.js';
import { type CallOptions, type ClientContext, callOptions } from './client-context.js';
import { outcomeOf, type PipelineRunOutcome } from './outcome.js';
import { listChildTaskRuns, type PipelineRunLogOptions, pipelineRunLogEntries } from './pipeline-run-logs.js';
import { isRunDone } from './run-state.js';
import { buildPipelineRun, type StartPipelineRunInput } from './start-input.js';
import type { RunLogEntry } from './task-run-logs.js';

/** How `cancel` stops a run (`spec.status`). */
export type CancelMode = 'Cancelled' | 'CancelledRunFinally' | 'StoppedRunFinally';

/** Options of `waitForCompletion`. */
export interface WaitForCompletionOptions extends CallOptions {
  /** Called with every observed state of the run. */
  onUpdate?: (run: PipelineRun) => void;
}

/** Options of list calls. */
export type ListRunsOptions = CallOptions & Pick<ListOptions, 'labelSelector' | 'fieldSelector' | 'limit'>;

/** Options of `watch`. */
export type WatchRunsOptions = Omit<WatchOptions, 'namespace'> & { namespace?: string; name?: string };

const GENERATE_NAME_ATTEMPTS = 3;

/**
 * PipelineRuns: start, get, list, watch, wait, cancel, logs and describe. Reached as `client.pipelineRuns`.
 */
export class PipelineRuns {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  /**
   * Creates a PipelineRun (POST, so `generateName` works) and returns it with its server-chosen name. An inline
   * `pipelineSpec` is validated first. A generated-name collision (409) is retried with a new name.
   *
   * @throws {TektonUsageError} when neither or both of pipelineRef / pipelineSpec are given.
   * @throws {TektonValidationError} when the run fails static validation (nothing is sent).
   * @throws {KubernetesApiError} when the server refuses it (`Invalid`, `Forbidden`…).
   * @example
   * ```ts
   * const run = await client.pipelineRuns.start({ pipelineRef: { name: 'build' }, params: { revision: sha } });
   * ```
   */
  async start(input: StartPipelineRunInput, options: CallOptions = {}): Promise<PipelineRun> {
    if (Boolean(input.pipelineRef) === Boolean(input.pipelineSpec)) {
      throw new TektonUsageError('start needs exactly one of pipelineRef and pipelineSpec');
    }
    const namespace = options.namespace ?? this.#context.namespace;
    const body = buildPipelineRun(input, namespace);
    const validation = validateTektonDocument(body);
    if (!validation.valid) {
      throw new TektonValidationError(
        `PipelineRun is invalid: ${validation.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
        { issues: validation.issues },
      );
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#context.transport.create(
          RESOURCES.pipelineRuns,
          namespace,
          body,
          pipelineRunSchema,
          callOptions(options),
        );
      } catch (error) {
        const generated = !input.name;
        if (!generated || attempt >= GENERATE_NAME_ATTEMPTS || !KubernetesApiError.isConflict(error))
          throw error;
      }
    }
  }

  /** GETs a run. @throws {KubernetesApiError} `NotFound`. */
  get(name: string, options: CallOptions = {}): Promise<PipelineRun> {
    return this.#context.transport.get(
      RESOURCES.pipelineRuns,
      options.namespace ?? this.#context.namespace,
      name,
      pipelineRunSchema,
      callOptions(options),
    );
  }

  /** Lists runs (all pages). @example `await client.pipelineRuns.list({ labelSelector: 'app=demo' })` */
  async list(options: ListRunsOptions = {}): Promise<PipelineRun[]> {
    const { namespace, ...rest } = options;
    const result = await this.#context.transport.listAll(
      RESOURCES.pipelineRuns,
      namespace ?? this.#context.namespace,
      pipelineRunSchema,
      rest,
    );
    return result.items;
  }

  /** Lists runs page by page as an async iterable. */
  iterate(options: ListRunsOptions = {}): AsyncIterable<PipelineRun> {
    const { namespace, ...rest } = options;
    return this.#context.transport.iterate(
      RESOURCES.pipelineRuns,
      namespace ?? this.#context.namespace,
      pipelineRunSchema,
      rest,
    );
  }

  /**
   * Watches runs (list, then watch with bookmarks, reconnects and 410 re-lists). `name` narrows to one run.
   *
   * @example
   * ```ts
   * for await (const { type, object } of client.pipelineRuns.watch({ name: 'build-x', signal })) console.log(type);
   * ```
   */
  watch(options: WatchRunsOptions = {}): AsyncIterable<WatchEvent<PipelineRun>> {
    const { name, namespace, ...rest } = options;
    const onEvent = rest.onEvent ?? this.#context.onWatchEvent;
    const backoff = rest.backoff ?? this.#context.watchBackoff;
    return watchResource(this.#context.transport, RESOURCES.pipelineRuns, pipelineRunSchema, {
      ...rest,
      namespace: namespace ?? this.#context.namespace,
      ...(name ? { fieldSelector: `metadata.name=${name}` } : {}),
      ...(onEvent ? { onEvent } : {}),
      ...(backoff ? { backoff } : {}),
    });
  }

  /**
   * Waits until the run is done — read from the `Succeeded` condition's status, never from the reason alone — and
   * returns the outcome with the failed tasks (from one TaskRun list).
   *
   * @throws {WaitTimeoutError} after `timeoutMs`, with the last observed run.
   * @throws {AbortError} when `signal` aborts.
   * @throws {KubernetesApiError} `NotFound` when the run does not exist or is deleted while waiting.
   * @example
   * ```ts
   * const outcome = await client.pipelineRuns.waitForCompletion(run.metadata.name!, { timeoutMs: 30 * 60_000 });
   * if (outcome.status !== 'Succeeded') console.error(outcome.reason, outcome.failedTasks);
   * ```
   */
  async waitForCompletion(name: string, options: WaitForCompletionOptions = {}): Promise<PipelineRunOutcome> {
    const namespace = options.namespace ?? this.#context.namespace;
    // A GET first: a missing run fails fast with NotFound instead of waiting on an empty watch.
    const first = await this.get(name, { ...options, namespace });
    options.onUpdate?.(first);
    if (isRunDone(first))
      return outcomeOf(first, await listChildTaskRuns(this.#context, first, namespace, options.signal));
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, options.timeoutMs);
    let last: PipelineRun | undefined = first;
    try {
      for await (const event of this.watch({ name, namespace, signal: controller.signal })) {
        if (event.type === 'DELETED') {
          throw new KubernetesApiError(`PipelineRun "${name}" was deleted while waiting for it`, {
            status: 404,
            method: 'WATCH',
            url: name,
            kubeStatus: { code: 404, reason: 'NotFound', message: 'deleted' },
          });
        }
        last = event.object;
        options.onUpdate?.(event.object);
        if (isRunDone(event.object)) {
          const taskRuns = await listChildTaskRuns(this.#context, event.object, namespace, options.signal);
          return outcomeOf(event.object, taskRuns);
        }
      }
      throw new AbortError('watch ended');
    } catch (error) {
      if (timedOut) {
        throw new WaitTimeoutError(`PipelineRun "${name}" did not finish within ${options.timeoutMs} ms`, {
          timeoutMs: options.timeoutMs ?? 0,
          lastState: last,
        });
      }
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort();
    }
  }

  /**
   * Cancels a running run with a JSON merge patch of `spec.status`: `Cancelled` (stop now, skip finally),
   * `CancelledRunFinally` (cancel, then run finally) or `StoppedRunFinally` (let running tasks finish, then finally).
   *
   * @throws {TektonUsageError} (`RUN_ALREADY_FINISHED`) when the run is already done.
   * @example
   * ```ts
   * await client.pipelineRuns.cancel('build-x7k2p', { mode: 'CancelledRunFinally' });
   * ```
   */
  async cancel(name: string, options: CallOptions & { mode?: CancelMode } = {}): Promise<PipelineRun> {
    const mode = options.mode ?? 'Cancelled';
    if (!['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally'].includes(mode)) {
      throw new TektonUsageError(`unknown cancel mode "${mode}"`);
    }
    const namespace = options.namespace ?? this.#context.namespace;
    const run = await this.get(name, options);
    if (isRunDone(run)) {
      throw new TektonUsageError(`PipelineRun "${name}" has already finished`, {
        code: 'RUN_ALREADY_FINISHED',
      });
    }
    return this.#context.transport.mergePatch(
      RESOURCES.pipelineRuns,
      namespace,
      name,
      { spec: { status: mode } },
      pipelineRunSchema,
      callOptions(options),
    );
  }

  /**
   * The run's logs as entries `{ pipelineTask, taskRun, step, line, time }` (plus `retry` / `pod-gone` /
   * `not-started` notices). See `pipelineRunLogEntries` (internal) for ordering.
   *
   * @example
   * ```ts
   * for await (const e of client.pipelineRuns.logs(name, { follow: true })) console.log(`[${e.pipelineTask} : ${e.step}] ${e.line}`);
   * ```
   */
  logs(name: string, options: PipelineRunLogOptions = {}): AsyncIterable<RunLogEntry> {
    return pipelineRunLogEntries(this.#context, name, options);
  }

  /**
   * Describes a run from one GET of the run and **one** label-selected list of its TaskRuns (tkn does one GET per
   * TaskRun). Render it with `formatDescribe`.
   *
   * @throws {KubernetesApiError} `NotFound`.
   */
  async describe(name: string, options: CallOptions = {}): Promise<PipelineRunDescription> {
    const namespace = options.namespace ?? this.#context.namespace;
    const run = await this.get(name, options);
    const taskRuns = await listChildTaskRuns(this.#context, run, namespace, options.signal);
    return buildPipelineRunDescription(run, taskRuns);
  }
}
