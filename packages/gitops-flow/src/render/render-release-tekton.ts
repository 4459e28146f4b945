import { ValidationError } from '@gitops-kit/core';
import type { Pipeline, PipelineTask, Task } from '@gitops-kit/tekton-client';
import { GITOPS_FLOW_VERSION } from '../version.js';
import { ciPipelineTasks } from './render-tekton.js';
import { validatedYaml } from './validate-rendered.js';

/** Options of {@link renderReleaseTekton}. Everything has a default. */
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
   * with every run of other characters than letters and digits replaced by `_` (`image.tag` → `image_tag`).
   */
  values?: readonly string[];
  /**
   * `after-build` (default): clone → test → build → docker → release, the first value being the built commit (the
   * image tag the docker task pushed). `standalone`: the release task alone, every value a Pipeline param.
   */
  mode?: 'after-build' | 'standalone';
  /** Namespace for every resource; default none. */
  namespace?: string;
  /** Node.js image the release step runs in; default `node:20-slim`. */
  nodeImage?: string;
  /** The gitops-flow version the step installs with npx; default this package's version. */
  gitopsFlowVersion?: string;
  /** Secret with `username` and `password` (or token) for the deploy repositories; default `git-credentials`. */
  gitSecretName?: string;
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
  /** Param name of each release value, in the order of `values` (`image.tag` → `image_tag`). */
  valueParams: Record<string, string>;
}

/** Where the step reads its credentials (Secret volumes) and a ConfigMap's stages file. */
const SECRET_ROOT = '/var/secret';
const STAGES_MOUNT = '/etc/gitops-flow';
/** Task params that are not release values (a value may not take their names). */
const FIXED_PARAMS = ['stages_path', 'argocd_server', 'release_id', 'gitlab_url', 'github_url'];
/** What a release value may be called: the paths of the stages file, never Tekton or shell syntax. */
const VALUE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\-[\]]*$/;

function metadata(name: string, namespace: string | undefined): { name: string; namespace?: string } {
  return namespace ? { name, namespace } : { name };
}

/** `image.tag` → `image_tag`, refusing names that are not value paths and names that collide. */
function valueParams(values: readonly string[]): Record<string, string> {
  if (values.length === 0)
    throw new ValidationError('renderReleaseTekton: values must name at least one value');
  const params: Record<string, string> = {};
  const taken = new Map<string, string>(FIXED_PARAMS.map((name) => [name, `the fixed param ${name}`]));
  for (const value of values) {
    if (!VALUE_NAME.test(value)) {
      throw new ValidationError(
        `renderReleaseTekton: the value name "${value}" is not a path (letters, digits, _ . - [ ])`,
      );
    }
    const param = value.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || '_';
    const holder = taken.get(param);
    if (holder !== undefined) {
      throw new ValidationError(
        `renderReleaseTekton: the values "${value}" and ${holder} would both be the param ${param}`,
      );
    }
    taken.set(param, `"${value}"`);
    params[value] = param;
  }
  return params;
}

// Every value reaches the CLI through environment variables (its name too), never by `$(params.x)` substitution
// into the script text: a value with shell metacharacters must not become code. The script itself only varies by
// the number of values. Forge tokens are passed when their (optional) Secret is mounted.
function releaseScript(valueCount: number): string {
  const sets = Array.from(
    { length: valueCount },
    (_, index) => `set -- "$@" --set "$RELEASE_NAME_${index}=$RELEASE_VALUE_${index}"\n`,
  ).join('');
  return `#!/bin/sh
set -eu
set -- --stages "$STAGES_FILE"
${sets}if [ -n "$RELEASE_ID" ]; then set -- "$@" --release-id "$RELEASE_ID"; fi
if [ -f ${SECRET_ROOT}/gitlab/token ]; then set -- "$@" --gitlab-token-file ${SECRET_ROOT}/gitlab/token; fi
if [ -f ${SECRET_ROOT}/github/token ]; then set -- "$@" --github-token-file ${SECRET_ROOT}/github/token; fi
exec npx --yes "@gitops-kit/gitops-flow@\${GITOPS_FLOW_VERSION}" release promote "$@" \\
  --git-password-file ${SECRET_ROOT}/git/password \\
  --argocd-username "$(cat ${SECRET_ROOT}/argocd/username)" --argocd-password-file ${SECRET_ROOT}/argocd/password
`;
}

