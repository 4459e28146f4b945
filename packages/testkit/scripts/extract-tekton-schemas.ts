/**
 * Bundles the definitions of Tekton's v1 swagger (pkg/apis/pipeline/v1/swagger.json, generated upstream from
 * the Go types) into `src/kube/openapi/tekton-v1-schemas.json`, the source of the KubeEmulator's /openapi/v2
 * and /openapi/v3 documents for Tekton kinds. A published testkit cannot read ../shared, hence the copy.
 * Re-run after updating the spec:
 *
 *   npx tsx scripts/extract-tekton-schemas.ts [path/to/swagger.json]
 *
 * What changes on the way:
 * - Names: Tekton's `v1.X` and `pod.X` become `dev.tekton.v1.X` and `dev.tekton.pod.X` (the API server names a
 *   CRD's schema by reversed group, version and kind); the Kubernetes types the file references without
 *   defining them (its `v1.` prefix is shared by Tekton and Kubernetes) get their canonical names
 *   (`io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, `io.k8s.api.core.v1.EnvVar`, …) and are listed in
 *   `externalDefinitions` for the emulator to provide.
 * - `v1.ParamValue` is a string, a string array or a string map on the wire (custom marshaller in
 *   param_types.go), not the struct the generator saw: it becomes `x-kubernetes-preserve-unknown-fields`, as in
 *   Tekton's own CRD schema.
 * - The top-level kinds get `x-kubernetes-group-version-kind`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

type JsonObject = Record<string, unknown>;

const DEFAULT_SPEC_PATH = '/work/shared/specs/tekton/swagger.json';
const OUTPUT_PATH = resolve(import.meta.dirname, '../src/kube/openapi/tekton-v1-schemas.json');
const KINDS = ['PipelineRun', 'TaskRun', 'Pipeline', 'Task'];

const specPath = process.argv[2] ?? DEFAULT_SPEC_PATH;
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as { definitions: Record<string, JsonObject> };

const META_TYPES = new Set(['ObjectMeta', 'ListMeta', 'Time', 'Duration', 'MicroTime']);

function canonicalName(name: string): string {
  if (spec.definitions[name] !== undefined) {
    if (name.startsWith('v1.')) return `dev.tekton.v1.${name.slice(3)}`;
    if (name.startsWith('pod.')) return `dev.tekton.pod.${name.slice(4)}`;
    return `dev.tekton.${name}`;
  }
  if (name.startsWith('v1.')) {
    const type = name.slice(3);
    return META_TYPES.has(type)
      ? `io.k8s.apimachinery.pkg.apis.meta.v1.${type}`
      : `io.k8s.api.core.v1.${type}`;
  }
  if (name === 'knative.Condition') return 'dev.knative.pkg.apis.Condition';
  if (name.startsWith('k8s.io.')) return `io.k8s.${name.slice('k8s.io.'.length)}`;
  return name.replace(/^github\.com\.tektoncd\.pipeline\./, 'dev.tekton.');
}

const external = new Set<string>();

function rename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rename);
  if (value === null || typeof value !== 'object') return value;
  const result: JsonObject = {};
  for (const [key, child] of Object.entries(value as JsonObject)) {
    if (key === '$ref' && typeof child === 'string') {
      const name = child.replace('#/definitions/', '');
      const canonical = canonicalName(name);
      if (spec.definitions[name] === undefined) external.add(canonical);
      result[key] = `#/definitions/${canonical}`;
    } else result[key] = rename(child);
  }
  return result;
}

const definitions: Record<string, unknown> = {};
for (const [name, definition] of Object.entries(spec.definitions)) {
  definitions[canonicalName(name)] = rename(definition);
}
const paramValue = definitions['dev.tekton.v1.ParamValue'] as JsonObject;
definitions['dev.tekton.v1.ParamValue'] = {
  description: paramValue['description'],
  'x-kubernetes-preserve-unknown-fields': true,
};
for (const kind of KINDS) {
  const definition = definitions[`dev.tekton.v1.${kind}`] as JsonObject;
  definition['x-kubernetes-group-version-kind'] = [{ group: 'tekton.dev', version: 'v1', kind }];
}

const output = {
  source: {
    spec: 'github.com/tektoncd/pipeline pkg/apis/pipeline/v1/swagger.json (see /work/shared/specs/tekton/SOURCE.txt)',
    patches: ['canonical definition names', 'ParamValue as preserve-unknown-fields', 'group-version-kind'],
  },
  kinds: Object.fromEntries(KINDS.map((kind) => [kind, `dev.tekton.v1.${kind}`])),
  externalDefinitions: [...external].sort(),
  definitions,
};
writeFileSync(OUTPUT_PATH, `${JSON.stringify(output, null, 1)}\n`);
console.log(`wrote ${Object.keys(definitions).length} definitions, ${external.size} external references`);
