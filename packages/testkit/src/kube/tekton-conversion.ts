/**
 * Conversion between `tekton.dev/v1beta1` and the stored `tekton.dev/v1` for Task, Pipeline, TaskRun and
 * PipelineRun, following Tekton's conversion webhook (tektoncd/pipeline `pkg/apis/pipeline/v1beta1/*_conversion.go`,
 * `docs/migrating-v1beta1-to-v1.md`):
 *
 * | v1beta1 | v1 |
 * | --- | --- |
 * | step / sidecar / stepTemplate `resources` | `computeResources` |
 * | PipelineRun `serviceAccountName`, `podTemplate` | `taskRunTemplate.serviceAccountName`, `.podTemplate` |
 * | PipelineRun `timeout` | `timeouts.pipeline` (only when `timeouts` is not given; not converted back) |
 * | `taskRunSpecs[].taskServiceAccountName` / `taskPodTemplate` | `serviceAccountName` / `podTemplate` |
 * | `stepOverrides` / `sidecarOverrides` (TaskRun, taskRunSpecs) | `stepSpecs` / `sidecarSpecs` |
 * | `taskRef.bundle`, `pipelineRef.bundle` | `resolver: bundles` with params bundle, name, kind (one way) |
 * | `spec.resources` (PipelineResources) | annotation `tekton.dev/v1beta1Resources` (JSON), and back |
 * | status `pipelineResults` / `taskResults` | status `results` |
 *
 * Not converted: PipelineResources inside pipeline tasks and embedded specs (dropped, as v1 has no place for them),
 * `status.taskRuns` / `status.runs` (not populated since Tekton v0.45), `resourcesResult`, `cloudEvents`.
 */

type JsonRecord = Record<string, unknown>;

const RESOURCES_ANNOTATION = 'tekton.dev/v1beta1Resources';

const record = (value: unknown): JsonRecord | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : undefined;

/** Moves `object[from]` to `object[to]` (when `to` is not already set). */
function rename(object: JsonRecord | undefined, from: string, to: string): void {
  if (object === undefined || !(from in object)) return;
  if (object[to] === undefined) object[to] = object[from];
  delete object[from];
}

function forEachRecord(value: unknown, visit: (item: JsonRecord) => void): void {
  if (!Array.isArray(value)) return;
  for (const item of value) {
    const entry = record(item);
    if (entry !== undefined) visit(entry);
  }
}

type Direction = 'toV1' | 'toV1beta1';

function containerResources(spec: JsonRecord | undefined, direction: Direction): void {
  if (spec === undefined) return;
  const [from, to] =
    direction === 'toV1' ? ['resources', 'computeResources'] : ['computeResources', 'resources'];
  forEachRecord(spec['steps'], (step) => rename(step, from, to));
  forEachRecord(spec['sidecars'], (sidecar) => rename(sidecar, from, to));
  rename(record(spec['stepTemplate']), from, to);
}

function convertTaskSpec(spec: JsonRecord | undefined, direction: Direction, embedded: boolean): void {
  if (spec === undefined) return;
  containerResources(spec, direction);
  if (embedded && direction === 'toV1') delete spec['resources'];
}

/** v1beta1 `bundle` → the bundles resolver (Tekton converts it one way only). */
function bundleToResolver(reference: JsonRecord | undefined, kind: 'Task' | 'Pipeline'): void {
  if (reference === undefined || typeof reference['bundle'] !== 'string') return;
  const name = reference['name'];
  reference['resolver'] = 'bundles';
  reference['params'] = [
    { name: 'bundle', value: reference['bundle'] },
    { name: 'name', value: name },
    { name: 'kind', value: kind },
  ];
  delete reference['bundle'];
  delete reference['name'];
}

function convertPipelineSpec(spec: JsonRecord | undefined, direction: Direction, embedded: boolean): void {
  if (spec === undefined) return;
  for (const list of ['tasks', 'finally']) {
    forEachRecord(spec[list], (task) => {
      if (direction === 'toV1') {
        bundleToResolver(record(task['taskRef']), 'Task');
        delete task['resources'];
      }
      convertTaskSpec(record(task['taskSpec']), direction, true);
    });
  }
  if (embedded && direction === 'toV1') delete spec['resources'];
}

/** `spec.resources` ↔ the `tekton.dev/v1beta1Resources` annotation, as Tekton's `serializeResources` does. */
function convertResources(object: JsonRecord, spec: JsonRecord, direction: Direction): void {
  const metadata = record(object['metadata']) ?? {};
  object['metadata'] = metadata;
  if (direction === 'toV1') {
    if (spec['resources'] === undefined) return;
    const annotations = record(metadata['annotations']) ?? {};
    annotations[RESOURCES_ANNOTATION] = JSON.stringify(spec['resources']);
    metadata['annotations'] = annotations;
    delete spec['resources'];
    return;
  }
  const annotations = record(metadata['annotations']);
  const serialised = annotations?.[RESOURCES_ANNOTATION];
  if (annotations === undefined || typeof serialised !== 'string') return;
  try {
    spec['resources'] = JSON.parse(serialised);
  } catch {
    return;
  }
  delete annotations[RESOURCES_ANNOTATION];
  if (Object.keys(annotations).length === 0) delete metadata['annotations'];
}

