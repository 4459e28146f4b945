import { createHash } from 'node:crypto';
import type { KubeObject, ObjectStore } from './object-store.js';
import { findResourceTypeByKind } from './resource-types.js';
import type { ParamValue } from './task-script.js';
import type { WhenExpression } from './tekton-substitution.js';

const TASK_RUN = findResourceTypeByKind('TaskRun')!;

/** A task of a Pipeline (`spec.tasks[]` or `spec.finally[]`). */
export interface PipelineTask {
  name: string;
  taskRef?: { name?: string; kind?: string; resolver?: string };
  taskSpec?: Record<string, unknown>;
  runAfter?: string[];
  params?: Array<{ name: string; value: ParamValue }>;
  when?: WhenExpression[];
  retries?: number;
  timeout?: string;
  onError?: string;
  workspaces?: Array<{ name: string; workspace?: string; subPath?: string }>;
  displayName?: string;
}

/** The part of a PipelineRun spec the simulation reads. */
export interface PipelineRunSpec {
  pipelineRef?: { name?: string; resolver?: string };
  pipelineSpec?: Record<string, unknown>;
  params?: Array<{ name: string; value: ParamValue }>;
  status?: string;
  timeouts?: { pipeline?: string; tasks?: string; finally?: string };
  taskRunTemplate?: { serviceAccountName?: string; podTemplate?: unknown };
  taskRunSpecs?: Array<{ pipelineTaskName: string; serviceAccountName?: string }>;
  workspaces?: Array<{ name: string; [key: string]: unknown }>;
}

/**
 * Name of a child object, as knative's `kmeta.ChildName` makes it: `<parent>-<suffix>`, shortened with an MD5
 * hash of the full name when it would exceed 63 characters.
 */
export function childName(parent: string, suffix: string): string {
  const full = `${parent}-${suffix}`;
  if (full.length <= 63) return full;
  const hash = createHash('md5').update(full).digest('hex');
  return `${full.slice(0, 63 - hash.length)}${hash}`;
}

/**
 * Creates the TaskRun of a pipeline task: Tekton's labels (`tekton.dev/pipelineRun`, `...UID`,
 * `tekton.dev/pipelineTask`, `tekton.dev/memberOf`, `tekton.dev/pipeline`, `tekton.dev/task`), the owner
 * reference, resolved params and workspaces bound from the run. Returns the run's `childReferences` entry.
 */
export function createPipelineTaskRun(
  store: ObjectStore,
  run: KubeObject,
  task: PipelineTask,
  memberOf: 'tasks' | 'finally',
  params: Array<{ name: string; value: ParamValue }>,
  when: WhenExpression[] | undefined,
  timeout: string | undefined,
): Record<string, unknown> {
  const spec = (run['spec'] ?? {}) as PipelineRunSpec;
  const namespace = run.metadata.namespace ?? 'default';
  const name = childName(run.metadata.name, task.name);
  const labels: Record<string, string> = {
    ...(run.metadata.labels ?? {}),
    'tekton.dev/pipelineRun': run.metadata.name,
    'tekton.dev/pipelineRunUID': run.metadata.uid,
    'tekton.dev/pipelineTask': task.name,
    'tekton.dev/memberOf': memberOf,
    'tekton.dev/pipeline': spec.pipelineRef?.name ?? run.metadata.name,
  };
  if (task.taskRef?.name !== undefined) labels['tekton.dev/task'] = task.taskRef.name;
  const bindings = spec.workspaces ?? [];
  const workspaces = (task.workspaces ?? []).flatMap((workspace) => {
    const binding = bindings.find((candidate) => candidate.name === (workspace.workspace ?? workspace.name));
    if (binding === undefined) return [];
    const { name: _bound, ...volume } = binding;
    const subPath = [binding['subPath'], workspace.subPath]
      .filter((part) => typeof part === 'string' && part !== '')
      .join('/');
    return [{ ...volume, name: workspace.name, ...(subPath === '' ? {} : { subPath }) }];
  });
  const serviceAccountName =
    spec.taskRunSpecs?.find((entry) => entry.pipelineTaskName === task.name)?.serviceAccountName ??
    spec.taskRunTemplate?.serviceAccountName ??
    'default';
  const taskRunSpec: Record<string, unknown> = { params, serviceAccountName };
  if (task.taskRef !== undefined) taskRunSpec['taskRef'] = { kind: 'Task', ...task.taskRef };
  if (task.taskSpec !== undefined) taskRunSpec['taskSpec'] = task.taskSpec;
  if (task.retries !== undefined && task.retries > 0) taskRunSpec['retries'] = task.retries;
  if (timeout !== undefined) taskRunSpec['timeout'] = timeout;
  if (workspaces.length > 0) taskRunSpec['workspaces'] = workspaces;
  store.create(TASK_RUN, namespace, {
    apiVersion: 'tekton.dev/v1',
    kind: 'TaskRun',
    metadata: {
      name,
      namespace,
      labels,
      ...(run.metadata.annotations === undefined ? {} : { annotations: run.metadata.annotations }),
      ownerReferences: [
        {
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
          name: run.metadata.name,
          uid: run.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: taskRunSpec,
  } as never);
  const reference: Record<string, unknown> = {
    apiVersion: 'tekton.dev/v1',
    kind: 'TaskRun',
    name,
    pipelineTaskName: task.name,
  };
  if (task.displayName !== undefined) reference['displayName'] = task.displayName;
  if (when !== undefined && when.length > 0) reference['whenExpressions'] = when;
  return reference;
}
