import { ValidationError } from '@gitops-kit/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDurationMs } from '../cli/duration.js';

const duration = z
  .string()
  .refine((text) => {
    try {
      parseDurationMs(text);
      return true;
    } catch {
      return false;
    }
  }, 'a duration such as 90s, 10m or 1h30m')
  .describe('A duration: 90s, 10m, 1h30m, or a number of seconds');

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and -');

const changeSchema = z.strictObject({
  file: z.string().min(1).describe('Repository-relative YAML file, e.g. env/prod/values.yaml'),
  paths: z
    .union([z.array(z.string().min(1)).min(1), z.record(z.string().min(1), z.string().min(1))])
    .describe(
      'Release values this file receives: a list of paths named like the values, or { path-in-file: value-name }',
    ),
  createMissing: z.boolean().optional().describe('Insert keys that do not exist yet'),
});

const pushStrategySchema = z.strictObject({ type: z.literal('push') });

const changeRequestStrategySchema = z.strictObject({
  type: z.literal('change-request'),
  forge: z.string().min(1).describe('The name of a forge client passed to promoteRelease (e.g. gitlab)'),
  project: z.string().min(1).describe('GitLab project path or id, GitHub owner/repo'),
  autoMerge: z.boolean().default(false).describe('Merge as soon as the checks pass (GitLab auto-merge)'),
  mergeMethod: z.enum(['merge', 'squash', 'rebase']).optional(),
  labels: z.array(z.string()).optional(),
  mergeTimeout: duration.optional().describe('How long to wait for someone to merge; default 24h'),
});

const stageSchema = z.strictObject({
  name,
  application: z.strictObject({
    name: z.string().min(1),
    project: z.string().min(1).optional(),
    appNamespace: z.string().min(1).optional(),
  }),
  repository: z.strictObject({
    url: z.string().min(1).describe('https:// or ssh:// URL of the deploy repository, without credentials'),
    branch: z.string().min(1).describe('The branch Argo CD tracks for this stage'),
  }),
  changes: z.array(changeSchema).min(1),
  strategy: z
    .discriminatedUnion('type', [pushStrategySchema, changeRequestStrategySchema])
    .default({ type: 'push' }),
  gate: z
    .strictObject({
      soak: duration.optional().describe('Stay Healthy this long before the next stage starts'),
    })
    .optional(),
  onFailure: z.enum(['git-revert', 'argocd-rollback', 'none']).default('none'),
  wait: z.strictObject({ timeout: duration.optional() }).optional(),
});

/** The stages file (`stages.yaml`): ordered stages a release goes through. */
export const stagesFileSchema = z
  .strictObject({
    apiVersion: z.literal('gitops-kit.dev/v1alpha1').optional(),
    kind: z.literal('ReleaseStages').optional(),
    stages: z.array(stageSchema).min(1),
  })
  .superRefine((file, context) => {
    const seen = new Set<string>();
    file.stages.forEach((stage, index) => {
      if (seen.has(stage.name)) {
        context.addIssue({
          code: 'custom',
          path: ['stages', index, 'name'],
          message: `duplicate stage name ${stage.name}`,
        });
      }
      seen.add(stage.name);
    });
  });

/** One stage as written in a stages file or in code (defaults not yet applied). */
export type ReleaseStageDefinition = z.input<typeof stageSchema>;
/** One stage with its defaults applied. */
export type ReleaseStage = z.output<typeof stageSchema>;

/**
 * Validates stage definitions (from code or a parsed file) and applies their defaults.
 *
 * @throws {ValidationError} naming every problem with its place (`stages[1].strategy.forge: …`).
 * @example
 * ```ts
 * const stages = parseReleaseStages([{ name: 'dev', application: { name: 'app-dev' },
 *   repository: { url, branch: 'main' }, changes: [{ file: 'env/dev/values.yaml', paths: ['image.tag'] }] }]);
 * ```
 */
export function parseReleaseStages(stages: unknown): ReleaseStage[] {
  const result = stagesFileSchema.safeParse({ stages });
  if (!result.success) throw stagesError(result.error);
  return result.data.stages;
}

/**
 * Reads a stages file's text (YAML or JSON).
 *
 * @throws {ValidationError} for YAML that does not parse or a document that does not match the schema.
 * @example
 * ```ts
 * const stages = parseStagesFile(readFileSync('stages.yaml', 'utf8'));
 * ```
 */
export function parseStagesFile(text: string): ReleaseStage[] {
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    throw new ValidationError(
      `the stages file is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const result = stagesFileSchema.safeParse(document);
  if (!result.success) throw stagesError(result.error);
  return result.data.stages;
}

/**
 * The JSON Schema of a stages file, for editors (`# yaml-language-server: $schema=…`).
 *
 * @example
 * ```ts
 * writeFileSync('stages.schema.json', JSON.stringify(releaseStagesJsonSchema(), null, 2));
 * ```
 */
export function releaseStagesJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(stagesFileSchema, { io: 'input', target: 'draft-2020-12' }),
    title: 'gitops-kit release stages',
  };
}

function stagesError(error: z.ZodError): ValidationError {
  const issues = error.issues.map((issue) => {
    const where = issue.path.reduce<string>(
      (text, part) =>
        typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part),
      '',
    );
    return `${where || '(root)'}: ${issue.message}`;
  });
  return new ValidationError(`invalid release stages:\n  ${issues.join('\n  ')}`);
}

/**
 * The values a stage's file receives from the release: `paths` as a list takes each value by the same name; as a
 * map, `{ 'app.image.tag': 'image.tag' }` puts the release value `image.tag` at `app.image.tag`.
 *
 * @throws {ValidationError} when the release lacks a value a stage needs.
 */
export function stageValues(
  change: ReleaseStage['changes'][number],
  values: Readonly<Record<string, unknown>>,
  stage: string,
): Record<string, unknown> {
  const mapping = Array.isArray(change.paths)
    ? Object.fromEntries(change.paths.map((path) => [path, path]))
    : change.paths;
  const result: Record<string, unknown> = {};
  for (const [path, valueName] of Object.entries(mapping)) {
    // Own values only: `constructor` or `toString` are not release values because every object inherits them.
    if (!Object.hasOwn(values, valueName)) {
      throw new ValidationError(
        `stage ${stage} sets ${change.file} ${path} from the release value ${valueName}, which the release does not have`,
      );
    }
    // Defined, not assigned: a path named `__proto__` is a key like any other, not the object's prototype.
    Object.defineProperty(result, path, {
      value: values[valueName],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}
