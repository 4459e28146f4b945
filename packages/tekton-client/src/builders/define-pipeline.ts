import { stringify } from 'yaml';
import type { ParamValue, WhenExpression } from '../schemas/common.js';
import type { Pipeline, PipelineTask } from '../schemas/pipeline.js';
import type { AnyTaskDefinition, ParamDeclaration, TaskDefinition } from './define-task.js';

/** Names of params of a task definition that have no default (must be passed). */
type RequiredParams<P> = { [K in keyof P]: P[K] extends { default: ParamValue } ? never : K }[keyof P] &
  string;
type OptionalParams<P> = Exclude<keyof P & string, RequiredParams<P>>;

/** The params a pipeline task must pass to a typed Task: required ones mandatory, others optional, no extras. */
export type ParamsFor<T> =
  T extends TaskDefinition<infer P, infer _R, infer _W>
    ? { [K in RequiredParams<P>]: ParamValue } & { [K in OptionalParams<P>]?: ParamValue }
    : Record<string, ParamValue>;

type ResultsOf<T> = T extends TaskDefinition<infer _P, infer R, infer _W> ? R : string;
type WorkspacesOf<T> = T extends TaskDefinition<infer _P, infer _R, infer W> ? W : string;

/** What pipeline task params and `when` can reference, each as the Tekton variable text. */
export interface PipelineContext<PP extends string, PW extends string, T extends Record<string, string>> {
  /** `$(params.<name>)` */
  params: { readonly [K in PP]: string };
  /** `$(tasks.<task>.results.<result>)` for earlier tasks, `$(tasks.<task>.status)` */
  tasks: {
    readonly [K in keyof T]: { readonly results: { readonly [R in T[K]]: string }; readonly status: string };
  };
  /** `$(workspaces.<name>.bound)` */
  workspaces: { readonly [K in PW]: { readonly bound: string } };
  /** `$(context.pipelineRun.name)` and friends */
  context: {
    readonly pipelineRunName: string;
    readonly pipelineRunNamespace: string;
    readonly pipelineRunUid: string;
  };
}

/** How one task of the pipeline is declared. */
export interface PipelineTaskInput<
  TD,
  PP extends string,
  PW extends string,
  T extends Record<string, string>,
> {
  /** A typed task definition (referenced by name, or embedded with `embed: true`), or a Task name. */
  task: TD;
  embed?: boolean;
  runAfter?: ReadonlyArray<keyof T & string>;
  params?: (context: PipelineContext<PP, PW, T>) => ParamsFor<TD>;
  workspaces?: { [K in WorkspacesOf<TD>]?: PW };
  when?: (context: PipelineContext<PP, PW, T>) => WhenExpression[];
  retries?: number;
  /** Go duration (`10m0s`). */
  timeout?: string;
  displayName?: string;
}

/** A Pipeline being defined; each `task` adds its name (and results) to the type. */
export interface PipelineBuilder<PP extends string, PW extends string, T extends Record<string, string>> {
  /** Adds a task; its name must be new and its `runAfter` names must be earlier tasks. */
  task<const N extends string, TD extends AnyTaskDefinition | string>(
    name: N extends keyof T ? never : N,
    input: PipelineTaskInput<TD, PP, PW, T>,
  ): PipelineBuilder<PP, PW, T & { [K in N]: ResultsOf<TD> }>;
  /** Adds a finally task (no `runAfter`), which may read every task's results and status. */
  finally<const N extends string, TD extends AnyTaskDefinition | string>(
    name: N extends keyof T ? never : N,
    input: Omit<PipelineTaskInput<TD, PP, PW, T>, 'runAfter'>,
  ): PipelineBuilder<PP, PW, T>;
  /** The `tekton.dev/v1` Pipeline object. */
  toObject(namespace?: string): Pipeline;
  toYaml(namespace?: string): string;
}

/** Input of {@link definePipeline}. */
export interface DefinePipelineInput<P extends Record<string, ParamDeclaration>, W extends string> {
  name: string;
  description?: string;
  params?: P;
  workspaces?: readonly W[];
}

