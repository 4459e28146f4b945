/**
 * Extracts the field table of Tekton's v1 types (which JSON fields each Go struct accepts, and the type of each
 * field's value) from Tekton's swagger into a small JSON file. Tekton's webhooks decode every object with Go's
 * `DisallowUnknownFields` (tektoncd/pipeline `cmd/webhook/main.go`), so this table is what "unknown field" means.
 *
 *   npx tsx scripts/extract-tekton-fields.ts [path/to/swagger.json] [output.json]
 *
 * Default output: `src/kube/tekton-v1-fields.json`. tekton-client's validator keeps its own copy, produced by the same
 * script: `npx tsx scripts/extract-tekton-fields.ts <swagger> ../tekton-client/src/validation/tekton-v1-fields.json`.
 *
 * Field values in the output: a Tekton type name (object, or array of objects), `map:<type>` (string-keyed map of
 * that type), `duration` (a Go `metav1.Duration` string) or `null` (a scalar, or a Kubernetes core type that the
 * swagger does not define and that is therefore not checked).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

type JsonObject = Record<string, unknown>;

const specPath =
  process.argv[2] ?? resolve(import.meta.dirname, '../../../../shared/specs/tekton/swagger.json');
const outputPath = resolve(
  process.argv[3] ?? resolve(import.meta.dirname, '../src/kube/tekton-v1-fields.json'),
);
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as { definitions: Record<string, JsonObject> };
const definitions = spec.definitions;

function refName(value: JsonObject | undefined): string | undefined {
  const ref = value?.['$ref'];
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

function fieldType(property: JsonObject): string | null {
  const direct = refName(property);
  if (direct === 'v1.Duration') return 'duration';
  // ParamValue's swagger shape is the Go struct, not the wire format (string | string[] | map): a leaf here.
  if (direct === 'v1.ParamValue') return null;
  if (direct !== undefined) return definitions[direct] ? direct : null;
  const items = refName(property['items'] as JsonObject | undefined);
  if (items !== undefined) return definitions[items] && items !== 'v1.ParamValue' ? items : null;
  const values = refName(property['additionalProperties'] as JsonObject | undefined);
  if (values !== undefined) return definitions[values] ? `map:${values}` : null;
  return null;
}

const types: Record<string, Record<string, string | null>> = {};
for (const [name, definition] of Object.entries(definitions)) {
  const properties = definition['properties'] as Record<string, JsonObject> | undefined;
  if (properties === undefined) continue;
  const fields: Record<string, string | null> = {};
  for (const [field, property] of Object.entries(properties)) fields[field] = fieldType(property);
  types[name] = fields;
}

// The swagger generator drops inlined (`json:",inline"`) structs: TaskRef, PipelineRef and Ref embed ResolverRef
// (pkg/apis/pipeline/v1/pipelineref_types.go, taskref_types.go, container_types.go).
for (const name of ['v1.TaskRef', 'v1.PipelineRef', 'v1.Ref']) {
  Object.assign(types[name] ?? {}, types['v1.ResolverRef'] ?? {});
}

const output = {
  source:
    'tektoncd/pipeline pkg/apis/pipeline/v1/swagger.json (see shared/specs/tekton/SOURCE.txt); inlined ResolverRef restored',
  roots: { Task: 'v1.Task', Pipeline: 'v1.Pipeline', TaskRun: 'v1.TaskRun', PipelineRun: 'v1.PipelineRun' },
  types,
};
writeFileSync(outputPath, `${JSON.stringify(output, null, 1)}\n`);
console.log(`wrote ${Object.keys(types).length} types to ${outputPath}`);
