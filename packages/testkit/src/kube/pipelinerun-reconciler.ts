import type { KubeObject, ObjectStore } from './object-store.js';
import { validatePipelineGraph } from './pipeline-graph.js';
import { createPipelineTaskRun, type PipelineRunSpec, type PipelineTask } from './pipeline-task-run.js';
import { findResourceTypeByKind } from './resource-types.js';
import { formatGoDuration, parseGoDurationMs, type SimulatedClock } from './simulated-clock.js';
import type { ParamValue } from './task-script.js';
import { isRunFinished, setSucceeded, statusOf, succeededCondition } from './tekton-status.js';
import {
  evaluateWhen,
  hasUnresolvedResultReference,
  type ParamSpec,
  paramResolver,
  resolveParams,
  resultReferences,
  substituteVariables,
  type WhenExpression,
} from './tekton-substitution.js';

const PIPELINE_RUN = findResourceTypeByKind('PipelineRun')!;
const PIPELINE = findResourceTypeByKind('Pipeline')!;
const TASK_RUN = findResourceTypeByKind('TaskRun')!;

type TaskState = 'none' | 'running' | 'succeeded' | 'failed' | 'ignored' | 'cancelled' | 'skipped';

interface PipelineSpec {
  params?: ParamSpec[];
  tasks?: PipelineTask[];
  finally?: PipelineTask[];
  results?: Array<{ name: string; value: ParamValue }>;
}

interface SkippedTask {
  name: string;
  reason: string;
  whenExpressions?: WhenExpression[];
}

const CANCELLED_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has been cancelled.';
const TIMED_OUT_MESSAGE = 'TaskRun cancelled as the PipelineRun it belongs to has timed out.';

/**
 * One reconcile pass over a PipelineRun, in the spirit of Tekton's PipelineRun reconciler: it reads the run and
 * its TaskRuns (by label), then schedules ready tasks along the DAG (runAfter and result references), evaluates
 * `when`, runs `finally` tasks, applies timeouts and the three cancel modes, and writes the `Succeeded`
 * condition with Tekton's reasons and messages. It is idempotent; the controller calls it on every change and
 * when a timeout falls due (`nextDeadlineMs`).
 */
export class PipelineRunReconciler {
  constructor(
    private readonly store: ObjectStore,
    private readonly clock: SimulatedClock,
  ) {}

  /** Reconciles one run; returns the simulated epoch ms of its next timeout, if any. */
  reconcile(namespace: string, name: string): number | undefined {
    const run = this.store.get(PIPELINE_RUN, namespace, name);
    if (run === undefined || isRunFinished(run)) return undefined;
    const spec = (run['spec'] ?? {}) as PipelineRunSpec;
    const now = this.clock.isoNow();
    const update = (change: (object: KubeObject) => void): void =>
      void this.store.mutate(PIPELINE_RUN, namespace, name, change);
    if (spec.status === 'PipelineRunPending') {
      update((object) =>
        setSucceeded(object, 'Unknown', 'PipelineRunPending', `PipelineRun "${name}" is pending`, now),
      );
      return undefined;
    }
    if (statusOf(run)['startTime'] === undefined) {
      if (!this.initialise(run, spec, now)) return undefined;
      return this.reconcile(namespace, name);
    }
    return this.advance(run, spec);
  }

