import type { PipelineSpec, PipelineTask } from '../schemas/pipeline.js';
import type { Scope, TektonValidationIssue } from './issues.js';
import { checkParamBindings, checkParamDeclarations } from './param-types.js';
import {
  collectReferences,
  parseTaskReference,
  referencedParamName,
  referencedWorkspaceName,
} from './references.js';
import { checkTaskReference, type InheritedScope, validateTaskSpec } from './validate-task-spec.js';

/** Fields of a pipeline task that open a nested scope and are checked separately. */
const NESTED_SCOPES = new Set(['taskSpec', 'pipelineSpec']);

function resultsOf(task: PipelineTask): Set<string> | undefined {
  return task.taskSpec ? new Set((task.taskSpec.results ?? []).map((result) => result.name)) : undefined;
}

/** Task names a task depends on: `runAfter` plus implicit result references. */
function dependenciesOf(task: PipelineTask): Set<string> {
  const dependencies = new Set(task.runAfter ?? []);
  const { taskSpec: _taskSpec, pipelineSpec: _pipelineSpec, ...rest } = task;
  for (const { expression } of collectReferences(rest, [])) {
    const reference = parseTaskReference(expression);
    if (reference?.root === 'tasks' && reference.field === 'results') dependencies.add(reference.task);
  }
  return dependencies;
}