function convertTaskRunSpecs(spec: JsonRecord, direction: Direction): void {
  const pairs: Array<[string, string]> = [
    ['taskServiceAccountName', 'serviceAccountName'],
    ['taskPodTemplate', 'podTemplate'],
    ['stepOverrides', 'stepSpecs'],
    ['sidecarOverrides', 'sidecarSpecs'],
  ];
  forEachRecord(spec['taskRunSpecs'], (entry) => {
    for (const [beta, stable] of pairs) {
      if (direction === 'toV1') rename(entry, beta, stable);
      else rename(entry, stable, beta);
    }
  });
}

function convertPipelineRun(object: JsonRecord, spec: JsonRecord, direction: Direction): void {
  const status = record(object['status']);
  convertTaskRunSpecs(spec, direction);
  if (direction === 'toV1') {
    const template = record(spec['taskRunTemplate']) ?? {};
    if (spec['serviceAccountName'] !== undefined)
      template['serviceAccountName'] ??= spec['serviceAccountName'];
    if (spec['podTemplate'] !== undefined) template['podTemplate'] ??= spec['podTemplate'];
    delete spec['serviceAccountName'];
    delete spec['podTemplate'];
    if (Object.keys(template).length > 0) spec['taskRunTemplate'] = template;
    if (spec['timeout'] !== undefined) {
      if (spec['timeouts'] === undefined) spec['timeouts'] = { pipeline: spec['timeout'] };
      delete spec['timeout'];
    }
    bundleToResolver(record(spec['pipelineRef']), 'Pipeline');
    rename(status, 'pipelineResults', 'results');
  } else {
    const template = record(spec['taskRunTemplate']);
    if (template !== undefined) {
      if (template['serviceAccountName'] !== undefined)
        spec['serviceAccountName'] = template['serviceAccountName'];
      if (template['podTemplate'] !== undefined) spec['podTemplate'] = template['podTemplate'];
      delete spec['taskRunTemplate'];
    }
    rename(status, 'results', 'pipelineResults');
  }
  convertPipelineSpec(record(spec['pipelineSpec']), direction, true);
  convertPipelineSpec(record(status?.['pipelineSpec']), direction, true);
}

function convertTaskRun(object: JsonRecord, spec: JsonRecord, direction: Direction): void {
  const status = record(object['status']);
  const pairs: Array<[string, string]> = [
    ['stepOverrides', 'stepSpecs'],
    ['sidecarOverrides', 'sidecarSpecs'],
  ];
  for (const [beta, stable] of pairs) {
    if (direction === 'toV1') rename(spec, beta, stable);
    else rename(spec, stable, beta);
  }
  if (direction === 'toV1') {
    bundleToResolver(record(spec['taskRef']), 'Task');
    rename(status, 'taskResults', 'results');
  } else rename(status, 'results', 'taskResults');
  convertTaskSpec(record(spec['taskSpec']), direction, true);
  convertTaskSpec(record(status?.['taskSpec']), direction, true);
}

/**
 * Converts a Tekton object between `tekton.dev/v1beta1` and `tekton.dev/v1` (a converted copy; the input is not
 * changed). Kinds other than Task, Pipeline, TaskRun and PipelineRun are returned as they are.
 *
 * @example
 * ```ts
 * convertTektonObject(v1beta1PipelineRun, 'toV1').spec.taskRunTemplate.serviceAccountName; // was spec.serviceAccountName
 * ```
 */
export function convertTektonObject<T extends object>(object: T, direction: Direction): T {
  const copy = structuredClone(object) as JsonRecord;
  const kind = copy['kind'];
  const spec = record(copy['spec']);
  if (spec !== undefined) {
    switch (kind) {
      case 'Task':
        convertTaskSpec(spec, direction, false);
        break;
      case 'Pipeline':
        convertPipelineSpec(spec, direction, false);
        break;
      case 'PipelineRun':
        convertPipelineRun(copy, spec, direction);
        break;
      case 'TaskRun':
        convertTaskRun(copy, spec, direction);
        break;
      default:
        return copy as T;
    }
    convertResources(copy, spec, direction);
  }
  if (['Task', 'Pipeline', 'PipelineRun', 'TaskRun'].includes(String(kind))) {
    copy['apiVersion'] = direction === 'toV1' ? 'tekton.dev/v1' : 'tekton.dev/v1beta1';
  }
  return copy as T;
}