  private initialise(run: KubeObject, spec: PipelineRunSpec, now: string): boolean {
    const { namespace = 'default', name } = run.metadata;
    const fail = (reason: string, message: string): false => {
      this.store.mutate(PIPELINE_RUN, namespace, name, (object) => {
        statusOf(object)['startTime'] = now;
        setSucceeded(object, 'False', reason, message, now);
      });
      return false;
    };
    if (
      spec.status === 'Cancelled' ||
      spec.status === 'CancelledRunFinally' ||
      spec.status === 'StoppedRunFinally'
    ) {
      return fail('Cancelled', `PipelineRun "${name}" was cancelled`);
    }
    let pipelineSpec = spec.pipelineSpec as PipelineSpec | undefined;
    if (pipelineSpec === undefined) {
      const refName = spec.pipelineRef?.name;
      const pipeline = refName === undefined ? undefined : this.store.get(PIPELINE, namespace, refName);
      if (pipeline === undefined) {
        const why =
          refName === undefined
            ? 'resolvers are not supported by the KubeEmulator'
            : `pipelines.tekton.dev "${refName}" not found`;
        return fail(
          'CouldntGetPipeline',
          `[User error] Error retrieving pipeline for pipelinerun ${namespace}/${name}: ${why}`,
        );
      }
      pipelineSpec = (pipeline['spec'] ?? {}) as PipelineSpec;
    }
    const { missing } = resolveParams(pipelineSpec.params, spec.params);
    if (missing.length > 0) {
      return fail(
        'ParameterMissing',
        `[User error] PipelineRun ${namespace}/${name} parameters is missing some parameters required by Pipeline ${spec.pipelineRef?.name ?? name}'s parameters: pipelineRun missing parameters: [${missing.join(' ')}]`,
      );
    }
    const problem = validatePipelineGraph(pipelineSpec.tasks ?? [], pipelineSpec.finally ?? []);
    if (problem !== undefined)
      return fail(
        'PipelineValidationFailed',
        `[User error] Pipeline ${namespace}/${spec.pipelineRef?.name ?? name} can't be Run; it has an invalid spec: ${problem}`,
      );
    const resolvedSpec = pipelineSpec;
    this.store.mutate(PIPELINE_RUN, namespace, name, (object) => {
      object.metadata.labels = {
        ...(object.metadata.labels ?? {}),
        'tekton.dev/pipeline': spec.pipelineRef?.name ?? name,
      };
      const status = statusOf(object);
      status['startTime'] = now;
      status['pipelineSpec'] = resolvedSpec;
      setSucceeded(object, 'Unknown', 'Started', '', now);
    });
    return true;
  }