function findCycle(tasks: readonly PipelineTask[]): string[] | undefined {
  const graph = new Map(tasks.map((task) => [task.name, dependenciesOf(task)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const current = state.get(name);
    if (current === 'done') return undefined;
    if (current === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of graph.get(name) ?? []) {
      if (!graph.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const task of tasks) {
    const cycle = visit(task.name);
    if (cycle) return cycle;
  }
  return undefined;
}

function checkPipelineTask(
  task: PipelineTask,
  path: Array<string | number>,
  scope: Scope,
  isFinally: boolean,
  issues: TektonValidationIssue[],
): void {
  const pool: Scope = isFinally ? scope : { ...scope, finallyTasks: new Map() };
  // Tekton's validateRefOrSpec: a task names its Task (taskRef) or embeds one (taskSpec), never both or neither
  // (pipelines in pipelines use pipelineRef/pipelineSpec instead).
  const hasRef = task.taskRef !== undefined;
  const hasSpec = task.taskSpec !== undefined;
  if (hasRef && hasSpec) {
    issues.push({
      code: 'task-ref-or-spec',
      path,
      message: `task "${task.name}" has both taskRef and taskSpec; give exactly one`,
    });
  } else if (!hasRef && !hasSpec && task.pipelineRef === undefined && task.pipelineSpec === undefined) {
    issues.push({
      code: 'task-ref-or-spec',
      path,
      message: `task "${task.name}" has neither taskRef nor taskSpec; give exactly one`,
    });
  }
  const matrixParams = new Set([
    ...(task.matrix?.params ?? []).map((param) => param.name),
    ...(task.matrix?.include ?? []).flatMap((include) => (include.params ?? []).map((param) => param.name)),
  ]);
  // A pipeline task's own workspace bindings and matrix params are visible in its fields (displayName, params).
  const taskWorkspaces = new Set([
    ...scope.workspaces,
    ...(task.workspaces ?? []).map((binding) => binding.name),
  ]);
  for (const { expression, path: where } of collectReferences(task, path, NESTED_SCOPES)) {
    if (expression.startsWith('params')) {
      const name = referencedParamName(expression);
      // displayName and matrix include names may use the task's own (matrix) params.
      const local = where[path.length] === 'displayName' || where[path.length] === 'matrix';
      const own =
        local && (matrixParams.has(name ?? '') || (task.params ?? []).some((param) => param.name === name));
      if (name !== undefined && !scope.params.has(name) && !own) {
        issues.push({
          code: 'unknown-param',
          path: where,
          message: `"$(${expression})" refers to undeclared param "${name}"`,
        });
      }
    } else if (expression.startsWith('tasks.') || expression.startsWith('finally.')) {
      checkTaskReference(expression, where, pool, issues);
    } else if (expression.startsWith('workspaces.')) {
      const name = referencedWorkspaceName(expression);
      if (name !== undefined && !taskWorkspaces.has(name)) {
        issues.push({
          code: 'unknown-workspace',
          path: where,
          message: `"$(${expression})" refers to undeclared workspace "${name}"`,
        });
      }
    }
  }
  (task.workspaces ?? []).forEach((binding, index) => {
    const target = binding.workspace ?? binding.name;
    if (!scope.workspaces.has(target)) {
      issues.push({
        code: 'unknown-workspace',
        path: [...path, 'workspaces', index, 'workspace'],
        message: `task "${task.name}" binds pipeline workspace "${target}", which is not declared`,
      });
    }
  });
  if (!task.taskSpec) return;
  const taskParams = new Set([...(task.params ?? []).map((param) => param.name), ...matrixParams]);
  const bound = new Set((task.workspaces ?? []).map((binding) => binding.name));
  issues.push(
    ...validateTaskSpec(task.taskSpec, [...path, 'taskSpec'], {
      params: new Set([...scope.params, ...taskParams]),
      workspaces: new Set([...scope.workspaces, ...bound]),
      pipeline: pool,
    }),
  );
  issues.push(
    ...checkParamBindings(task.taskSpec.params ?? [], task.params ?? [], [...path, 'params'], {
      reportMissing: true,
      implicitlyAvailable: new Set([...scope.params, ...matrixParams]),
    }),
  );
  (task.taskSpec.workspaces ?? []).forEach((declared, index) => {
    if (declared.optional || bound.has(declared.name) || scope.workspaces.has(declared.name)) return;
    issues.push({
      code: 'unbound-workspace',
      path: [...path, 'taskSpec', 'workspaces', index],
      message: `task "${task.name}" does not bind required workspace "${declared.name}"`,
    });
  });
}

/**
 * Static checks of a Pipeline spec (a Pipeline, or a PipelineRun's embedded `pipelineSpec`): task names unique,
 * `runAfter` targets exist, no cycles (through `runAfter` and result references), no `runAfter` in `finally`,
 * every `$(params…)`, `$(tasks…)`, `$(workspaces…)` reference resolves, embedded task specs are bound correctly.
 */
export function validatePipelineSpec(
  spec: PipelineSpec,
  basePath: Array<string | number>,
  inherited: InheritedScope = {},
): TektonValidationIssue[] {
  const issues: TektonValidationIssue[] = [];
  const tasks = spec.tasks ?? [];
  const finallyTasks = spec.finally ?? [];
  const scope: Scope = {
    params: new Set([...(spec.params ?? []).map((param) => param.name), ...(inherited.params ?? [])]),
    workspaces: new Set([
      ...(spec.workspaces ?? []).map((workspace) => workspace.name),
      ...(inherited.workspaces ?? []),
    ]),
    tasks: new Map(tasks.map((task) => [task.name, resultsOf(task)])),
    finallyTasks: new Map(finallyTasks.map((task) => [task.name, resultsOf(task)])),
  };
  issues.push(...checkParamDeclarations(spec.params ?? [], [...basePath, 'params']));
  if (finallyTasks.length > 0 && tasks.length === 0) {
    issues.push({
      code: 'finally-without-tasks',
      path: [...basePath, 'finally'],
      message: 'finally tasks need at least one task in tasks',
    });
  }
  const seen = new Set<string>();
  const all: Array<[PipelineTask, 'tasks' | 'finally', number]> = [
    ...tasks.map((task, index) => [task, 'tasks', index] as [PipelineTask, 'tasks', number]),
    ...finallyTasks.map((task, index) => [task, 'finally', index] as [PipelineTask, 'finally', number]),
  ];
  for (const [task, list, index] of all) {
    const path = [...basePath, list, index];
    if (seen.has(task.name)) {
      issues.push({
        code: 'duplicate-task',
        path: [...path, 'name'],
        message: `task name "${task.name}" is used twice`,
      });
    }
    seen.add(task.name);
    if (list === 'finally' && task.runAfter && task.runAfter.length > 0) {
      issues.push({
        code: 'finally-run-after',
        path: [...path, 'runAfter'],
        message: `finally task "${task.name}" cannot have runAfter`,
      });
    } else {
      (task.runAfter ?? []).forEach((target, position) => {
        if (!scope.tasks?.has(target)) {
          issues.push({
            code: 'unknown-run-after',
            path: [...path, 'runAfter', position],
            message: `task "${task.name}" runs after "${target}", which is not a task of this pipeline`,
          });
        }
      });
    }
    checkPipelineTask(task, path, scope, list === 'finally', issues);
  }
  const cycle = findCycle(tasks);
  if (cycle)
    issues.push({
      code: 'cycle',
      path: [...basePath, 'tasks'],
      message: `tasks form a cycle: ${cycle.join(' → ')}`,
    });
  (spec.results ?? []).forEach((result, index) => {
    for (const { expression, path } of collectReferences(result.value, [
      ...basePath,
      'results',
      index,
      'value',
    ])) {
      if (expression.startsWith('tasks.') || expression.startsWith('finally.')) {
        checkTaskReference(expression, path, scope, issues);
      }
    }
  });
  return issues;
}
