import type { z } from 'zod';
import type { WorkspaceBinding } from '../schemas/common.js';
import { pipelineSchema } from '../schemas/pipeline.js';
import { pipelineRunSchema, taskRunSchema } from '../schemas/runs.js';
import { stepActionSchema, taskSchema } from '../schemas/task.js';
import { eventListenerSchema, triggerBindingSchema, triggerTemplateSchema } from '../schemas/triggers.js';
import type { TektonValidationIssue } from './issues.js';
import { checkParamBindings } from './param-types.js';
import { collectReferences, referencedParamName } from './references.js';
import { validatePipelineSpec } from './validate-pipeline-spec.js';
import { validateTaskSpec } from './validate-task-spec.js';

/** The outcome of {@link validateTektonDocument}. */
export interface TektonValidationResult {
  /** The document's kind when it is a Tekton kind this package knows; undefined otherwise. */
  kind: string | undefined;
  valid: boolean;
  issues: TektonValidationIssue[];
}

const SCHEMAS: Record<string, { group: string; schema: z.ZodType }> = {
  Task: { group: 'tekton.dev', schema: taskSchema },
  Pipeline: { group: 'tekton.dev', schema: pipelineSchema },
  PipelineRun: { group: 'tekton.dev', schema: pipelineRunSchema },
  TaskRun: { group: 'tekton.dev', schema: taskRunSchema },
  StepAction: { group: 'tekton.dev', schema: stepActionSchema },
  TriggerTemplate: { group: 'triggers.tekton.dev', schema: triggerTemplateSchema },
  TriggerBinding: { group: 'triggers.tekton.dev', schema: triggerBindingSchema },
  EventListener: { group: 'triggers.tekton.dev', schema: eventListenerSchema },
};

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
 * Validates one Tekton document (already parsed from YAML or JSON) before it is applied: the v1 schema, then the
 * static checks Tekton's webhook or controller would fail on later — unknown `runAfter` targets, cycles, `finally`
 * tasks with `runAfter`, `$(params.x)` / `$(tasks.t.results.r)` / `$(workspaces.w.path)` references that do not
 * resolve, unbound workspaces and param type mismatches. Propagated params and workspaces of embedded specs are
 * honoured. Never throws on bad input; everything is reported as issues with paths.
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
  const kind = (document as { kind: string }).kind;
  const parsed = SCHEMAS[kind]!.schema.safeParse(document);
  if (!parsed.success) {
    const issues: TektonValidationIssue[] = parsed.error.issues.map((issue) => ({
      code: 'schema',
      path: issue.path.filter((part): part is string | number => typeof part !== 'symbol'),
      message: issue.message,
    }));
    return { kind, valid: false, issues };
  }
  const issues = semanticIssues(kind, document as Record<string, unknown>);
  return { kind, valid: issues.length === 0, issues };
}
