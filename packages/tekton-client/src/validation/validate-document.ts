import type { z } from 'zod';
import type { WorkspaceBinding } from '../schemas/common.js';
import { pipelineSchema } from '../schemas/pipeline.js';
import { pipelineRunSchema, taskRunSchema } from '../schemas/runs.js';
import { stepActionSchema, taskSchema } from '../schemas/task.js';
import { eventListenerSchema, triggerBindingSchema, triggerTemplateSchema } from '../schemas/triggers.js';
import type { TektonValidationIssue } from './issues.js';
import { checkParamBindings } from './param-types.js';
import { collectReferences, referencedParamName } from './references.js';
import { checkStrictFields } from './strict-fields.js';
import { validatePipelineSpec } from './validate-pipeline-spec.js';
import { validateTaskSpec } from './validate-task-spec.js';

/** The outcome of {@link validateTektonDocument}. */
export interface TektonValidationResult {
  /** The document's kind when it is a Tekton kind this package knows; undefined otherwise. */
  kind: string | undefined;
  valid: boolean;
  issues: TektonValidationIssue[];
  /** What was not checked and why (present only when there is something to say, e.g. for `tekton.dev/v1beta1`). */
  notes?: string[];
}

/**
 * The kinds checked, with the versions Tekton serves for each (config/300-crds in tektoncd/pipeline and
 * tektoncd/triggers): v1 is the storage version of the pipeline kinds, v1beta1 is still served and converted.
 */
const SCHEMAS: Record<string, { group: string; versions: readonly string[]; schema: z.ZodType }> = {
  Task: { group: 'tekton.dev', versions: ['v1', 'v1beta1'], schema: taskSchema },
  Pipeline: { group: 'tekton.dev', versions: ['v1', 'v1beta1'], schema: pipelineSchema },
  PipelineRun: { group: 'tekton.dev', versions: ['v1', 'v1beta1'], schema: pipelineRunSchema },
  TaskRun: { group: 'tekton.dev', versions: ['v1', 'v1beta1'], schema: taskRunSchema },
  StepAction: { group: 'tekton.dev', versions: ['v1', 'v1beta1', 'v1alpha1'], schema: stepActionSchema },
  TriggerTemplate: {
    group: 'triggers.tekton.dev',
    versions: ['v1beta1', 'v1alpha1'],
    schema: triggerTemplateSchema,
  },
  TriggerBinding: {
    group: 'triggers.tekton.dev',
    versions: ['v1beta1', 'v1alpha1'],
    schema: triggerBindingSchema,
  },
  EventListener: {
    group: 'triggers.tekton.dev',
    versions: ['v1beta1', 'v1alpha1'],
    schema: eventListenerSchema,
  },
};

const V1BETA1_NOTE =
  'tekton.dev/v1beta1 is still served by Tekton and converted to v1; checked with the v1 rules, except unknown fields and durations (v1beta1 has fields v1 dropped, e.g. resources, serviceAccountName, timeout on runs)';

/** Whether a document is of a Tekton kind {@link validateTektonDocument} checks. */
export function isTektonKind(document: unknown): boolean {
  if (document === null || typeof document !== 'object') return false;
  const { apiVersion, kind } = document as { apiVersion?: unknown; kind?: unknown };
  const entry = typeof kind === 'string' ? SCHEMAS[kind] : undefined;
  return Boolean(entry && typeof apiVersion === 'string' && apiVersion.startsWith(`${entry.group}/`));
}

const SOURCES = [
  'volumeClaimTemplate',
  'persistentVolumeClaim',
  'emptyDir',
  'configMap',
  'secret',
  'projected',
  'csi',
];

