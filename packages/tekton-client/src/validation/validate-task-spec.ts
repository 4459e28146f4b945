import type { TaskSpec } from '../schemas/task.js';
import type { Scope, TektonValidationIssue } from './issues.js';
import { checkParamDeclarations } from './param-types.js';
import {
  collectReferences,
  parseTaskReference,
  referencedParamName,
  referencedResultName,
  referencedWorkspaceName,
} from './references.js';

/** What an embedded spec inherits from where it is embedded (Tekton's propagated params and workspaces). */
export interface InheritedScope {
  params?: ReadonlySet<string>;
  workspaces?: ReadonlySet<string>;
  /** The pipeline scope, for implicit `$(tasks.x.results.y)` references inside an embedded taskSpec. */
  pipeline?: Scope;
}

/** Checks a `$(tasks.…)` / `$(finally.…)` reference against a pipeline scope. */
export function checkTaskReference(
  expression: string,
  path: Array<string | number>,
  scope: Scope,
  issues: TektonValidationIssue[],
): void {
  const reference = parseTaskReference(expression);
  if (!reference) return;
  const pool = reference.root === 'finally' ? scope.finallyTasks : scope.tasks;
  if (!pool) return;
  if (!pool.has(reference.task)) {
    issues.push({
      code: 'unknown-task-reference',
      path,
      message: `"$(${expression})" refers to ${reference.root === 'finally' ? 'finally task' : 'task'} "${reference.task}", which does not exist here`,
    });
    return;
  }
  const results = pool.get(reference.task);
  if (reference.field === 'results' && reference.result && results && !results.has(reference.result)) {
    issues.push({
      code: 'unknown-result',
      path,
      message: `"$(${expression})": task "${reference.task}" declares no result "${reference.result}"`,
    });
  }
}

/** `ResultNameFormat` of Tekton's `pkg/apis/pipeline/v1/result_types.go`. */
const RESULT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Step names are unique within a task (Tekton's `validateStep` refuses a repeated name). */
function checkStepNames(spec: TaskSpec, basePath: Array<string | number>): TektonValidationIssue[] {
  const issues: TektonValidationIssue[] = [];
  const seen = new Set<string>();
  (spec.steps ?? []).forEach((step, index) => {
    if (step.name === undefined || step.name === '') return;
    if (seen.has(step.name)) {
      issues.push({
        code: 'duplicate-step',
        path: [...basePath, 'steps', index, 'name'],
        message: `step name "${step.name}" is used twice`,
      });
    }
    seen.add(step.name);
  });
  return issues;
}

/** Result names start and end with an alphanumeric and hold only alphanumerics, `-`, `_` and `.`. */
function checkResultNames(spec: TaskSpec, basePath: Array<string | number>): TektonValidationIssue[] {
  const issues: TektonValidationIssue[] = [];
  (spec.results ?? []).forEach((result, index) => {
    if (RESULT_NAME.test(result.name)) return;
    issues.push({
      code: 'invalid-result-name',
      path: [...basePath, 'results', index, 'name'],
      message: `result name "${result.name}" must consist of alphanumerics, '-', '_' and '.', and start and end with an alphanumeric`,
    });
  });
  return issues;
}

/**
 * Static checks of a Task spec (a Task, an embedded `taskSpec`): unique step names, valid result names, and
 * `$(params.x)`, `$(workspaces.w.*)` and `$(results.r.path)` must resolve against the declarations plus what the
 * spec inherits when embedded.
 */
export function validateTaskSpec(
  spec: TaskSpec,
  basePath: Array<string | number>,
  inherited: InheritedScope = {},
): TektonValidationIssue[] {
  const issues: TektonValidationIssue[] = [];
  const params = new Set([...(spec.params ?? []).map((param) => param.name), ...(inherited.params ?? [])]);
  const workspaces = new Set([
    ...(spec.workspaces ?? []).map((workspace) => workspace.name),
    ...(inherited.workspaces ?? []),
  ]);
  const results = new Set((spec.results ?? []).map((result) => result.name));
  issues.push(...checkParamDeclarations(spec.params ?? [], [...basePath, 'params']));
  issues.push(...checkStepNames(spec, basePath), ...checkResultNames(spec, basePath));
  const areas = ['steps', 'sidecars', 'stepTemplate', 'volumes', 'workspaces', 'results'] as const;
  for (const area of areas) {
    const value = spec[area];
    if (value === undefined) continue;
    for (const { expression, path } of collectReferences(value, [...basePath, area])) {
      const param = expression.startsWith('params') ? referencedParamName(expression) : undefined;
      if (param !== undefined && !params.has(param)) {
        issues.push({
          code: 'unknown-param',
          path,
          message: `"$(${expression})" refers to undeclared param "${param}"`,
        });
        continue;
      }
      const workspace = referencedWorkspaceName(expression);
      // `$(workspaces.x.bound)` in a step's `when` asks whether x is bound at all; an undeclared or unbound x is
      // simply false there (the step is skipped), as in Tekton's examples/v1/taskruns/alpha/stepaction-when.yaml.
      const askingBound = area === 'steps' && path.includes('when') && expression.endsWith('.bound');
      if (workspace !== undefined && !workspaces.has(workspace) && !askingBound) {
        issues.push({
          code: 'unknown-workspace',
          path,
          message: `"$(${expression})" refers to undeclared workspace "${workspace}"`,
        });
        continue;
      }
      const result = referencedResultName(expression);
      if (result !== undefined && !results.has(result)) {
        issues.push({
          code: 'unknown-result',
          path,
          message: `"$(${expression})" refers to undeclared result "${result}"`,
        });
        continue;
      }
      if (inherited.pipeline && (expression.startsWith('tasks.') || expression.startsWith('finally.'))) {
        checkTaskReference(expression, path, inherited.pipeline, issues);
      }
    }
  }
  return issues;
}
