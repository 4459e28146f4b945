/**
 * Tekton's defaulting (`SetDefaults` in tektoncd/pipeline `pkg/apis/pipeline/v1/*_defaults.go`,
 * `param_types.go`, `result_defaults.go`), with the `config-defaults` ConfigMap at its defaults. Applied by the
 * emulator's defaulting webhook on create and update; the values a client then reads back are the ones a cluster
 * would show.
 */

type JsonRecord = Record<string, unknown>;

const record = (value: unknown): JsonRecord | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : undefined;
const records = (value: unknown): JsonRecord[] =>
  Array.isArray(value) ? value.map(record).filter((item): item is JsonRecord => item !== undefined) : [];

/** Property types default to `string`. */
function defaultProperties(spec: JsonRecord): void {
  for (const property of Object.values(record(spec['properties']) ?? {})) {
    const entry = record(property);
    if (entry !== undefined && (entry['type'] ?? '') === '') entry['type'] = 'string';
  }
}

/** `ParamSpec.SetDefaults`: the type comes from `type`, else `properties` (object), else the default's shape. */
function defaultParamSpec(param: JsonRecord): void {
  if ((param['type'] ?? '') === '') {
    const fallback = param['default'];
    if (param['properties'] !== undefined) param['type'] = 'object';
    else if (Array.isArray(fallback)) param['type'] = 'array';
    else if (record(fallback) !== undefined) param['type'] = 'object';
    else param['type'] = 'string';
  }
  defaultProperties(param);
}

/** `TaskResult.SetDefaults`: `object` when `properties` is given, else `string`. */
function defaultTaskResult(result: JsonRecord): void {
  if ((result['type'] ?? '') === '')
    result['type'] = result['properties'] !== undefined ? 'object' : 'string';
  defaultProperties(result);
}

function defaultTaskSpec(spec: JsonRecord | undefined): void {
  if (spec === undefined) return;
  for (const param of records(spec['params'])) defaultParamSpec(param);
  for (const result of records(spec['results'])) defaultTaskResult(result);
}

/** `PipelineTask.SetDefaults`: a `taskRef` without kind refers to a namespaced `Task`. */
function defaultPipelineSpec(spec: JsonRecord | undefined): void {
  if (spec === undefined) return;
  for (const param of records(spec['params'])) defaultParamSpec(param);
  for (const task of [...records(spec['tasks']), ...records(spec['finally'])]) {
    const taskRef = record(task['taskRef']);
    if (taskRef !== undefined && (taskRef['kind'] ?? '') === '') taskRef['kind'] = 'Task';
    defaultTaskSpec(record(task['taskSpec']));
  }
}

/**
 * Applies Tekton's defaults to `spec` of a Tekton object of `kind`: param and result types, `taskRef.kind`, and on
 * create the run defaults (`default-timeout-minutes` 60, `default-service-account` `default`).
 */
export function applyTektonDefaults(kind: string, spec: JsonRecord, operation: 'CREATE' | 'UPDATE'): void {
  switch (kind) {
    case 'Task':
      defaultTaskSpec(spec);
      break;
    case 'Pipeline':
      defaultPipelineSpec(spec);
      break;
    case 'PipelineRun': {
      defaultPipelineSpec(record(spec['pipelineSpec']));
      if (operation !== 'CREATE') break;
      spec['timeouts'] ??= {};
      const timeouts = spec['timeouts'] as JsonRecord;
      timeouts['pipeline'] ??= '1h0m0s';
      spec['taskRunTemplate'] ??= {};
      const template = spec['taskRunTemplate'] as JsonRecord;
      template['serviceAccountName'] ??= 'default';
      break;
    }
    case 'TaskRun': {
      const taskRef = record(spec['taskRef']);
      if (taskRef !== undefined && (taskRef['kind'] ?? '') === '') taskRef['kind'] = 'Task';
      defaultTaskSpec(record(spec['taskSpec']));
      if (operation !== 'CREATE') break;
      spec['serviceAccountName'] ??= 'default';
      spec['timeout'] ??= '1h0m0s';
      break;
    }
    default:
      break;
  }
}
