import { AbortError } from '@gitops-kit/core';
import { RESOURCES } from '../kube/resource.js';
import { watchResource } from '../kube/watch.js';
import { type PipelineRun, pipelineRunSchema, type TaskRun, taskRunSchema } from '../schemas/runs.js';
import { AsyncQueue, Changes } from './async-queue.js';
import type { ClientContext } from './client-context.js';
import { isRunDone } from './run-state.js';
import { type RunLogEntry, taskRunLogEntries } from './task-run-logs.js';

/** Options of `pipelineRuns.logs`. */
export interface PipelineRunLogOptions {
  namespace?: string;
  /** Follow a running run live (entries of parallel tasks interleave, each labelled). Default false. */
  follow?: boolean;
  signal?: AbortSignal;
  /** After the run is done, how long followers may take to drain before they are stopped; default 30 000 ms. */
  drainTimeoutMs?: number;
}

const PIPELINE_TASK_LABEL = 'tekton.dev/pipelineTask';
const MEMBER_OF_LABEL = 'tekton.dev/memberOf';

/** The TaskRuns of a run, by one label-selected list, filtered to this run's UID when labelled. */
export async function listChildTaskRuns(
  context: ClientContext,
  run: PipelineRun,
  namespace: string,
  signal?: AbortSignal,
): Promise<TaskRun[]> {
  const name = run.metadata.name ?? '';
  const { items } = await context.transport.listAll(RESOURCES.taskRuns, namespace, taskRunSchema, {
    labelSelector: `tekton.dev/pipelineRun=${name}`,
    ...(signal ? { signal } : {}),
  });
  const uid = run.metadata.uid;
  return items.filter((taskRun) => {
    const labelled = taskRun.metadata.labels?.['tekton.dev/pipelineRunUID'];
    return !uid || !labelled || labelled === uid;
  });
}

function pipelineTaskOf(taskRun: TaskRun, run: PipelineRun): string {
  const fromLabel = taskRun.metadata.labels?.[PIPELINE_TASK_LABEL];
  if (fromLabel) return fromLabel;
  return (
    run.status?.childReferences?.find((child) => child.name === taskRun.metadata.name)?.pipelineTaskName ?? ''
  );
}

/**
 * Execution order for a finished run: regular tasks before finally tasks; within each, by start time, ties (and
 * never-started tasks) by their order in the resolved pipeline spec.
 */
export function orderTaskRuns(run: PipelineRun, taskRuns: readonly TaskRun[]): TaskRun[] {
  const spec = run.status?.pipelineSpec ?? run.spec.pipelineSpec;
  const specOrder = [...(spec?.tasks ?? []), ...(spec?.finally ?? [])].map((task) => task.name);
  const finallyNames = new Set((spec?.finally ?? []).map((task) => task.name));
  const rank = (taskRun: TaskRun) => {
    const task = pipelineTaskOf(taskRun, run);
    const isFinally = taskRun.metadata.labels?.[MEMBER_OF_LABEL] === 'finally' || finallyNames.has(task);
    const start = taskRun.status?.startTime ? Date.parse(taskRun.status.startTime) : Number.POSITIVE_INFINITY;
    const index = specOrder.indexOf(task);
    return [isFinally ? 1 : 0, start, index === -1 ? specOrder.length : index] as const;
  };
  return [...taskRuns].sort((a, b) => {
    const left = rank(a);
    const right = rank(b);
    return left[0] - right[0] || left[1] - right[1] || left[2] - right[2];
  });
}

/**
 * Log entries of a PipelineRun. A finished run (or `follow: false`) is printed TaskRun by TaskRun in execution
 * order, finally tasks last. A running run with `follow: true` is followed live from one TaskRun watch and one
 * PipelineRun watch; parallel tasks interleave and every entry names its task; the stream ends once the run is
 * done and every follower has drained (never a silent hang: pods deleted by cancel or timeout and containers that
 * never started are reported as entries).
 */
