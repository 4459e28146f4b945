import {
  invalidValue,
  missingField,
  missingOneOf,
  multipleOneOf,
  nonExistentVariable,
  type TektonFieldError,
} from './tekton-field-errors.js';
import { resultReferences } from './tekton-substitution.js';

/**
 * The checks of Tekton's validating webhook (`validation.webhook.pipeline.tekton.dev`) that the emulator makes, each
 * traced to `tektoncd/pipeline` `pkg/apis/pipeline/v1/*_validation.go`. Rules the emulator does not know are not
 * guessed: everything not listed here is admitted (see the testkit README).
 */

type JsonRecord = Record<string, unknown>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `ResultNameFormat` (pkg/apis/pipeline/v1/result_types.go). */
const RESULT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const RESULT_NAME_DETAILS =
  "Name must consist of alphanumeric characters, '-', '_', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my-name',  or 'my_name', regex used for validation is '^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$')";

const record = (value: unknown): JsonRecord | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : undefined;
const records = (value: unknown): JsonRecord[] =>
  Array.isArray(value) ? value.map((item) => record(item) ?? {}) : [];
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The names `$(<prefix>.<name>…)` references in `value`, with `$$(` escapes skipped. */
function referencedNames(value: string, prefix: string): string[] {
  const names: string[] = [];
  for (const match of value.matchAll(/\$\(([^()]*)\)/g)) {
    if ((match.index ?? 0) > 0 && value[(match.index ?? 0) - 1] === '$') continue;
    const expression = (match[1] ?? '').trim();
    if (!expression.startsWith(`${prefix}.`) && !expression.startsWith(`${prefix}[`)) continue;
    const bracket = /^[a-z]+\[\s*(["'])(.+?)\1\s*\]/.exec(expression);
    const name = bracket?.[2] ?? expression.slice(prefix.length + 1);
    // Tekton's variable pattern allows only these characters in a name: `$(results.digest-${i}.path)` is shell
    // text around a shell variable, not a Tekton variable.
    if (bracket !== null || /^[A-Za-z0-9_.\-[\]*]+$/.test(name)) names.push(name);
  }
  return names;
}

/** Whether a dotted reference (`x`, `x[*]`, `obj.key`, `dotted.name`) resolves against declared names. */
function resolves(reference: string, declared: ReadonlySet<string>): boolean {
  const base = reference.replace(/\[[^\]]*\]$/, '');
  if (declared.has(base)) return true;
  const parts = base.split('.');
  for (let length = parts.length - 1; length > 0; length -= 1) {
    if (declared.has(parts.slice(0, length).join('.'))) return true;
  }
  return false;
}

/** The string fields of a step Tekton scans for variables (`validateStepVariables`), with their paths. */
function stepStrings(step: JsonRecord, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const field of ['name', 'image', 'workingDir', 'script', 'onError']) {
    if (typeof step[field] === 'string') out.push([step[field] as string, `${path}.${field}`]);
  }
  for (const field of ['command', 'args']) {
    const list = Array.isArray(step[field]) ? (step[field] as unknown[]) : [];
    list.forEach((item, index) => {
      if (typeof item === 'string') out.push([item, `${path}.${field}[${index}]`]);
    });
  }
  for (const env of records(step['env'])) {
    if (typeof env['value'] === 'string') out.push([env['value'], `${path}.env[${text(env['name'])}]`]);
  }
  return out;
}

/**
 * `TaskSpec.Validate` (task_validation.go): steps present, unique and DNS-label step names, valid result names,
 * `$(results.x.path)` only for declared results; for a Task object (`standalone`), `$(params.x)` only for declared
 * params (`ValidateUsageOfDeclaredParameters`; embedded specs get propagated params and are not checked).
 */
export function validateTaskSpec(spec: JsonRecord, path: string, standalone: boolean): TektonFieldError[] {
  const errors: TektonFieldError[] = [];
  const steps = records(spec['steps']);
  if (steps.length === 0) errors.push(missingField(`${path}.steps`));
  const names = new Set<string>();
  steps.forEach((step, index) => {
    const name = text(step['name']);
    if (name === '') return;
    if (names.has(name)) errors.push(invalidValue(name, `${path}.steps[${index}].name`));
    if (!DNS_LABEL.test(name) || name.length > 63) {
      errors.push({
        message: `invalid value ${JSON.stringify(name)}`,
        paths: [`${path}.steps[${index}].name`],
        details:
          'Task step name must be a valid DNS Label, For more info refer to https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names',
      });
    }
    names.add(name);
  });
  const results = records(spec['results']);
  results.forEach((result, index) => {
    const name = text(result['name']);
    if (!RESULT_NAME.test(name)) {
      errors.push({
        message: `invalid key name ${JSON.stringify(name)}`,
        paths: [`${path}.results[${index}].name`],
        details: RESULT_NAME_DETAILS,
      });
    }
  });
  const declaredResults = new Set(results.map((result) => text(result['name'])));
  steps.forEach((step, index) => {
    const script = text(step['script']);
    const unknown = referencedNames(script, 'results').some(
      (reference) => !declaredResults.has(reference.split('.')[0] ?? ''),
    );
    if (unknown) errors.push(nonExistentVariable(script, `${path}.steps[${index}].script`));
  });
  if (standalone) {
    const params = new Set(records(spec['params']).map((param) => text(param['name'])));
    steps.forEach((step, index) => {
      for (const [value, where] of stepStrings(step, `${path}.steps[${index}]`)) {
        if (referencedNames(value, 'params').some((reference) => !resolves(reference, params))) {
          errors.push(nonExistentVariable(value, where));
        }
      }
    });
  }
  return errors;
}

function validatePipelineTask(task: JsonRecord, path: string): TektonFieldError[] {
  const errors: TektonFieldError[] = [];
  const name = text(task['name']);
  if (!DNS_LABEL.test(name) || name.length > 63) {
    errors.push({
      message: `invalid value ${JSON.stringify(name)}`,
      paths: [`${path}.name`],
      details:
        'Pipeline Task name must be a valid DNS Label.For more info refer to https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names',
    });
  }
  const taskRef = record(task['taskRef']);
  const taskSpec = record(task['taskSpec']);
  if (taskRef !== undefined && taskSpec !== undefined) {
    errors.push(multipleOneOf(`${path}.taskRef`, `${path}.taskSpec`));
  }
  if (
    taskRef === undefined &&
    taskSpec === undefined &&
    task['pipelineRef'] === undefined &&
    task['pipelineSpec'] === undefined
  ) {
    errors.push(missingOneOf(`${path}.taskRef`, `${path}.taskSpec`));
  }
  const custom = (taskRef?.['apiVersion'] ?? taskSpec?.['apiVersion']) !== undefined;
  if (taskRef !== undefined && !custom && text(taskRef['name']) === '' && taskRef['resolver'] === undefined) {
    errors.push(invalidValue('taskRef must specify name', `${path}.taskRef.name`));
  }
  if (taskSpec !== undefined && !custom)
    errors.push(...validateTaskSpec(taskSpec, `${path}.taskSpec`, false));
  return errors;
}

/**
 * The first error `dag.Build` (pkg/reconciler/pipeline/dag/dag.go) reports for the `tasks` graph: a dependency
 * (`runAfter` or a result reference) on a task that does not exist, else a cycle, named by the edge that closes it.
 */
function taskGraphError(tasks: JsonRecord[]): string | undefined {
  const dependencies = new Map<string, string[]>();
  for (const task of tasks) {
    const runAfter = Array.isArray(task['runAfter']) ? (task['runAfter'] as unknown[]).map(text) : [];
    dependencies.set(text(task['name']), [
      ...runAfter,
      ...resultReferences([task['params'], task['when'], task['matrix']]),
    ]);
  }
  for (const [name, parents] of dependencies) {
    const missing = parents.find((parent) => !dependencies.has(parent));
    if (missing !== undefined) {
      return `couldn't add link between ${name} and ${missing}: task ${name} depends on ${missing} but ${missing} wasn't present in Pipeline`;
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): string | undefined => {
    state.set(name, 'visiting');
    for (const parent of dependencies.get(name) ?? []) {
      if (parent === name) return `cycle detected; task ${JSON.stringify(name)} depends on itself`;
      if (state.get(parent) === 'visiting') {
        return `cycle detected; task ${JSON.stringify(name)} depends on ${JSON.stringify(parent)}`;
      }
      if (state.get(parent) === undefined) {
        const found = visit(parent);
        if (found !== undefined) return found;
      }
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const name of dependencies.keys()) {
    if (state.get(name) !== undefined) continue;
    const found = visit(name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * `PipelineSpec.Validate` (pipeline_validation.go): unique pipeline task names, exactly one of taskRef/taskSpec,
 * embedded task specs, the task graph (`runAfter` and result references to tasks that exist, as `dag.Build`
 * reports it), no `runAfter` under `finally`, `finally` only with `tasks`; for a Pipeline object (`standalone`),
 * `$(params.x)` in task params and when expressions only for declared params, and task workspace bindings only to
 * declared pipeline workspaces.
 */
export function validatePipelineSpec(
  spec: JsonRecord,
  path: string,
  standalone: boolean,
): TektonFieldError[] {
  const errors: TektonFieldError[] = [];
  const tasks = records(spec['tasks']);
  const finallyTasks = records(spec['finally']);
  const seen = new Set<string>();
  for (const [list, entries] of [
    ['tasks', tasks],
    ['finally', finallyTasks],
  ] as const) {
    entries.forEach((task, index) => {
      const where = `${path}.${list}[${index}]`;
      const name = text(task['name']);
      if (seen.has(name)) errors.push(multipleOneOf(`${where}.name`));
      seen.add(name);
      errors.push(...validatePipelineTask(task, where));
    });
  }
  const graphError = taskGraphError(tasks);
  if (graphError !== undefined) errors.push(invalidValue(graphError, `${path}.tasks`));
  finallyTasks.forEach((task, index) => {
    if (Array.isArray(task['runAfter']) && task['runAfter'].length > 0) {
      errors.push(
        invalidValue(
          `no runAfter allowed under spec.finally, final task ${text(task['name'])} has runAfter specified`,
          `${path}.finally[${index}]`,
        ),
      );
    }
  });
  if (finallyTasks.length > 0 && tasks.length === 0) {
    errors.push(
      invalidValue(
        `spec.tasks is empty but spec.finally has ${finallyTasks.length} tasks`,
        `${path}.finally`,
      ),
    );
  }
  if (standalone) errors.push(...validateDeclaredUsage(spec, tasks, finallyTasks, path));
  return errors;
}

/** `validatePipelineParameterUsage` and `validatePipelineWorkspacesUsage`, run only on Pipeline objects. */
function validateDeclaredUsage(
  spec: JsonRecord,
  tasks: JsonRecord[],
  finallyTasks: JsonRecord[],
  path: string,
): TektonFieldError[] {
  const errors: TektonFieldError[] = [];
  const params = new Set(records(spec['params']).map((param) => text(param['name'])));
  const workspaces = new Set(records(spec['workspaces']).map((workspace) => text(workspace['name'])));
  for (const [list, entries] of [
    ['tasks', tasks],
    ['finally', finallyTasks],
  ] as const) {
    entries.forEach((task, index) => {
      const where = `${path}.${list}[${index}]`;
      for (const param of records(task['params'])) {
        const values =
          typeof param['value'] === 'string' ? [param['value']] : Object.values(param['value'] ?? {});
        for (const value of values) {
          if (typeof value !== 'string') continue;
          if (referencedNames(value, 'params').some((reference) => !resolves(reference, params))) {
            errors.push(nonExistentVariable(value, `${where}.params[${text(param['name'])}]`));
          }
        }
      }
      records(task['when']).forEach((when, whenIndex) => {
        for (const value of [when['input'], ...(Array.isArray(when['values']) ? when['values'] : [])]) {
          if (typeof value !== 'string') continue;
          if (referencedNames(value, 'params').some((reference) => !resolves(reference, params))) {
            errors.push(nonExistentVariable(value, `${where}.when[${whenIndex}]`));
          }
        }
      });
      records(task['workspaces']).forEach((binding, bindingIndex) => {
        const target = text(binding['workspace']) || text(binding['name']);
        if (!workspaces.has(target)) {
          errors.push(
            invalidValue(
              `pipeline task ${JSON.stringify(text(task['name']))} expects workspace with name ${JSON.stringify(target)} but none exists in pipeline spec`,
              `${where}.workspaces[${bindingIndex}]`,
            ),
          );
        }
      });
    });
  }
  return errors;
}

const PIPELINE_RUN_STATUSES = ['Cancelled', 'CancelledRunFinally', 'StoppedRunFinally', 'PipelineRunPending'];
const TASK_RUN_STATUSES = ['TaskRunCancelled', 'TaskRunPending'];

/** The validating webhook's field errors for a Tekton object of `kind` (empty: admitted). */
export function tektonValidationErrors(kind: string, object: JsonRecord): TektonFieldError[] {
  const spec = record(object['spec']) ?? {};
  switch (kind) {
    case 'Task':
      return validateTaskSpec(spec, 'spec', true);
    case 'Pipeline':
      return validatePipelineSpec(spec, 'spec', true);
    case 'PipelineRun': {
      const errors: TektonFieldError[] = [];
      const hasRef = spec['pipelineRef'] !== undefined;
      const hasSpec = spec['pipelineSpec'] !== undefined;
      if (hasRef && hasSpec) errors.push(multipleOneOf('spec.pipelineRef', 'spec.pipelineSpec'));
      if (!hasRef && !hasSpec) errors.push(missingOneOf('spec.pipelineRef', 'spec.pipelineSpec'));
      const status = spec['status'];
      if (status !== undefined && status !== '' && !PIPELINE_RUN_STATUSES.includes(String(status))) {
        errors.push(invalidValue(String(status), 'spec.status'));
      }
      const pipelineSpec = record(spec['pipelineSpec']);
      if (pipelineSpec !== undefined)
        errors.push(...validatePipelineSpec(pipelineSpec, 'spec.pipelineSpec', false));
      return errors;
    }
    case 'TaskRun': {
      const errors: TektonFieldError[] = [];
      const hasRef = spec['taskRef'] !== undefined;
      const hasSpec = spec['taskSpec'] !== undefined;
      if (hasRef && hasSpec) errors.push(multipleOneOf('spec.taskRef', 'spec.taskSpec'));
      if (!hasRef && !hasSpec) errors.push(missingOneOf('spec.taskRef', 'spec.taskSpec'));
      const status = spec['status'];
      if (status !== undefined && status !== '' && !TASK_RUN_STATUSES.includes(String(status))) {
        errors.push(invalidValue(String(status), 'spec.status'));
      }
      const taskSpec = record(spec['taskSpec']);
      if (taskSpec !== undefined) errors.push(...validateTaskSpec(taskSpec, 'spec.taskSpec', false));
      return errors;
    }
    default:
      return [];
  }
}
