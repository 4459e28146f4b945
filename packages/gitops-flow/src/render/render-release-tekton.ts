import { ValidationError } from '@gitops-kit/core';
import type { Pipeline, PipelineTask, Task } from '@gitops-kit/tekton-client';
import { FIXED_PARAMS, metadata, type ResolvedReleaseOptions, releaseTask } from './release-task.js';
import { ciPipelineTasks } from './render-tekton.js';
import { validatedYaml } from './validate-rendered.js';

/** Options of {@link renderReleaseTekton}. Everything has a default but `stageNames`, which `per-stage` needs. */
export interface RenderReleaseTektonOptions {
  /**
   * ConfigMap holding the stages file (mounted read-only into the step). Without it the stages file comes from a
   * workspace: the cloned `source` after the build, or a `stages` workspace in a standalone Pipeline.
   */
  stagesConfigMap?: string;
  /** Key of the stages file in {@link stagesConfigMap}; default `stages.yaml`. */
  stagesConfigMapKey?: string;
  /** Default path of the stages file in its workspace (the `stages_path` param); default `stages.yaml`. */
  stagesPath?: string;
  /**
   * The release values, named as the stages file names them; default `['image.tag']`. Each becomes a param named
   * with every run of other characters than letters and digits replaced by `_` (`image.tag` → `image_tag`), and a
   * `_` before a leading digit (Tekton param names start with a letter or `_`: `2fa.enabled` → `_2fa_enabled`).
   */
  values?: readonly string[];
  /**
   * `after-build` (default): clone → test → build → docker → release, the first value being the built commit (the
   * image tag the docker task pushed). `standalone`: the release task alone, every value a Pipeline param.
   */
  mode?: 'after-build' | 'standalone';
  /**
   * `single-step` (default): one PipelineTask `release` runs the whole release in one step. `per-stage`: one
   * PipelineTask per stage (`release-<stage>`, the same Task with its `stage` param), chained with `runAfter` in
   * stage order, and a `finally` task `status` printing where every stage stands — so each stage's progress,
   * failure and timing are in the PipelineRun's graph. Needs {@link stageNames}.
   */
  layout?: 'single-step' | 'per-stage';
  /**
   * The stage names of the stages file, in its order (`per-stage` only): lower-case DNS labels of at most 55
   * characters (`release-` + the name is a Tekton task name), no duplicates.
   */
  stageNames?: readonly string[];
  /** Namespace for every resource; default none. */
  namespace?: string;
  /** Node.js image the release step runs in; default `node:20-slim`. */
  nodeImage?: string;
  /** The gitops-flow version the step installs with npx; default this package's version. */
  gitopsFlowVersion?: string;
  /** Secret with `username` and `password` (or token) for the deploy repositories; default `git-credentials`. */
  gitSecretName?: string;
  /**
   * Secret with an SSH key for SSH deploy repositories (`git@host:path`, `ssh://…`): `ssh-privatekey` (as in a
   * `kubernetes.io/ssh-auth` Secret), `known_hosts` (the trusted host keys; without it the CLI looks in
   * `~/.ssh/known_hosts` and `/etc/ssh/ssh_known_hosts`, which a Node image does not have) and, for an encrypted
   * key, `passphrase`. Mounted at `/var/secret/ssh`, passed as `--git-ssh-key-file` / `--git-known-hosts-file` /
   * `GIT_SSH_KEY_PASSPHRASE`. With it, {@link gitSecretName} becomes optional (a release whose repositories are all
   * SSH needs no HTTP credentials). Default: none (no SSH key; the CLI refuses SSH stages then).
   */
  gitSshSecretName?: string;
  /** Secret with `username` and `password` for Argo CD; default `argocd-credentials`. */
  argocdSecretName?: string;
  /** Secret with a `token` key for GitLab (optional: mounted only if it exists); default `gitlab-token`. */
  gitlabSecretName?: string;
  /** Secret with a `token` key for GitHub (optional: mounted only if it exists); default `github-token`. */
  githubSecretName?: string;
  /** Pipeline name; default `release-pipeline`. */
  pipelineName?: string;
  /** Image for the build's Kaniko step (after-build); default `gcr.io/kaniko-project/executor:v1.23.2`. */
  kanikoImage?: string;
}

/** The rendered release resources. */
export interface RenderedReleaseTekton {
  task: Task;
  pipeline: Pipeline;
  /** Both as one multi-document YAML stream, ready for `kubectl apply -f -`. */
  yaml: string;
  /**
   * Param name of each release value (`image.tag` → `image_tag`), own keys only (a value named `__proto__` is a key
   * like any other). An object lists integer-like keys first: the order of `values` is the rendered params'.
   */
  valueParams: Record<string, string>;
}

/** What a release value may be called: the paths of the stages file, never Tekton or shell syntax. */
const VALUE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-[\]]*$/;