export async function* pipelineRunLogEntries(
  context: ClientContext,
  name: string,
  options: PipelineRunLogOptions = {},
): AsyncGenerator<RunLogEntry> {
  const namespace = options.namespace ?? context.namespace;
  const run = await context.transport.get(RESOURCES.pipelineRuns, namespace, name, pipelineRunSchema, {
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!options.follow || isRunDone(run)) {
    const taskRuns = orderTaskRuns(run, await listChildTaskRuns(context, run, namespace, options.signal));
    for (const taskRun of taskRuns) {
      yield* taskRunLogEntries(context, taskRun, {
        namespace,
        follow: false,
        pipelineTask: pipelineTaskOf(taskRun, run),
        signal: options.signal,
      });
    }
    return;
  }
  yield* followLive(context, run, namespace, options);
}

async function* followLive(
  context: ClientContext,
  run: PipelineRun,
  namespace: string,
  options: PipelineRunLogOptions,
): AsyncGenerator<RunLogEntry> {
  const name = run.metadata.name ?? '';
  const queue = new AsyncQueue<RunLogEntry>();
  const stop = new AbortController();
  const followerStop = new AbortController();
  const onAbort = () => {
    stop.abort();
    followerStop.abort();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const states = new Map<string, Changes<TaskRun>>();
  const followers: Array<Promise<void>> = [];
  const watchOptions = {
    namespace,
    signal: stop.signal,
    ...(context.onWatchEvent ? { onEvent: context.onWatchEvent } : {}),
    ...(context.watchBackoff ? { backoff: context.watchBackoff } : {}),
  };

  const follow = (taskRun: TaskRun, updates: Changes<TaskRun>) =>
    (async () => {
      for await (const entry of taskRunLogEntries(context, taskRun, {
        namespace,
        follow: true,
        pipelineTask: pipelineTaskOf(taskRun, run),
        signal: followerStop.signal,
        updates,
      })) {
        queue.push(entry);
      }
    })();

  // The 'watch' diagnostic comes after every listed item was consumed: from then on the followers are complete.
  let markListed: () => void = () => undefined;
  const listed = new Promise<void>((resolve) => {
    markListed = resolve;
  });
  const taskRunWatch = (async () => {
    for await (const event of watchResource(context.transport, RESOURCES.taskRuns, taskRunSchema, {
      ...watchOptions,
      labelSelector: `tekton.dev/pipelineRun=${name}`,
      onEvent: (diagnostic) => {
        if (diagnostic.type === 'watch') markListed();
        context.onWatchEvent?.(diagnostic);
      },
    })) {
      const taskRunName = event.object.metadata.name ?? '';
      const state = states.get(taskRunName);
      if (state) {
        state.set(event.object);
      } else if (event.type !== 'DELETED') {
        const updates = new Changes(event.object);
        states.set(taskRunName, updates);
        const follower = follow(event.object, updates);
        // A follower that fails (not a cancelled pod: those are entries) ends the stream now, not after the drain.
        follower.catch((error: unknown) => {
          if (!followerStop.signal.aborted) queue.fail(error);
        });
        followers.push(follower);
      }
    }
  })();

  const runDone = (async () => {
    for await (const event of watchResource(context.transport, RESOURCES.pipelineRuns, pipelineRunSchema, {
      ...watchOptions,
      fieldSelector: `metadata.name=${name}`,
    })) {
      if (event.type === 'DELETED' || isRunDone(event.object)) return;
    }
  })();

  const supervisor = (async () => {
    try {
      await Promise.race([runDone, taskRunWatch]);
      await Promise.race([listed, taskRunWatch]);
      // Drain: wait for followers (new ones may still appear from the TaskRun watch), bounded in time.
      const deadline = Date.now() + (options.drainTimeoutMs ?? 30_000);
      let settledCount = -1;
      while (settledCount !== followers.length && Date.now() < deadline) {
        settledCount = followers.length;
        await Promise.race([
          Promise.allSettled(followers),
          new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref()),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 50).unref());
      }
      followerStop.abort();
      stop.abort();
      const results = await Promise.allSettled(followers);
      const failure = results.find(
        (result) => result.status === 'rejected' && !AbortError.isInstance(result.reason),
      );
      if (failure && failure.status === 'rejected') queue.fail(failure.reason);
      else queue.end();
    } catch (error) {
      queue.fail(error);
    }
  })();
  taskRunWatch.catch((error: unknown) => {
    if (!stop.signal.aborted) queue.fail(error);
  });
  runDone.catch((error: unknown) => {
    if (!stop.signal.aborted) queue.fail(error);
  });

  try {
    for await (const entry of queue) yield entry;
    if (options.signal?.aborted) throw new AbortError('log following aborted');
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    stop.abort();
    followerStop.abort();
    await supervisor.catch(() => undefined);
  }
}