interface Resolved {
  options: RenderReleaseTektonOptions;
  params: Record<string, string>;
  fromConfigMap: boolean;
  nodeImage: string;
}

function releaseTask({ options, params, fromConfigMap, nodeImage }: Resolved): Task {
  const param = (name: string, description: string, defaultValue?: string) => ({
    name,
    type: 'string' as const,
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
  const values = Object.entries(params);
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Task',
    metadata: metadata('gitops-release', options.namespace),
    spec: {
      description:
        'Promotes one release through the stages of a stages file: each stage written (push or merge request), synced, waited for and verified before the next (gitops-flow release promote).',
      params: [
        ...values.map(([value, name]) => param(name, `The release value ${value}`)),
        ...(fromConfigMap
          ? []
          : [
              param(
                'stages_path',
                'The stages file in the stages workspace',
                options.stagesPath ?? 'stages.yaml',
              ),
            ]),
        param('argocd_server', 'The Argo CD server URL'),
        param('release_id', 'Names the release in branches and commits (empty: a hash of the values)', ''),
        param(
          'gitlab_url',
          'GitLab instance of change-request stages with forge: gitlab',
          'https://gitlab.com',
        ),
        param('github_url', 'GitHub API root of stages with forge: github', 'https://api.github.com'),
      ],
      ...(fromConfigMap
        ? {}
        : { workspaces: [{ name: 'stages', readOnly: true, description: 'Holds the stages file' }] }),
      steps: [
        {
          name: 'release',
          image: nodeImage,
          env: [
            { name: 'GITOPS_FLOW_VERSION', value: options.gitopsFlowVersion ?? GITOPS_FLOW_VERSION },
            {
              name: 'STAGES_FILE',
              value: fromConfigMap
                ? `${STAGES_MOUNT}/stages.yaml`
                : '$(workspaces.stages.path)/$(params.stages_path)',
            },
            ...values.flatMap(([value, name], index) => [
              { name: `RELEASE_NAME_${index}`, value },
              { name: `RELEASE_VALUE_${index}`, value: `$(params.${name})` },
            ]),
            { name: 'RELEASE_ID', value: '$(params.release_id)' },
            { name: 'ARGOCD_SERVER', value: '$(params.argocd_server)' },
            { name: 'GITLAB_URL', value: '$(params.gitlab_url)' },
            { name: 'GITHUB_API_URL', value: '$(params.github_url)' },
            {
              name: 'GIT_USERNAME',
              valueFrom: {
                secretKeyRef: { name: options.gitSecretName ?? 'git-credentials', key: 'username' },
              },
            },
          ],
          volumeMounts: [
            { name: 'git-credentials', mountPath: `${SECRET_ROOT}/git`, readOnly: true },
            { name: 'argocd-credentials', mountPath: `${SECRET_ROOT}/argocd`, readOnly: true },
            { name: 'gitlab-token', mountPath: `${SECRET_ROOT}/gitlab`, readOnly: true },
            { name: 'github-token', mountPath: `${SECRET_ROOT}/github`, readOnly: true },
            ...(fromConfigMap ? [{ name: 'stages', mountPath: STAGES_MOUNT, readOnly: true }] : []),
          ],
          script: releaseScript(values.length),
        },
      ],
      volumes: [
        { name: 'git-credentials', secret: { secretName: options.gitSecretName ?? 'git-credentials' } },
        {
          name: 'argocd-credentials',
          secret: { secretName: options.argocdSecretName ?? 'argocd-credentials' },
        },
        // Optional: a release whose stages all push needs no forge token (Kubernetes mounts nothing then).
        {
          name: 'gitlab-token',
          secret: { secretName: options.gitlabSecretName ?? 'gitlab-token', optional: true },
        },
        {
          name: 'github-token',
          secret: { secretName: options.githubSecretName ?? 'github-token', optional: true },
        },
        ...(fromConfigMap
          ? [
              {
                name: 'stages',
                configMap: {
                  name: options.stagesConfigMap,
                  items: [{ key: options.stagesConfigMapKey ?? 'stages.yaml', path: 'stages.yaml' }],
                },
              },
            ]
          : []),
      ],
    },
  } as Task;
}

function releasePipeline({ options, params, fromConfigMap, nodeImage }: Resolved): Pipeline {
  const afterBuild = (options.mode ?? 'after-build') === 'after-build';
  const values = Object.entries(params);
  // After the build, the first value is the commit the docker task tagged the image with.
  const builtValue = values[0]?.[1];
  const valueParams = afterBuild ? values.slice(1) : values;
  const releaseTaskEntry: PipelineTask = {
    name: 'release',
    ...(afterBuild ? { runAfter: ['docker'] } : {}),
    taskRef: { name: 'gitops-release' },
    params: [
      ...(afterBuild ? [{ name: builtValue as string, value: '$(tasks.clone.results.commit)' }] : []),
      ...valueParams.map(([, name]) => ({ name, value: `$(params.${name})` })),
      ...(fromConfigMap ? [] : [{ name: 'stages_path', value: '$(params.stages_path)' }]),
      { name: 'argocd_server', value: '$(params.argocd_server)' },
      { name: 'release_id', value: '$(params.release_id)' },
      { name: 'gitlab_url', value: '$(params.gitlab_url)' },
      { name: 'github_url', value: '$(params.github_url)' },
    ],
    ...(fromConfigMap
      ? {}
      : { workspaces: [{ name: 'stages', workspace: afterBuild ? 'source' : 'stages' }] }),
  } as PipelineTask;
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: metadata(options.pipelineName ?? 'release-pipeline', options.namespace),
    spec: {
      description: afterBuild
        ? 'clone → test → build → docker → release (gitops-flow release promote through every stage)'
        : 'release (gitops-flow release promote through every stage)',
      params: [
        ...(afterBuild
          ? [
              { name: 'git_repo_url', type: 'string', description: 'The application repository' },
              { name: 'git_revision', type: 'string', description: 'The commit to build' },
              { name: 'image_repository', type: 'string', description: 'Where the image is pushed' },
            ]
          : []),
        ...valueParams.map(([value, name]) => ({
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
        releaseTaskEntry,
      ],
    },
  } as Pipeline;
}

/**
 * Renders what runs a release on Tekton: the `gitops-release` Task (one step running `gitops-flow release promote`
 * in a Node image; the stages file from a ConfigMap or a workspace; git and Argo CD credentials and the optional
 * GitLab/GitHub tokens from Secrets mounted as files; every value passed as an environment variable) and a
 * Pipeline running it after the seed's build, or alone. Every document passes `validateTektonDocument`.
 *
 * @throws {ValidationError} for a value name that is not a path or two that map to one param, both a
 *   ConfigMap and a stages path, or a rendered document that fails validation.
 * @example
 * ```ts
 * const { yaml } = renderReleaseTekton({ stagesConfigMap: 'release-stages', mode: 'standalone' });
 * await writeFile('release.yaml', yaml); // kubectl apply -f release.yaml
 * ```
 */
export function renderReleaseTekton(options: RenderReleaseTektonOptions = {}): RenderedReleaseTekton {
  if (options.stagesConfigMap !== undefined && options.stagesPath !== undefined) {
    throw new ValidationError(
      'renderReleaseTekton: give the stages file as stagesConfigMap or stagesPath (a workspace), not both',
    );
  }
  const resolved: Resolved = {
    options,
    params: valueParams(options.values ?? ['image.tag']),
    fromConfigMap: options.stagesConfigMap !== undefined,
    nodeImage: options.nodeImage ?? 'node:20-slim',
  };
  const task = releaseTask(resolved);
  const pipeline = releasePipeline(resolved);
  return { task, pipeline, yaml: validatedYaml([task, pipeline]), valueParams: resolved.params };
}