function buildContext(
  params: readonly string[],
  workspaces: readonly string[],
): PipelineContext<string, string, Record<string, string>> {
  const taskProxy = new Proxy(
    {},
    {
      get: (_target, task: string) => ({
        results: new Proxy({}, { get: (_r, result: string) => `$(tasks.${task}.results.${result})` }),
        status: `$(tasks.${task}.status)`,
      }),
    },
  );
  return {
    params: Object.fromEntries(params.map((name) => [name, `$(params.${name})`])),
    tasks: taskProxy as PipelineContext<string, string, Record<string, string>>['tasks'],
    workspaces: Object.fromEntries(
      workspaces.map((name) => [name, { bound: `$(workspaces.${name}.bound)` }]),
    ),
    context: {
      pipelineRunName: '$(context.pipelineRun.name)',
      pipelineRunNamespace: '$(context.pipelineRun.namespace)',
      pipelineRunUid: '$(context.pipelineRun.uid)',
    },
  };
}

/**
 * Defines a Pipeline in TypeScript with param, workspace and task names checked by the compiler: `runAfter`
 * accepts only earlier tasks, params passed to a typed Task must match its declaration, result references come
 * from the tasks' declared results. Renders to v1 YAML.
 *
 * @example
 * ```ts
 * const pipeline = definePipeline({ name: 'ci', params: { revision: {} }, workspaces: ['shared'] })
 *   .task('clone', { task: clone, params: ({ params }) => ({ revision: params.revision }), workspaces: { output: 'shared' } })
 *   .task('build', { task: build, runAfter: ['clone'], params: ({ tasks }) => ({ commit: tasks.clone.results.commit }) });
 * console.log(pipeline.toYaml());
 * ```
 */
export function definePipeline<
  const P extends Record<string, ParamDeclaration> = Record<never, ParamDeclaration>,
  const W extends string = never,
>(
  input: DefinePipelineInput<P, W>,
  // biome-ignore lint/complexity/noBannedTypes: the empty task map grows with each task()
): PipelineBuilder<keyof P & string, W, {}> {
  const paramNames = Object.keys(input.params ?? {});
  const workspaceNames = input.workspaces ?? [];
  const context = buildContext(paramNames, workspaceNames);
  const tasks: PipelineTask[] = [];
  const finallyTasks: PipelineTask[] = [];

  const toPipelineTask = (
    name: string,
    task: PipelineTaskInput<AnyTaskDefinition | string, string, string, Record<string, string>> & {
      runAfter?: readonly string[];
    },
  ): PipelineTask => {
    const out: PipelineTask = { name };
    if (task.displayName) out.displayName = task.displayName;
    if (typeof task.task === 'string') out.taskRef = { name: task.task };
    else if (task.embed) out.taskSpec = task.task.toSpec();
    else out.taskRef = { name: task.task.name };
    if (task.runAfter && task.runAfter.length > 0) out.runAfter = [...task.runAfter];
    const params = task.params?.(context) as Record<string, ParamValue> | undefined;
    if (params && Object.keys(params).length > 0)
      out.params = Object.entries(params).map(([key, value]) => ({ name: key, value }));
    const bindings = Object.entries(task.workspaces ?? {}) as Array<[string, string]>;
    if (bindings.length > 0) out.workspaces = bindings.map(([key, workspace]) => ({ name: key, workspace }));
    const when = task.when?.(context);
    if (when && when.length > 0) out.when = when;
    if (task.retries !== undefined) out.retries = task.retries;
    if (task.timeout) out.timeout = task.timeout;
    return out;
  };

  const toObject = (namespace?: string): Pipeline => {
    const spec: Pipeline['spec'] = {};
    if (input.description) spec.description = input.description;
    const params = Object.entries(input.params ?? {}).map(([name, declaration]) => ({
      name,
      ...declaration,
    }));
    if (params.length > 0) spec.params = params;
    if (workspaceNames.length > 0) spec.workspaces = workspaceNames.map((name) => ({ name }));
    spec.tasks = tasks;
    if (finallyTasks.length > 0) spec.finally = finallyTasks;
    return {
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: { name: input.name, ...(namespace ? { namespace } : {}) },
      spec,
    };
  };

  // biome-ignore lint/suspicious/noExplicitAny: the runtime builder is untyped; the interface carries the types
  const builder: PipelineBuilder<any, any, any> = {
    task(name, task) {
      tasks.push(toPipelineTask(name as string, task as never));
      return builder;
    },
    finally(name, task) {
      finallyTasks.push(toPipelineTask(name as string, task as never));
      return builder;
    },
    toObject,
    toYaml: (namespace) => stringify(toObject(namespace)),
  };
  return builder;
}