/**
 * `image.tag` → `image_tag`, refusing names that are not value paths and names that collide. A list of pairs in the
 * order of `values`, not an object: an object would put a value named `7` first (integer-like keys come first, and
 * after the build the first value is the built commit) and drop one named `__proto__` (assigning it sets the
 * prototype).
 */
function valueParams(values: readonly string[]): Array<readonly [string, string]> {
  if (values.length === 0)
    throw new ValidationError('renderReleaseTekton: values must name at least one value');
  const params: Array<readonly [string, string]> = [];
  const taken = new Map<string, string>(FIXED_PARAMS.map((name) => [name, `the fixed param ${name}`]));
  for (const value of values) {
    if (!VALUE_NAME.test(value)) {
      throw new ValidationError(
        `renderReleaseTekton: the value name "${value}" is not a path (letters, digits, _ . - [ ])`,
      );
    }
    const bare = value.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || '_';
    // Tekton refuses a param name that starts with a digit (`^[_a-zA-Z][_a-zA-Z0-9.-]*$`, the pipeline webhook's
    // stringAndArrayVariableNameFormat): `2fa.enabled` becomes `_2fa_enabled`.
    const param = /^[0-9]/.test(bare) ? `_${bare}` : bare;
    const holder = taken.get(param);
    if (holder !== undefined) {
      throw new ValidationError(
        `renderReleaseTekton: the values "${value}" and ${holder} would both be the param ${param}`,
      );
    }
    taken.set(param, `"${value}"`);
    params.push([value, param]);
  }
  return params;
}

/** A lower-case DNS label of at most 55 characters: `release-<stage>` is then a Tekton task name (63 at most). */
const STAGE_NAME = /^[a-z0-9]([a-z0-9-]{0,53}[a-z0-9])?$/;

function checkedStageNames(options: RenderReleaseTektonOptions): string[] {
  const names = options.stageNames ?? [];
  if ((options.layout ?? 'single-step') === 'single-step') {
    if (names.length > 0)
      throw new ValidationError("renderReleaseTekton: stageNames is for layout 'per-stage'");
    return [];
  }
  if (names.length === 0) {
    throw new ValidationError(
      "renderReleaseTekton: layout 'per-stage' needs the stage names of the stages file (stageNames), in order",
    );
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (!STAGE_NAME.test(name)) {
      throw new ValidationError(
        `renderReleaseTekton: the stage name ${JSON.stringify(name)} is not a lower-case DNS label of at most 55 characters (release-<stage> must be a Tekton task name)`,
      );
    }
    if (seen.has(name)) throw new ValidationError(`renderReleaseTekton: the stage ${name} is named twice`);
    seen.add(name);
  }
  return names.slice();
}

/** The params every release PipelineTask passes to the Task (the same values for every stage). */
function releaseTaskParams(
  { params, fromConfigMap }: ResolvedReleaseOptions,
  afterBuild: boolean,
): Array<{ name: string; value: string }> {
  const values = params;
  // After the build, the first value is the commit the docker task tagged the image with.
  return [
    ...values.map(([, name], index) => ({
      name,
      value: afterBuild && index === 0 ? '$(tasks.clone.results.commit)' : `$(params.${name})`,
    })),
    ...(fromConfigMap ? [] : [{ name: 'stages_path', value: '$(params.stages_path)' }]),
    { name: 'argocd_server', value: '$(params.argocd_server)' },
    { name: 'release_id', value: '$(params.release_id)' },
    { name: 'gitlab_url', value: '$(params.gitlab_url)' },
    { name: 'github_url', value: '$(params.github_url)' },
  ];
}

/**
 * The release's PipelineTasks: `release` alone (single-step), or `release-<stage>` per stage chained in stage order
 * plus the `status` finally task (per-stage). Tekton starts a task once every task in its `runAfter` succeeded and
 * never starts it after one failed, so a failed stage is the last one that ran; finally tasks run either way.
 */
function releasePipelineTasks(
  resolved: ResolvedReleaseOptions,
  stageNames: readonly string[],
  afterBuild: boolean,
): { tasks: PipelineTask[]; finally: PipelineTask[] } {
  const params = releaseTaskParams(resolved, afterBuild);
  const workspaces = resolved.fromConfigMap
    ? {}
    : { workspaces: [{ name: 'stages', workspace: afterBuild ? 'source' : 'stages' }] };
  const entry = (name: string, runAfter: string | undefined, extra: Array<{ name: string; value: string }>) =>
    ({
      name,
      ...(runAfter === undefined ? {} : { runAfter: [runAfter] }),
      taskRef: { name: 'gitops-release' },
      params: [...params, ...extra],
      ...workspaces,
    }) as PipelineTask;
  const first = afterBuild ? 'docker' : undefined;
  if (stageNames.length === 0) return { tasks: [entry('release', first, [])], finally: [] };
  const tasks = stageNames.map((stage, index) =>
    entry(`release-${stage}`, index === 0 ? first : `release-${stageNames[index - 1]}`, [
      { name: 'stage', value: stage },
    ]),
  );
  return { tasks, finally: [entry('status', undefined, [{ name: 'action', value: 'status' }])] };
}