  private advance(run: KubeObject, spec: PipelineRunSpec): number | undefined {
    const { namespace = 'default', name } = run.metadata;
    const status = statusOf(run);
    const pipelineSpec = (status['pipelineSpec'] ?? {}) as PipelineSpec;
    const tasks = pipelineSpec.tasks ?? [];
    const finallyTasks = pipelineSpec.finally ?? [];
    const params = resolveParams(pipelineSpec.params, spec.params).values;
    const taskRuns = new Map<string, KubeObject>();
    for (const taskRun of this.store.peekList(TASK_RUN, namespace)) {
      if (taskRun.metadata.labels?.['tekton.dev/pipelineRunUID'] !== run.metadata.uid) continue;
      taskRuns.set(taskRun.metadata.labels['tekton.dev/pipelineTask'] ?? '', taskRun);
    }
    const skipped: SkippedTask[] = [...((status['skippedTasks'] as SkippedTask[] | undefined) ?? [])];
    const allTasks = [...tasks, ...finallyTasks];
    const stateOf = (taskName: string): TaskState => {
      if (skipped.some((entry) => entry.name === taskName)) return 'skipped';
      const taskRun = taskRuns.get(taskName);
      if (taskRun === undefined) return 'none';
      const condition = succeededCondition(taskRun);
      if (condition === undefined || condition.status === 'Unknown') return 'running';
      if (condition.status === 'True') return 'succeeded';
      if (condition.reason === 'TaskRunCancelled') return 'cancelled';
      return allTasks.find((task) => task.name === taskName)?.onError === 'continue' ? 'ignored' : 'failed';
    };

    const nowMs = this.clock.now();
    const startMs = Date.parse(String(status['startTime']));
    const timeoutMs = (text: string | undefined): number =>
      text === undefined ? 0 : parseGoDurationMs(text);
    const pipelineTimeoutMs = timeoutMs(spec.timeouts?.pipeline);
    const tasksTimeoutMs = timeoutMs(spec.timeouts?.tasks);
    const finallyTimeoutMs = timeoutMs(spec.timeouts?.finally);
    const finallyStartMs =
      status['finallyStartTime'] === undefined ? undefined : Date.parse(String(status['finallyStartTime']));
    const pipelineTimedOut = pipelineTimeoutMs > 0 && nowMs >= startMs + pipelineTimeoutMs;
    const tasksTimedOut = tasksTimeoutMs > 0 && nowMs >= startMs + tasksTimeoutMs;
    const finallyTimedOut =
      finallyTimeoutMs > 0 && finallyStartMs !== undefined && nowMs >= finallyStartMs + finallyTimeoutMs;
    const hardCancel = spec.status === 'Cancelled';
    const graceCancel = spec.status === 'CancelledRunFinally';
    const graceStop = spec.status === 'StoppedRunFinally';

    const cancel = (taskNames: readonly PipelineTask[], message: string): void => {
      for (const task of taskNames) {
        const taskRun = taskRuns.get(task.name);
        if (taskRun === undefined || stateOf(task.name) !== 'running') continue;
        if ((taskRun['spec'] as { status?: string }).status === 'TaskRunCancelled') continue;
        this.store.mutate(TASK_RUN, namespace, taskRun.metadata.name, (object) => {
          Object.assign(object['spec'] as object, { status: 'TaskRunCancelled', statusMessage: message });
        });
      }
    };
    if (hardCancel || graceCancel) cancel(tasks, CANCELLED_MESSAGE);
    if (hardCancel) cancel(finallyTasks, CANCELLED_MESSAGE);
    if (pipelineTimedOut) cancel(allTasks, TIMED_OUT_MESSAGE);
    if (tasksTimedOut) cancel(tasks, TIMED_OUT_MESSAGE);
    if (finallyTimedOut) cancel(finallyTasks, TIMED_OUT_MESSAGE);

    const results = (taskName: string): Record<string, ParamValue> => {
      const list =
        (statusOf(taskRuns.get(taskName) ?? ({ metadata: {} } as KubeObject))['results'] as
          | Array<{ name: string; value: ParamValue }>
          | undefined) ?? [];
      return Object.fromEntries(list.map((result) => [result.name, result.value]));
    };
    const variables = (): Record<string, ParamValue> => {
      const table: Record<string, ParamValue> = {
        'context.pipelineRun.name': name,
        'context.pipelineRun.namespace': namespace,
        'context.pipelineRun.uid': run.metadata.uid,
        'context.pipeline.name': spec.pipelineRef?.name ?? name,
      };
      let anyFailed = false;
      let anySkipped = false;
      for (const task of tasks) {
        const state = stateOf(task.name);
        anyFailed ||= state === 'failed' || state === 'cancelled';
        anySkipped ||= state === 'skipped';
        table[`tasks.${task.name}.status`] =
          state === 'succeeded'
            ? 'Succeeded'
            : state === 'failed' || state === 'cancelled'
              ? 'Failed'
              : 'None';
        if (stateOf(task.name) !== 'succeeded' && stateOf(task.name) !== 'ignored') continue;
        for (const [result, value] of Object.entries(results(task.name)))
          table[`tasks.${task.name}.results.${result}`] = value;
      }
      table['tasks.status'] = anyFailed ? 'Failed' : anySkipped ? 'Completed' : 'Succeeded';
      return table;
    };
    const skip = (task: PipelineTask, reason: string, whenExpressions?: WhenExpression[]): void => {
      skipped.push({
        name: task.name,
        reason,
        ...(whenExpressions === undefined || whenExpressions.length === 0 ? {} : { whenExpressions }),
      });
    };
    const launch = (task: PipelineTask, memberOf: 'tasks' | 'finally'): void => {
      const resolve = paramResolver(params, variables());
      const taskParams = substituteVariables(task.params ?? [], resolve) as Array<{
        name: string;
        value: ParamValue;
      }>;
      const when = substituteVariables(task.when ?? [], resolve) as WhenExpression[];
      if (hasUnresolvedResultReference(taskParams) || hasUnresolvedResultReference(when)) {
        skip(task, 'Results were missing');
        return;
      }
      if (!evaluateWhen(when)) {
        skip(task, 'When Expressions evaluated to false', when);
        return;
      }
      const governingMs = memberOf === 'finally' ? finallyTimeoutMs : tasksTimeoutMs || pipelineTimeoutMs;
      const remainingMs =
        governingMs > 0
          ? Math.max(1000, (memberOf === 'finally' ? nowMs : startMs) + governingMs - nowMs)
          : 0;
      // Tekton gives the TaskRun what is left of the governing timeout; rounding up (plus a second) lets the
      // PipelineRun's own deadline fire first, as in Tekton where the run's timeout check wins.
      const timeout =
        task.timeout ??
        (governingMs > 0 ? formatGoDuration(Math.ceil(remainingMs / 1000) * 1000 + 1000) : '0');
      const reference = createPipelineTaskRun(
        this.store,
        run,
        task,
        memberOf,
        taskParams,
        when.length > 0 ? when : undefined,
        timeout,
      );
      childReferences.push(reference);
      taskRuns.set(task.name, { metadata: {} } as KubeObject);
      launched.add(task.name);
    };
    const launched = new Set<string>();
    const childReferences: Array<Record<string, unknown>> = [];
    const effectiveState = (taskName: string): TaskState =>
      launched.has(taskName) ? 'running' : stateOf(taskName);

    const failedSoFar = (): boolean =>
      tasks.some((task) => ['failed', 'cancelled'].includes(effectiveState(task.name)));
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const task of tasks) {
        if (effectiveState(task.name) !== 'none') continue;
        const stopReason = hardCancel
          ? 'hard'
          : pipelineTimedOut
            ? 'PipelineRun timeout has been reached'
            : tasksTimedOut
              ? 'PipelineRun Tasks timeout has been reached'
              : graceCancel
                ? 'PipelineRun was gracefully cancelled'
                : graceStop
                  ? 'PipelineRun was gracefully stopped'
                  : failedSoFar()
                    ? 'PipelineRun was stopping'
                    : undefined;
        if (stopReason === 'hard') continue;
        if (stopReason !== undefined) {
          skip(task, stopReason);
          progressed = true;
          continue;
        }
        const resultParents = resultReferences([task.params, task.when]);
        const parents = new Set([...(task.runAfter ?? []), ...resultParents]);
        if ([...parents].some((parent) => ['none', 'running'].includes(effectiveState(parent)))) continue;
        const missingParent = [...resultParents].find(
          (parent) => !['succeeded', 'ignored'].includes(effectiveState(parent)),
        );
        if (missingParent !== undefined)
          skip(
            task,
            effectiveState(missingParent) === 'skipped'
              ? 'Parent Tasks were skipped'
              : 'Results were missing',
          );
        else launch(task, 'tasks');
        progressed = true;
      }
    }

    const regularSettled = tasks.every((task) => !['none', 'running'].includes(effectiveState(task.name)));
    let finallyStarted = finallyStartMs !== undefined;
    if (!hardCancel && !pipelineTimedOut && regularSettled && finallyTasks.length > 0) {
      for (const task of finallyTasks) {
        if (effectiveState(task.name) !== 'none') continue;
        if (finallyTimedOut) skip(task, 'PipelineRun Finally timeout has been reached');
        else launch(task, 'finally');
        finallyStarted = true;
      }
    }
    if (pipelineTimedOut)
      for (const task of finallyTasks)
        if (effectiveState(task.name) === 'none') skip(task, 'PipelineRun timeout has been reached');

    const states = allTasks.map((task) => effectiveState(task.name));
    const count = (wanted: TaskState[]): number => states.filter((state) => wanted.includes(state)).length;
    const completed = count(['succeeded', 'failed', 'ignored', 'cancelled']);
    const failed = count(['failed']);
    const cancelled = count(['cancelled']);
    const skippedCount = count(['skipped']);
    const running = count(['running']);
    const settled = running === 0 && (hardCancel || states.every((state) => state !== 'none'));
    const now = this.clock.isoNow();
    const counts = `Tasks Completed: ${completed} (Failed: ${failed}, Cancelled ${cancelled})`;
    this.store.mutate(PIPELINE_RUN, namespace, name, (object) => {
      const runStatus = statusOf(object);
      if (skipped.length > 0) runStatus['skippedTasks'] = skipped;
      if (childReferences.length > 0) {
        const existing = (runStatus['childReferences'] as unknown[] | undefined) ?? [];
        runStatus['childReferences'] = [...existing, ...childReferences];
      }
      if (
        finallyStarted &&
        runStatus['finallyStartTime'] === undefined &&
        finallyTasks.length > 0 &&
        regularSettled
      )
        runStatus['finallyStartTime'] = now;
      if (!settled) {
        const inFinally = regularSettled && finallyTasks.length > 0;
        const reason = hardCancel
          ? 'Cancelled'
          : graceCancel
            ? 'CancelledRunningFinally'
            : graceStop
              ? 'StoppedRunningFinally'
              : (tasksTimedOut || pipelineTimedOut) && inFinally
                ? 'PipelineRunTimeoutRunningFinally'
                : failed + cancelled > 0
                  ? 'PipelineRunStopping'
                  : 'Running';
        const message = hardCancel
          ? `PipelineRun "${name}" was cancelled`
          : `${counts}, Incomplete: ${states.length - completed - skippedCount}, Skipped: ${skippedCount}`;
        setSucceeded(object, 'Unknown', reason, message, now);
        return;
      }
      const resolve = paramResolver(params, variables());
      const pipelineResults = (pipelineSpec.results ?? []).map((result) => ({
        name: result.name,
        value: substituteVariables(result.value, resolve) as ParamValue,
      }));
      const resolvedResults = pipelineResults.filter(
        (result) => !JSON.stringify(result.value).includes('$(tasks.'),
      );
      if (resolvedResults.length > 0) runStatus['results'] = resolvedResults;
      if (pipelineTimedOut || tasksTimedOut || finallyTimedOut) {
        const limit = pipelineTimedOut
          ? spec.timeouts?.pipeline
          : tasksTimedOut
            ? spec.timeouts?.tasks
            : spec.timeouts?.finally;
        setSucceeded(
          object,
          'False',
          'PipelineRunTimeout',
          `PipelineRun "${name}" failed to finish within "${formatGoDuration(timeoutMs(limit))}"`,
          now,
        );
      } else if (hardCancel || graceCancel || graceStop) {
        setSucceeded(object, 'False', 'Cancelled', `PipelineRun "${name}" was cancelled`, now);
      } else if (failed + cancelled > 0) {
        setSucceeded(object, 'False', 'Failed', `${counts}, Skipped: ${skippedCount}`, now);
      } else {
        setSucceeded(
          object,
          'True',
          skippedCount > 0 ? 'Completed' : 'Succeeded',
          `${counts}, Skipped: ${skippedCount}`,
          now,
        );
      }
    });
    if (settled) return undefined;
    const deadlines = [
      pipelineTimeoutMs > 0 ? startMs + pipelineTimeoutMs : Number.POSITIVE_INFINITY,
      tasksTimeoutMs > 0 ? startMs + tasksTimeoutMs : Number.POSITIVE_INFINITY,
    ];
    const finallyStartedAt = finallyStartMs ?? (finallyStarted ? nowMs : undefined);
    if (finallyTimeoutMs > 0 && finallyStartedAt !== undefined)
      deadlines.push(finallyStartedAt + finallyTimeoutMs);
    const next = Math.min(...deadlines.filter((deadline) => deadline > nowMs));
    return Number.isFinite(next) ? next : undefined;
  }
}