function checkWorkspaceBindings(
  bindings: readonly WorkspaceBinding[],
  declared: ReadonlyArray<{ name: string; optional?: boolean | undefined }> | undefined,
  basePath: Array<string | number>,
): TektonValidationIssue[] {
  const issues: TektonValidationIssue[] = [];
  bindings.forEach((binding, index) => {
    const count = SOURCES.filter(
      (source) => (binding as Record<string, unknown>)[source] !== undefined,
    ).length;
    if (count !== 1) {
      issues.push({
        code: 'schema',
        path: [...basePath, 'workspaces', index],
        message: `workspace binding "${binding.name}" must have exactly one source (found ${count})`,
      });
    }
  });
  const bound = new Set(bindings.map((binding) => binding.name));
  for (const declaration of declared ?? []) {
    if (!declaration.optional && !bound.has(declaration.name)) {
      issues.push({
        code: 'unbound-workspace',
        path: [...basePath, 'workspaces'],
        message: `required workspace "${declaration.name}" is not bound`,
      });
    }
  }
  return issues;
}

function exactlyOne(
  spec: Record<string, unknown>,
  a: string,
  b: string,
  path: Array<string | number>,
): TektonValidationIssue[] {
  const count = (spec[a] === undefined ? 0 : 1) + (spec[b] === undefined ? 0 : 1);
  return count === 1 ? [] : [{ code: 'schema', path, message: `exactly one of ${a} and ${b} is required` }];
}

function semanticIssues(kind: string, document: Record<string, unknown>): TektonValidationIssue[] {
  switch (kind) {
    case 'Task':
      return validateTaskSpec(taskSchema.parse(document).spec, ['spec']);
    case 'Pipeline':
      return validatePipelineSpec(pipelineSchema.parse(document).spec, ['spec']);
    case 'PipelineRun': {
      const spec = pipelineRunSchema.parse(document).spec;
      const issues = exactlyOne(spec, 'pipelineRef', 'pipelineSpec', ['spec']);
      const params = spec.params ?? [];
      const bindings = spec.workspaces ?? [];
      issues.push(...checkWorkspaceBindings(bindings, spec.pipelineSpec?.workspaces, ['spec']));
      if (spec.pipelineSpec) {
        issues.push(
          ...validatePipelineSpec(spec.pipelineSpec, ['spec', 'pipelineSpec'], {
            params: new Set(params.map((param) => param.name)),
            workspaces: new Set(bindings.map((binding) => binding.name)),
          }),
          ...checkParamBindings(spec.pipelineSpec.params ?? [], params, ['spec', 'params'], {
            reportMissing: true,
          }),
        );
      }
      return issues;
    }
    case 'TaskRun': {
      const spec = taskRunSchema.parse(document).spec;
      const issues = exactlyOne(spec, 'taskRef', 'taskSpec', ['spec']);
      const params = spec.params ?? [];
      const bindings = spec.workspaces ?? [];
      issues.push(...checkWorkspaceBindings(bindings, spec.taskSpec?.workspaces, ['spec']));
      if (spec.taskSpec) {
        issues.push(
          ...validateTaskSpec(spec.taskSpec, ['spec', 'taskSpec'], {
            params: new Set(params.map((param) => param.name)),
            workspaces: new Set(bindings.map((binding) => binding.name)),
          }),
          ...checkParamBindings(spec.taskSpec.params ?? [], params, ['spec', 'params'], {
            reportMissing: true,
          }),
        );
      }
      return issues;
    }
    case 'StepAction': {
      const spec = stepActionSchema.parse(document).spec;
      const declared = new Set((spec.params ?? []).map((param) => param.name));
      const issues: TektonValidationIssue[] = [];
      const { params: _params, results: _results, ...body } = spec;
      for (const { expression, path } of collectReferences(body, ['spec'])) {
        const name = expression.startsWith('params') ? referencedParamName(expression) : undefined;
        if (name !== undefined && !declared.has(name)) {
          issues.push({
            code: 'unknown-param',
            path,
            message: `"$(${expression})" refers to undeclared param "${name}"`,
          });
        }
      }
      return issues;
    }
    case 'TriggerTemplate': {
      const spec = triggerTemplateSchema.parse(document).spec;
      const declared = new Set((spec.params ?? []).map((param) => param.name));
      const issues: TektonValidationIssue[] = [];
      (spec.resourcetemplates ?? []).forEach((template, index) => {
        const text = JSON.stringify(template);
        for (const match of text.matchAll(/\$\(tt\.params\.([A-Za-z0-9_.-]+)\)/g)) {
          if (!declared.has(match[1] ?? '')) {
            issues.push({
              code: 'unknown-param',
              path: ['spec', 'resourcetemplates', index],
              message: `"$(tt.params.${match[1]})" refers to undeclared param "${match[1]}"`,
            });
          }
        }
      });
      return issues;
    }
    default:
      return [];
  }
}