function releasePipeline(resolved: ResolvedReleaseOptions, stageNames: readonly string[]): Pipeline {
  const { options, params, fromConfigMap, nodeImage } = resolved;
  const afterBuild = (options.mode ?? 'after-build') === 'after-build';
  const values = params;
  const pipelineValues = afterBuild ? values.slice(1) : values;
  const release = releasePipelineTasks(resolved, stageNames, afterBuild);
  const what =
    stageNames.length === 0
      ? 'release (gitops-flow release promote through every stage)'
      : `${stageNames.map((stage) => `release-${stage}`).join(' → ')} (gitops-flow release promote --stage, one task per stage), finally status`;
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: metadata(options.pipelineName ?? 'release-pipeline', options.namespace),
    spec: {
      description: afterBuild ? `clone → test → build → docker → ${what}` : what,
      params: [
        ...(afterBuild
          ? [
              { name: 'git_repo_url', type: 'string', description: 'The application repository' },
              { name: 'git_revision', type: 'string', description: 'The commit to build' },
              { name: 'image_repository', type: 'string', description: 'Where the image is pushed' },
            ]
          : []),
        ...pipelineValues.map(([value, name]) => ({
          name,
          type: 'string',
          description: `The release value ${value}`,
        })),
        ...(fromConfigMap
          ? []
          : [{ name: 'stages_path', type: 'string', default: options.stagesPath ?? 'stages.yaml' }]),
        { name: 'argocd_server', type: 'string', description: 'The Argo CD server URL' },
        { name: 'release_id', type: 'string', default: '' },
        { name: 'gitlab_url', type: 'string', default: 'https://gitlab.com' },
        { name: 'github_url', type: 'string', default: 'https://api.github.com' },
      ],
      ...(afterBuild
        ? { workspaces: [{ name: 'source' }, { name: 'docker-config', optional: true }] }
        : fromConfigMap
          ? {}
          : { workspaces: [{ name: 'stages' }] }),
      tasks: [
        ...(afterBuild
          ? ciPipelineTasks({
              nodeImage,
              kanikoImage: options.kanikoImage ?? 'gcr.io/kaniko-project/executor:v1.23.2',
            })
          : []),
        ...release.tasks,
      ],
      ...(release.finally.length > 0 ? { finally: release.finally } : {}),
    },
  } as Pipeline;
}

/**
 * Renders what runs a release on Tekton: the `gitops-release` Task (one step running `gitops-flow release promote`
 * in a Node image; the stages file from a ConfigMap or a workspace; git and Argo CD credentials and the optional
 * GitLab/GitHub tokens — and, with `gitSshSecretName`, an SSH key and known_hosts — from Secrets mounted as files;
 * every value passed as an environment variable) and a
 * Pipeline running it after the seed's build, or alone: in one task (`layout: 'single-step'`, the default) or one
 * task per stage chained in stage order with a `finally` status report (`layout: 'per-stage'`). Every document
 * passes `validateTektonDocument`.
 *
 * @throws {ValidationError} for a value name that is not a path or two that map to one param, both a
 *   ConfigMap and a stages path, `per-stage` without stage names (or names that are not DNS labels of at most 55
 *   characters, or repeat), or a rendered document that fails validation.
 * @example
 * ```ts
 * const { yaml } = renderReleaseTekton({ stagesConfigMap: 'release-stages', mode: 'standalone' });
 * await writeFile('release.yaml', yaml); // kubectl apply -f release.yaml
 * const perStage = renderReleaseTekton({ layout: 'per-stage', stageNames: ['dev', 'staging', 'prod'] });
 * ```
 */
export function renderReleaseTekton(options: RenderReleaseTektonOptions = {}): RenderedReleaseTekton {
  if (options.stagesConfigMap !== undefined && options.stagesPath !== undefined) {
    throw new ValidationError(
      'renderReleaseTekton: give the stages file as stagesConfigMap or stagesPath (a workspace), not both',
    );
  }
  const stageNames = checkedStageNames(options);
  const resolved: ResolvedReleaseOptions = {
    options,
    params: valueParams(options.values ?? ['image.tag']),
    fromConfigMap: options.stagesConfigMap !== undefined,
    nodeImage: options.nodeImage ?? 'node:20-slim',
  };
  const task = releaseTask(resolved);
  const pipeline = releasePipeline(resolved, stageNames);
  return {
    task,
    pipeline,
    yaml: validatedYaml([task, pipeline]),
    valueParams: Object.fromEntries(resolved.params),
  };
}
