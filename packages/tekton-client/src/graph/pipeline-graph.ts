import type { Pipeline, PipelineSpec, PipelineTask } from '../schemas/pipeline.js';

/** One pipeline task in the graph. */
export interface PipelineGraphTask {
  /** The pipeline task's name. */
  name: string;
  /** `displayName` when set. */
  label: string;
  /** A `finally` task: runs after all `tasks`, whatever their outcome. */
  finally: boolean;
  /** The Task it runs (`taskRef.name`), when referenced. */
  taskRef: string | undefined;
  /** Guarded by `when` expressions (it may be skipped). */
  conditional: boolean;
}

/** Why one task comes after another (or uses a workspace). */
export type PipelineGraphEdgeKind = 'runAfter' | 'result' | 'finally' | 'workspace';

/**
 * An edge of the graph. Ordering edges (`runAfter`, `result`, `finally`) go from task to task; `workspace` edges
 * go from a task to a pipeline workspace (`to` is the workspace name) and imply no order: Tekton orders tasks that
 * share a workspace only through runAfter or results.
 */
export interface PipelineGraphEdge {
  /** The task that comes first (or uses the workspace). */
  from: string;
  /** The task that comes after, or the workspace name. */
  to: string;
  /** Why the edge exists. */
  kind: PipelineGraphEdgeKind;
  /** The result (`commit`) for a result edge, the task's own workspace name for a workspace edge. */
  label?: string;
}

/** A Pipeline's DAG, as Tekton's controller builds it, plus the workspaces its tasks share. */
export interface PipelineGraph {
  /** The Pipeline's `metadata.name` (undefined for a bare spec). */
  name: string | undefined;
  /** `tasks` then `finally`, in declaration order. */
  tasks: PipelineGraphTask[];
  /** The pipeline's workspaces (declared, or bound by a task). */
  workspaces: string[];
  /** Ordering and workspace edges, deduplicated. */
  edges: PipelineGraphEdge[];
}

/** `$(tasks.NAME.results.RESULT)`, also with `[*]`, `[0]` or `.key` after the result (Tekton's result references). */
const RESULT_REFERENCE = /\$\(tasks\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.results\.([A-Za-z0-9][-A-Za-z0-9_]*)/g;

function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) collectStrings(item, into);
}

/** Where Tekton looks for result references that create dependencies: params, matrix and when expressions. */
function referencedResults(task: PipelineTask): Array<{ task: string; result: string }> {
  const texts: string[] = [];
  collectStrings(task.params, texts);
  collectStrings(task.matrix, texts);
  collectStrings(task.when, texts);
  const found: Array<{ task: string; result: string }> = [];
  for (const text of texts) {
    for (const match of text.matchAll(RESULT_REFERENCE)) {
      const reference = { task: match[1] as string, result: match[3] as string };
      if (!found.some((item) => item.task === reference.task && item.result === reference.result)) {
        found.push(reference);
      }
    }
  }
  return found;
}

function toGraphTask(task: PipelineTask, isFinally: boolean): PipelineGraphTask {
  return {
    name: task.name,
    label: task.displayName || task.name,
    finally: isFinally,
    taskRef: task.taskRef?.name,
    conditional: (task.when?.length ?? 0) > 0,
  };
}

/**
 * Builds a Pipeline's graph the way Tekton's controller orders it: an edge for every `runAfter` and every result
 * reference (`$(tasks.X.results.Y)` in params, matrix or when), `finally` tasks after every task that nothing else
 * waits for, and each task's workspaces. References to tasks that do not exist are left out (validation reports
 * them).
 *
 * @throws never: any object with `tasks`/`finally` arrays is accepted.
 * @example
 * ```ts
 * const graph = pipelineGraph(pipeline);
 * console.log(formatPipelineGraphMermaid(graph)); // flowchart LR …
 * ```
 */
export function pipelineGraph(pipeline: Pipeline | PipelineSpec): PipelineGraph {
  const spec: PipelineSpec = ('spec' in pipeline && pipeline.spec ? pipeline.spec : pipeline) as PipelineSpec;
  const metadata = (pipeline as { metadata?: { name?: string } }).metadata;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  const tasks = spec.tasks ?? [];
  const finallyTasks = spec.finally ?? [];
  const taskNames = new Set(tasks.map((task) => task.name));
  const edges: PipelineGraphEdge[] = [];
  const addEdge = (edge: PipelineGraphEdge): void => {
    if (
      !edges.some(
        (existing) =>
          existing.from === edge.from &&
          existing.to === edge.to &&
          existing.kind === edge.kind &&
          existing.label === edge.label,
      )
    ) {
      edges.push(edge);
    }
  };
  for (const task of [...tasks, ...finallyTasks]) {
    for (const before of task.runAfter ?? []) {
      if (taskNames.has(before)) addEdge({ from: before, to: task.name, kind: 'runAfter' });
    }
    for (const reference of referencedResults(task)) {
      if (taskNames.has(reference.task)) {
        addEdge({ from: reference.task, to: task.name, kind: 'result', label: reference.result });
      }
    }
  }
  // finally runs after all tasks; drawing it after the tasks nothing else waits for says the same with few edges.
  const sinks = tasks.filter(
    (task) => !edges.some((edge) => edge.from === task.name && taskNames.has(edge.to)),
  );
  for (const task of finallyTasks) {
    for (const sink of sinks) addEdge({ from: sink.name, to: task.name, kind: 'finally' });
  }
  const workspaces = (spec.workspaces ?? []).map((workspace) => workspace.name);
  for (const task of [...tasks, ...finallyTasks]) {
    for (const binding of task.workspaces ?? []) {
      const workspace = binding.workspace || binding.name;
      if (!workspaces.includes(workspace)) workspaces.push(workspace);
      addEdge({
        from: task.name,
        to: workspace,
        kind: 'workspace',
        ...(binding.name !== workspace ? { label: binding.name } : {}),
      });
    }
  }
  return {
    name,
    tasks: [
      ...tasks.map((task) => toGraphTask(task, false)),
      ...finallyTasks.map((task) => toGraphTask(task, true)),
    ],
    workspaces,
    edges,
  };
}
