import { goDurationProblem } from './go-duration.js';
import type { TektonValidationIssue } from './issues.js';
import fieldTable from './tekton-v1-fields.json' with { type: 'json' };

/** Field name → what its value holds: a Tekton type, `map:<type>`, `duration`, or null (not checked further). */
type Fields = Record<string, string | null>;
const TYPES = fieldTable.types as Record<string, Fields>;
const ROOTS = fieldTable.roots as Record<string, string>;

/** Go's encoding/json matches a key to a field exactly, else case-insensitively. */
function declaredField(fields: Fields, key: string): string | undefined {
  if (Object.hasOwn(fields, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(fields).find((field) => field.toLowerCase() === lower);
}

/**
 * Checks a `tekton.dev/v1` Task, Pipeline, TaskRun or PipelineRun the way Tekton's webhook decodes it: Go's JSON
 * decoder with unknown fields disallowed (tektoncd/pipeline `cmd/webhook/main.go`), against the field table of
 * Tekton's v1 swagger (`tekton-v1-fields.json`). Reports every field no Tekton type declares (a misspelt `scirpt`,
 * a stray `spec.bogusField`) and every `metav1.Duration` field (`timeout`, `timeouts.*`) that is not a Go duration.
 * Kubernetes core types inside (env, volumes, pod templates, metadata) and `status` are not checked.
 */
export function checkStrictFields(kind: string, document: unknown): TektonValidationIssue[] {
  const root = ROOTS[kind];
  if (root === undefined) return [];
  const issues: TektonValidationIssue[] = [];
  const visit = (value: unknown, typeName: string, path: Array<string | number>): void => {
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, typeName, [...path, index]);
      return;
    }
    const fields = TYPES[typeName];
    if (fields === undefined || value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      if (path.length === 0 && key === 'status') continue;
      const field = declaredField(fields, key);
      if (field === undefined) {
        issues.push({
          code: 'unknown-field',
          path: [...path, key],
          message: `unknown field "${key}": Tekton's webhook decodes strictly and refuses it`,
        });
        continue;
      }
      const kindOfValue = fields[field];
      if (kindOfValue === 'duration') {
        const problem = typeof child === 'string' ? goDurationProblem(child) : undefined;
        if (problem !== undefined)
          issues.push({ code: 'invalid-duration', path: [...path, key], message: problem });
      } else if (kindOfValue?.startsWith('map:') && child !== null && typeof child === 'object') {
        for (const [entry, item] of Object.entries(child))
          visit(item, kindOfValue.slice('map:'.length), [...path, key, entry]);
      } else if (kindOfValue !== null && kindOfValue !== undefined) {
        visit(child, kindOfValue, [...path, key]);
      }
    }
  };
  visit(document, root, []);
  return issues;
}
