import { ValidationError } from '@gitops-kit/core';
import {
  assertBranchName,
  assertRepoRelativePath,
  isSshRemote,
  parseSshRemote,
} from '@gitops-kit/manifest-updater';
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

/** A zod check from one of manifest-updater's asserts, keeping its reason (it never quotes a secret). */
function accepted(assert: (value: string) => unknown) {
  return (value: string, context: z.core.$RefinementCtx<string>): void => {
    try {
      assert(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  };
}

/**
 * http(s) without userinfo, or an SSH remote (`ssh://git@host/x.git`, `git@host:x.git`). The URL is never quoted
 * back: a password in it would land in the error.
 */
function checkRepositoryUrl(url: string, context: z.core.$RefinementCtx<string>): void {
  if (isSshRemote(url)) {
    try {
      parseSshRemote(url);
    } catch {
      context.addIssue({
        code: 'custom',
        message: 'not a valid SSH remote (user@host:path or ssh://host/path)',
      });
    }
    return;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    context.addIssue({ code: 'custom', message: 'not an https://, http:// or SSH repository URL' });
  } else if (parsed.username !== '' || parsed.password !== '') {
    context.addIssue({
      code: 'custom',
      message: 'the URL must not contain credentials; give them with gitAuth (--git-token-file)',
    });
  }
}

/** A GitLab project path or numeric id, a GitHub owner/repo: the rule forge-client applies, checked up front. */
const forgeProject = z
  .string()
  .min(1)
  .regex(/^[\w.-]+(\/[\w.-]+)*$/, 'a path such as team/deploy, owner/repo or a numeric id')
  .refine((project) => !project.split('/').some((part) => part === '.' || part === '..'), {
    message: 'a path such as team/deploy, owner/repo or a numeric id',
  });

const name = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and -');

const changeSchema = z.strictObject({
  file: z
    .string()
    .min(1)
    .superRefine(accepted(assertRepoRelativePath))
    .describe('Repository-relative YAML file, e.g. env/prod/values.yaml'),
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
  project: forgeProject.describe('GitLab project path or id, GitHub owner/repo'),
  autoMerge: z.boolean().default(false).describe('Merge as soon as the checks pass (GitLab auto-merge)'),
  mergeMethod: z.enum(['merge', 'squash', 'rebase']).optional(),
  labels: z.array(z.string()).optional(),
  mergeTimeout: duration.optional().describe('How long to wait for someone to merge; default 24h'),
  failOnChecks: z
    .boolean()
    .default(true)
    .describe(
      "Stop the stage as soon as the change request's checks (pipeline, statuses, check runs) fail on its head; false: wait for a re-run until mergeTimeout",
    ),
});

const stageSchema = z.strictObject({
  name,
  application: z.strictObject({
    name: z.string().min(1),
    project: z.string().min(1).optional(),
    appNamespace: z.string().min(1).optional(),
  }),
  repository: z.strictObject({
    url: z
      .string()
      .min(1)
      .superRefine(checkRepositoryUrl)
      .describe('https:// or ssh:// URL of the deploy repository, without credentials'),
    branch: z
      .string()
      .min(1)
      .superRefine(accepted((branch) => assertBranchName(branch, 'repository.branch')))
      .describe('The branch Argo CD tracks for this stage'),
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
  return withEveryPathKey(stages, result.data.stages);
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
  return withEveryPathKey((document as { stages: unknown }).stages, result.data.stages);
}

/**
 * zod's `record` leaves a key named `__proto__` out of what it returns (it builds a plain object, where that key
 * would set the prototype), so a `paths` map `{ __proto__: image.tag }` — a valid YAML key, read by the yaml
 * package as an own key — would be dropped without a word. The map's own keys are copied back from the input into
 * a null-prototype object, in their order; the one zod did not see is checked here like the others.
 *
 * @throws {ValidationError} when that key's value is not a non-empty string.
 */
function withEveryPathKey(input: unknown, stages: ReleaseStage[]): ReleaseStage[] {
  stages.forEach((stage, stageIndex) => {
    stage.changes.forEach((change, changeIndex) => {
      if (Array.isArray(change.paths)) return;
      const given = (input as Array<{ changes: Array<{ paths: Record<string, unknown> }> }>)[stageIndex]
        ?.changes[changeIndex]?.paths as Record<string, unknown>;
      const paths = Object.create(null) as Record<string, string>;
      for (const [path, valueName] of Object.entries(given)) {
        if (typeof valueName !== 'string' || valueName === '') {
          throw new ValidationError(
            `invalid release stages:\n  stages[${stageIndex}].changes[${changeIndex}].paths.${path}: expected a non-empty string`,
          );
        }
        paths[path] = valueName;
      }
      change.paths = paths;
    });
  });
  return stages;
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
  const mapping = Array.isArray(change.paths) ? pathsAsMap(change.paths) : change.paths;
  const result = Object.create(null) as Record<string, unknown>;
  for (const [path, valueName] of Object.entries(mapping)) {
    // Own values only: `constructor` or `toString` are not release values because every object inherits them.
    if (!Object.hasOwn(values, valueName)) {
      throw new ValidationError(
        `stage ${stage} sets ${change.file} ${path} from the release value ${valueName}, which the release does not have`,
      );
    }
    // A null-prototype object: a path named `__proto__` is a key like any other, not the object's prototype.
    result[path] = values[valueName];
  }
  return result;
}

/** A list of paths as a `{ path: value name }` map, without a prototype like the map form. */
function pathsAsMap(paths: readonly string[]): Record<string, string> {
  const mapping = Object.create(null) as Record<string, string>;
  for (const path of paths) mapping[path] = path;
  return mapping;
}
