/** Where a kind lives in the Kubernetes API. */
export interface ResourceType {
  /** API group; empty for the core group (`/api/v1`). */
  group: string;
  version: string;
  /** Lower-case plural (`pipelineruns`). */
  plural: string;
  kind: string;
}

/** The resource types this package uses. */
export const RESOURCES = {
  pipelineRuns: { group: 'tekton.dev', version: 'v1', plural: 'pipelineruns', kind: 'PipelineRun' },
  taskRuns: { group: 'tekton.dev', version: 'v1', plural: 'taskruns', kind: 'TaskRun' },
  pipelines: { group: 'tekton.dev', version: 'v1', plural: 'pipelines', kind: 'Pipeline' },
  tasks: { group: 'tekton.dev', version: 'v1', plural: 'tasks', kind: 'Task' },
  pods: { group: '', version: 'v1', plural: 'pods', kind: 'Pod' },
} as const satisfies Record<string, ResourceType>;

/** `apiVersion` of a resource type (`tekton.dev/v1`, `v1`). */
export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The collection or object path of a namespaced resource. */
export function resourcePath(
  type: ResourceType,
  namespace: string,
  name?: string,
  subresource?: string,
): string {
  const prefix = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  let path = `${prefix}/namespaces/${encodeURIComponent(namespace)}/${type.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}
