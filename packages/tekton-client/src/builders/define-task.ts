import { stringify } from 'yaml';
import type { ParamValue } from '../schemas/common.js';
import type { Step, Task } from '../schemas/task.js';

/** A param declaration in a builder. */
export interface ParamDeclaration {
  type?: 'string' | 'array' | 'object';
  description?: string;
  default?: ParamValue;
}

/** What a Task's steps can reference, each as the Tekton variable text. */
export interface TaskContext<P extends string, R extends string, W extends string> {
  /** `$(params.<name>)` */
  params: { readonly [K in P]: string };
  /** `$(results.<name>.path)` */
  results: { readonly [K in R]: { readonly path: string } };
  /** `$(workspaces.<name>.path)` / `.bound` */
  workspaces: { readonly [K in W]: { readonly path: string; readonly bound: string } };
}

/** Input of {@link defineTask}. */
export interface DefineTaskInput<
  P extends Record<string, ParamDeclaration>,
  R extends string,
  W extends string,
> {
  name: string;
  description?: string;
  params?: P;
  results?: readonly R[];
  workspaces?: readonly W[];
  steps: (context: TaskContext<keyof P & string, R, W>) => Step[];
}

/** A typed Task definition; carries its param, result and workspace names in its type. */
export interface TaskDefinition<
  P extends Record<string, ParamDeclaration>,
  R extends string,
  W extends string,
> {
  readonly name: string;
  readonly params: P;
  readonly resultNames: readonly R[];
  readonly workspaceNames: readonly W[];
  /** The `tekton.dev/v1` Task object. */
  toObject(namespace?: string): Task;
  /** The Task as YAML. */
  toYaml(namespace?: string): string;
  /** The embedded `taskSpec` form. */
  toSpec(): Task['spec'];
}

// biome-ignore lint/suspicious/noExplicitAny: type-level wildcard for any task definition
export type AnyTaskDefinition = TaskDefinition<any, any, any>;

function accessors<K extends string, V>(names: readonly K[], make: (name: K) => V): { [P in K]: V } {
  return Object.fromEntries(names.map((name) => [name, make(name)])) as { [P in K]: V };
}

/**
 * Defines a Task whose steps can only reference declared params, results and workspaces (checked by the
 * compiler), rendered to v1 YAML.
 *
 * @example
 * ```ts
 * const build = defineTask({
 *   name: 'build',
 *   params: { revision: { type: 'string' } },
 *   results: ['digest'],
 *   workspaces: ['source'],
 *   steps: ({ params, results, workspaces }) => [
 *     { name: 'build', image: 'gcr.io/kaniko-project/executor', args: [`--context=${workspaces.source.path}`, `--digest-file=${results.digest.path}`, `--label=rev=${params.revision}`] },
 *   ],
 * });
 * ```
 */
export function defineTask<
  const P extends Record<string, ParamDeclaration> = Record<never, ParamDeclaration>,
  const R extends string = never,
  const W extends string = never,
>(input: DefineTaskInput<P, R, W>): TaskDefinition<P, R, W> {
  const params = (input.params ?? {}) as P;
  const resultNames = input.results ?? [];
  const workspaceNames = input.workspaces ?? [];
  const context: TaskContext<keyof P & string, R, W> = {
    params: accessors(Object.keys(params) as Array<keyof P & string>, (name) => `$(params.${name})`),
    results: accessors(resultNames, (name) => ({ path: `$(results.${name}.path)` })),
    workspaces: accessors(workspaceNames, (name) => ({
      path: `$(workspaces.${name}.path)`,
      bound: `$(workspaces.${name}.bound)`,
    })),
  };
  const toSpec = (): Task['spec'] => {
    const spec: Task['spec'] = {};
    if (input.description) spec.description = input.description;
    const declared = Object.entries(params).map(([name, declaration]) => ({ name, ...declaration }));
    if (declared.length > 0) spec.params = declared;
    if (resultNames.length > 0) spec.results = resultNames.map((name) => ({ name }));
    if (workspaceNames.length > 0) spec.workspaces = workspaceNames.map((name) => ({ name }));
    spec.steps = input.steps(context);
    return spec;
  };
  const toObject = (namespace?: string): Task => ({
    apiVersion: 'tekton.dev/v1',
    kind: 'Task',
    metadata: { name: input.name, ...(namespace ? { namespace } : {}) },
    spec: toSpec(),
  });
  return {
    name: input.name,
    params,
    resultNames,
    workspaceNames,
    toObject,
    toYaml: (namespace) => stringify(toObject(namespace)),
    toSpec,
  };
}
