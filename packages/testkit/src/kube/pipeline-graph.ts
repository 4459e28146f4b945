import type { PipelineTask } from './pipeline-task-run.js';
import { resultReferences } from './tekton-substitution.js';

/**
 * The checks Tekton's webhook makes on a pipeline's task graph before a run starts: unique names, known
 * `runAfter` targets and result references, no `runAfter` under `finally`, and no cycles. Returns the first
 * problem as text, or `undefined`.
 *
 * @example
 * ```ts
 * validatePipelineGraph([{ name: 'a', runAfter: ['b'] }], []); // 'pipeline task "a" runs after unknown task "b"'
 * ```
 */
export function validatePipelineGraph(
  tasks: readonly PipelineTask[],
  finallyTasks: readonly PipelineTask[],
): string | undefined {
  const names = new Set<string>();
  for (const task of [...tasks, ...finallyTasks]) {
    if (names.has(task.name)) return `duplicate pipeline task name "${task.name}"`;
    names.add(task.name);
  }
  const regular = new Set(tasks.map((task) => task.name));
  const edges = new Map<string, string[]>();
  for (const task of tasks) {
    const parents = [...(task.runAfter ?? []), ...resultReferences([task.params, task.when])];
    for (const parent of parents) {
      if (!regular.has(parent)) return `pipeline task "${task.name}" depends on unknown task "${parent}"`;
    }
    edges.set(task.name, parents);
  }
  for (const task of finallyTasks) {
    if ((task.runAfter ?? []).length > 0)
      return `no runAfter allowed under spec.finally, final task ${task.name} has runAfter`;
    for (const parent of resultReferences([task.params, task.when])) {
      if (!regular.has(parent))
        return `finally task "${task.name}" references results of unknown task "${parent}"`;
    }
  }
  const visiting = new Set<string>();
  const visited = new Set<string>();
  const visit = (name: string, path: string[]): string | undefined => {
    if (visited.has(name)) return undefined;
    if (visiting.has(name)) return `cycle detected: ${[...path, name].join(' -> ')}`;
    visiting.add(name);
    for (const parent of edges.get(name) ?? []) {
      const problem = visit(parent, [...path, name]);
      if (problem !== undefined) return problem;
    }
    visiting.delete(name);
    visited.add(name);
    return undefined;
  };
  for (const name of regular) {
    const problem = visit(name, []);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
