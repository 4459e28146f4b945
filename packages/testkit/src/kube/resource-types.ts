/** A resource kind the emulator serves: where it lives in the URL space and how it behaves. */
export interface ResourceType {
  /** API group; `''` for the core group (served under `/api/v1`). */
  group: string;
  version: string;
  /** Lower-case plural used in URLs, e.g. `pipelineruns`. */
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Whether `status` is a subresource: writes to the main resource keep the stored status. */
  statusSubresource: boolean;
  /** Custom resources accept only JSON patch, merge patch and apply (apiextensions-apiserver `supportedTypes`). */
  custom: boolean;
  /**
   * For a version served by conversion (Tekton's v1beta1): the type objects are stored as. Requests are converted
   * to it and answers back from it, as a CRD conversion webhook does.
   */
  storage?: ResourceType;
}

function core(plural: string, kind: string, statusSubresource = false, namespaced = true): ResourceType {
  return { group: '', version: 'v1', plural, kind, namespaced, statusSubresource, custom: false };
}

function tekton(group: string, version: string, plural: string, kind: string, status: boolean): ResourceType {
  return { group, version, plural, kind, namespaced: true, statusSubresource: status, custom: true };
}

/** `tekton.dev/v1beta1` of a stored `tekton.dev/v1` type: Tekton's CRDs still serve it (config/300-crds). */
function servedAsV1beta1(storage: ResourceType): ResourceType {
  return { ...storage, version: 'v1beta1', storage };
}

const STORED_TYPES: readonly ResourceType[] = [
  core('namespaces', 'Namespace', true, false),
  core('pods', 'Pod', true),
  core('configmaps', 'ConfigMap'),
  core('secrets', 'Secret'),
  core('serviceaccounts', 'ServiceAccount'),
  core('events', 'Event'),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', true),
  tekton('tekton.dev', 'v1', 'pipelineruns', 'PipelineRun', true),
  tekton('tekton.dev', 'v1', 'taskruns', 'TaskRun', true),
  tekton('tekton.dev', 'v1', 'pipelines', 'Pipeline', false),
  tekton('tekton.dev', 'v1', 'tasks', 'Task', false),
  tekton('triggers.tekton.dev', 'v1beta1', 'triggertemplates', 'TriggerTemplate', false),
  tekton('triggers.tekton.dev', 'v1beta1', 'triggerbindings', 'TriggerBinding', false),
  tekton('triggers.tekton.dev', 'v1beta1', 'eventlisteners', 'EventListener', true),
];

/**
 * Every resource type the emulator serves; types with `storage` come last, so a lookup by kind finds the stored
 * version first.
 */
export const RESOURCE_TYPES: readonly ResourceType[] = [
  ...STORED_TYPES,
  ...STORED_TYPES.filter((type) => type.group === 'tekton.dev').map(servedAsV1beta1),
];

/** `group/version`, or `v1` for the core group. */
export function apiVersionOf(type: ResourceType): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Finds a type by its URL coordinates. */
export function findResourceType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (type) => type.group === group && type.version === version && type.plural === plural,
  );
}

/** Finds a type by `kind` (kinds are unique among the served types), optionally checking `apiVersion`. */
export function findResourceTypeByKind(kind: string, apiVersion?: string): ResourceType | undefined {
  return RESOURCE_TYPES.find(
    (type) => type.kind === kind && (apiVersion === undefined || apiVersionOf(type) === apiVersion),
  );
}