/**
 * Validates one Tekton document (already parsed from YAML or JSON) before it is applied: an apiVersion Tekton
 * serves for the kind, Tekton's strict decoding (unknown fields, Go durations in `timeout`/`timeouts.*`), the v1
 * schema, then the static checks Tekton's webhook or controller would fail on later — exactly one of
 * taskRef/taskSpec per pipeline task, unique step names, valid result names, unknown `runAfter` targets, cycles,
 * `finally` tasks with `runAfter`, `$(params.x)` / `$(tasks.t.results.r)` / `$(workspaces.w.path)` references
 * that do not resolve, unbound workspaces and param type mismatches. Propagated params and workspaces of embedded
 * specs are honoured. `tekton.dev/v1beta1` documents are checked with the v1 rules except for unknown fields and
 * durations, which `notes` says. Never throws on bad input; everything is reported as issues with paths.
 *
 * @example
 * ```ts
 * const { valid, issues } = validateTektonDocument(parse(readFileSync('pipeline.yaml', 'utf8')));
 * for (const issue of issues) console.log(issue.path.join('.'), issue.message);
 * ```
 */
export function validateTektonDocument(document: unknown): TektonValidationResult {
  if (!isTektonKind(document)) {
    const kind = (document as { kind?: unknown } | null)?.kind;
    return {
      kind: undefined,
      valid: false,
      issues: [
        {
          code: 'unsupported-kind',
          path: ['kind'],
          message: `not a Tekton document this validator knows (kind ${typeof kind === 'string' ? `"${kind}"` : 'missing'})`,
        },
      ],
    };
  }
  const { kind, apiVersion } = document as { kind: string; apiVersion: string };
  const entry = SCHEMAS[kind]!;
  const version = apiVersion.slice(entry.group.length + 1);
  if (!entry.versions.includes(version)) {
    return {
      kind,
      valid: false,
      issues: [
        {
          code: 'unsupported-api-version',
          path: ['apiVersion'],
          message: `${kind} is not served as ${apiVersion}; Tekton serves ${entry.versions.map((served) => `${entry.group}/${served}`).join(', ')}`,
        },
      ],
    };
  }
  const notes =
    entry.group === 'tekton.dev' && version === 'v1beta1' && kind !== 'StepAction' ? [V1BETA1_NOTE] : [];
  const decodeIssues = notes.length === 0 ? checkStrictFields(kind, document) : [];
  const parsed = entry.schema.safeParse(document);
  const withNotes = (result: TektonValidationResult): TektonValidationResult =>
    notes.length > 0 ? { ...result, notes } : result;
  if (!parsed.success) {
    const issues: TektonValidationIssue[] = parsed.error.issues.map((issue) => ({
      code: 'schema',
      path: issue.path.filter((part): part is string | number => typeof part !== 'symbol'),
      message: issue.message,
    }));
    return withNotes({ kind, valid: false, issues: [...decodeIssues, ...issues] });
  }
  const issues = [...decodeIssues, ...semanticIssues(kind, document as Record<string, unknown>)];
  return withNotes({ kind, valid: issues.length === 0, issues });
}
