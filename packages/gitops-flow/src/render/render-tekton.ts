import type {
  Pipeline,
  PipelineTask,
  Task,
  TriggerBinding,
  TriggerTemplate,
} from '@gitops-kit/tekton-client';
import { GITOPS_FLOW_VERSION } from '../version.js';
import { validatedYaml } from './validate-rendered.js';

/** Options of {@link renderTekton}. Everything has a default that matches the seed pipeline. */
export interface RenderTektonOptions {
  /** Namespace for every resource; default none (the namespace `kubectl apply -n` picks). */
  namespace?: string;
  /** Node.js image the promote step runs in; default `node:20-slim`. */
  nodeImage?: string;
  /** The gitops-flow version the step installs with npx; default this package's version. */
  gitopsFlowVersion?: string;
  /** Secret with `username` and `password` (or token) for the deploy repo; default `git-credentials`. */
  gitSecretName?: string;
  /** Secret with `username` and `password` for Argo CD; default `argocd-credentials`. */
  argocdSecretName?: string;
  /** Pipeline name; default `devops-pipeline`. */
  pipelineName?: string;
  /** Service account for the PipelineRun; default `tekton-build-sa`. */
  serviceAccountName?: string;
  /** Image for the build steps' Kaniko; default `gcr.io/kaniko-project/executor:v1.23.2`. */
  kanikoImage?: string;
  /** Workspace storage request for each run; default `1Gi`. */
  workspaceSize?: string;
  /** Defaults the TriggerTemplate passes to every run (a GitLab push carries only the repository and commit). */
  triggerDefaults?: {
    imageRepository?: string;
    app?: string;
    project?: string;
    deployRepoUrl?: string;
    argocdServer?: string;
    /** `git-revert` (default), `argocd-rollback` or `none`. */
    onFailure?: string;
    /** Wait limit for the promote step, e.g. `10m` (default). */
    timeout?: string;
  };
}

/** The rendered resources. */
export interface RenderedTekton {
  task: Task;
  pipeline: Pipeline;
  triggerBinding: TriggerBinding;
  triggerTemplate: TriggerTemplate;
  /** All four as one multi-document YAML stream, ready for `kubectl apply -f -`. */
  yaml: string;
}

const DEFAULT_VERSION = GITOPS_FLOW_VERSION;

type ResolvedOptions = Required<Omit<RenderTektonOptions, 'namespace' | 'triggerDefaults'>> & {
  triggerDefaults: NonNullable<RenderTektonOptions['triggerDefaults']>;
};

function metadata(name: string, namespace: string | undefined): { name: string; namespace?: string } {
  return namespace ? { name, namespace } : { name };
}

// Parameters reach the script through environment variables, never by `$(params.x)` substitution into the
// script text: a tag or URL with shell metacharacters must not become code. `set -x` is never used, so no
// secret is echoed into the TaskRun log (tektoncd/pipeline #3373).
const PROMOTE_SCRIPT = `#!/bin/sh
set -eu
exec npx --yes "@gitops-kit/gitops-flow@\${GITOPS_FLOW_VERSION}" promote \\
  --repo "$DEPLOY_REPO_URL" --branch "$DEPLOY_BRANCH" --file "$VALUES_FILE" \\
  --set "$VALUE_PATH=$IMAGE_TAG" --app "$APP" --project "$PROJECT" \\
  --timeout "$TIMEOUT" --on-failure "$ON_FAILURE" \\
  --git-password-file /var/secret/git/password \\
  --argocd-username "$(cat /var/secret/argocd/username)" --argocd-password-file /var/secret/argocd/password
`;

function promoteTask(options: ResolvedOptions, namespace?: string): Task {
  const param = (name: string, description: string, defaultValue?: string) => ({
    name,
    type: 'string' as const,
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Task',
    metadata: metadata('gitops-promote', namespace),
    spec: {
      description:
        'Writes the new image tag into the deploy repo, syncs the Argo CD application to that commit and waits until it is Synced and Healthy (gitops-flow promote).',
      params: [
        param('image_tag', 'The image tag to deploy'),
        param('app', 'The Argo CD application'),
        param('project', 'The AppProject of the application', 'default'),
        param('file', 'The values file in the deploy repo', 'helm/my-values.yaml'),
        param('value_path', 'The path of the tag in the values file', 'image.tag'),
        param('deploy_repo_url', 'The deploy repository (https)'),
        param('deploy_branch', 'The branch Argo CD tracks', 'main'),
        param('argocd_server', 'The Argo CD server URL'),
        param('timeout', 'How long to wait for Synced and Healthy', '10m'),
        param('on_failure', 'git-revert, argocd-rollback or none', 'git-revert'),
      ],
      steps: [
        {
          name: 'promote',
          image: options.nodeImage,
          env: [
            { name: 'GITOPS_FLOW_VERSION', value: options.gitopsFlowVersion },
            { name: 'IMAGE_TAG', value: '$(params.image_tag)' },
            { name: 'APP', value: '$(params.app)' },
            { name: 'PROJECT', value: '$(params.project)' },
            { name: 'VALUES_FILE', value: '$(params.file)' },
            { name: 'VALUE_PATH', value: '$(params.value_path)' },
            { name: 'DEPLOY_REPO_URL', value: '$(params.deploy_repo_url)' },
            { name: 'DEPLOY_BRANCH', value: '$(params.deploy_branch)' },
            { name: 'ARGOCD_SERVER', value: '$(params.argocd_server)' },
            { name: 'TIMEOUT', value: '$(params.timeout)' },
            { name: 'ON_FAILURE', value: '$(params.on_failure)' },
            {
              name: 'GIT_USERNAME',
              valueFrom: { secretKeyRef: { name: options.gitSecretName, key: 'username' } },
            },
          ],
          volumeMounts: [
            { name: 'git-credentials', mountPath: '/var/secret/git', readOnly: true },
            { name: 'argocd-credentials', mountPath: '/var/secret/argocd', readOnly: true },
          ],
          script: PROMOTE_SCRIPT,
        },
      ],
      volumes: [
        { name: 'git-credentials', secret: { secretName: options.gitSecretName } },
        { name: 'argocd-credentials', secret: { secretName: options.argocdSecretName } },
      ],
    },
  } as Task;
}

/**
 * The seed's CI tasks (clone → test → build → docker), shared by the seed and the release Pipelines. They read the
 * Pipeline params `git_repo_url`, `git_revision` and `image_repository` and the workspaces `source` and
 * `docker-config`; the image tag is `$(tasks.clone.results.commit)`.
 */
export function ciPipelineTasks(options: { nodeImage: string; kanikoImage: string }): PipelineTask[] {
  return [
    {
      name: 'clone',
      params: [
        { name: 'url', value: '$(params.git_repo_url)' },
        { name: 'revision', value: '$(params.git_revision)' },
      ],
      workspaces: [{ name: 'output', workspace: 'source' }],
      taskSpec: {
        params: [
          { name: 'url', type: 'string' },
          { name: 'revision', type: 'string' },
        ],
        workspaces: [{ name: 'output' }],
        results: [{ name: 'commit', type: 'string', description: 'The commit that was cloned' }],
        steps: [
          {
            name: 'clone',
            image: 'alpine/git:2.45.2',
            env: [
              { name: 'URL', value: '$(params.url)' },
              { name: 'REVISION', value: '$(params.revision)' },
            ],
            workingDir: '$(workspaces.output.path)',
            script:
              '#!/bin/sh\nset -eu\ngit init -q . && git remote add origin "$URL"\ngit fetch -q --depth 1 origin "$REVISION"\ngit checkout -q FETCH_HEAD\nprintf %s "$(git rev-parse HEAD)" > "$(results.commit.path)"\n',
          },
        ],
      },
    },
    {
      name: 'test',
      runAfter: ['clone'],
      workspaces: [{ name: 'source', workspace: 'source' }],
      taskSpec: {
        workspaces: [{ name: 'source' }],
        steps: [
          {
            name: 'test',
            image: options.nodeImage,
            workingDir: '$(workspaces.source.path)',
            script: '#!/bin/sh\nset -eu\nnpm ci\nnpm test\n',
          },
        ],
      },
    },
    {
      name: 'build',
      runAfter: ['test'],
      workspaces: [{ name: 'source', workspace: 'source' }],
      taskSpec: {
        workspaces: [{ name: 'source' }],
        steps: [
          {
            name: 'build',
            image: options.nodeImage,
            workingDir: '$(workspaces.source.path)',
            script: '#!/bin/sh\nset -eu\nnpm run build --if-present\n',
          },
        ],
      },
    },
    {
      name: 'docker',
      runAfter: ['build'],
      params: [{ name: 'image', value: '$(params.image_repository):$(tasks.clone.results.commit)' }],
      workspaces: [
        { name: 'source', workspace: 'source' },
        { name: 'docker-config', workspace: 'docker-config' },
      ],
      taskSpec: {
        params: [{ name: 'image', type: 'string' }],
        workspaces: [
          { name: 'source' },
          { name: 'docker-config', optional: true, mountPath: '/kaniko/.docker' },
        ],
        steps: [
          {
            name: 'build-and-push',
            image: options.kanikoImage,
            args: [
              '--dockerfile=$(workspaces.source.path)/Dockerfile',
              '--context=$(workspaces.source.path)',
              '--destination=$(params.image)',
            ],
          },
        ],
      },
    },
  ] as PipelineTask[];
}

function seedPipeline(options: ResolvedOptions, namespace?: string): Pipeline {
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Pipeline',
    metadata: metadata(options.pipelineName, namespace),
    spec: {
      description: 'clone → test → build → docker → promote (the GitOps step runs gitops-flow)',
      params: [
        { name: 'git_repo_url', type: 'string', description: 'The application repository' },
        { name: 'git_revision', type: 'string', description: 'The commit to build' },
        { name: 'image_repository', type: 'string', description: 'Where the image is pushed' },
        { name: 'app', type: 'string', description: 'The Argo CD application' },
        { name: 'project', type: 'string', default: 'default' },
        { name: 'deploy_repo_url', type: 'string', description: 'The deploy repository' },
        { name: 'deploy_branch', type: 'string', default: 'main' },
        { name: 'values_file', type: 'string', default: 'helm/my-values.yaml' },
        { name: 'argocd_server', type: 'string' },
        { name: 'promote_timeout', type: 'string', default: '10m' },
        { name: 'on_failure', type: 'string', default: 'git-revert' },
      ],
      workspaces: [{ name: 'source' }, { name: 'docker-config', optional: true }],
      tasks: [
        ...ciPipelineTasks(options),
        {
          name: 'promote',
          runAfter: ['docker'],
          taskRef: { name: 'gitops-promote' },
          params: [
            { name: 'image_tag', value: '$(tasks.clone.results.commit)' },
            { name: 'app', value: '$(params.app)' },
            { name: 'project', value: '$(params.project)' },
            { name: 'file', value: '$(params.values_file)' },
            { name: 'deploy_repo_url', value: '$(params.deploy_repo_url)' },
            { name: 'deploy_branch', value: '$(params.deploy_branch)' },
            { name: 'argocd_server', value: '$(params.argocd_server)' },
            { name: 'timeout', value: '$(params.promote_timeout)' },
            { name: 'on_failure', value: '$(params.on_failure)' },
          ],
        },
      ],
    },
  } as Pipeline;
}

function gitlabBinding(namespace?: string): TriggerBinding {
  return {
    apiVersion: 'triggers.tekton.dev/v1beta1',
    kind: 'TriggerBinding',
    metadata: metadata('gitlab-push-binding', namespace),
    spec: {
      params: [
        { name: 'git_repo_url', value: '$(body.repository.git_http_url)' },
        { name: 'git_revision', value: '$(body.checkout_sha)' },
      ],
    },
  } as TriggerBinding;
}

function gitlabTemplate(options: ResolvedOptions, namespace?: string): TriggerTemplate {
  const defaults = options.triggerDefaults;
  return {
    apiVersion: 'triggers.tekton.dev/v1beta1',
    kind: 'TriggerTemplate',
    metadata: metadata('gitlab-push-template', namespace),
    spec: {
      params: [
        { name: 'git_repo_url', description: 'The pushed repository' },
        { name: 'git_revision', description: 'The pushed commit' },
        { name: 'image_repository', default: defaults.imageRepository ?? 'registry.example.com/team/app' },
        { name: 'app', default: defaults.app ?? 'devops-demo' },
        { name: 'project', default: defaults.project ?? 'demo' },
        {
          name: 'deploy_repo_url',
          default: defaults.deployRepoUrl ?? 'https://git.example.com/team/deploy.git',
        },
        { name: 'argocd_server', default: defaults.argocdServer ?? 'https://argocd.example.com' },
        { name: 'promote_timeout', default: defaults.timeout ?? '10m' },
        { name: 'on_failure', default: defaults.onFailure ?? 'git-revert' },
      ],
      resourcetemplates: [
        {
          apiVersion: 'tekton.dev/v1',
          kind: 'PipelineRun',
          metadata: { generateName: 'gitlab-run-' },
          spec: {
            pipelineRef: { name: options.pipelineName },
            taskRunTemplate: { serviceAccountName: options.serviceAccountName },
            params: [
              { name: 'git_repo_url', value: '$(tt.params.git_repo_url)' },
              { name: 'git_revision', value: '$(tt.params.git_revision)' },
              { name: 'image_repository', value: '$(tt.params.image_repository)' },
              { name: 'app', value: '$(tt.params.app)' },
              { name: 'project', value: '$(tt.params.project)' },
              { name: 'deploy_repo_url', value: '$(tt.params.deploy_repo_url)' },
              { name: 'argocd_server', value: '$(tt.params.argocd_server)' },
              { name: 'promote_timeout', value: '$(tt.params.promote_timeout)' },
              { name: 'on_failure', value: '$(tt.params.on_failure)' },
            ],
            workspaces: [
              {
                name: 'source',
                volumeClaimTemplate: {
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    resources: { requests: { storage: options.workspaceSize } },
                  },
                },
              },
            ],
          },
        },
      ],
    },
  } as TriggerTemplate;
}

/**
 * Renders what runs a promotion on Tekton: the `gitops-promote` Task (one step running the gitops-flow CLI in a
 * Node image, credentials from Secrets mounted as files, parameters passed as environment variables), a Pipeline
 * equivalent to the seed's (clone → test → build → docker → promote) and the GitLab push TriggerBinding and
 * TriggerTemplate. Every document passes `validateTektonDocument` before it is returned.
 *
 * @throws {ValidationError} if a rendered document fails validation (a bug, or options that break it).
 * @example
 * ```ts
 * const { yaml } = renderTekton({ namespace: 'ci' });
 * await writeFile('tekton.yaml', yaml); // kubectl apply -f tekton.yaml
 * ```
 */
export function renderTekton(options: RenderTektonOptions = {}): RenderedTekton {
  const resolved: ResolvedOptions = {
    nodeImage: options.nodeImage ?? 'node:20-slim',
    gitopsFlowVersion: options.gitopsFlowVersion ?? DEFAULT_VERSION,
    gitSecretName: options.gitSecretName ?? 'git-credentials',
    argocdSecretName: options.argocdSecretName ?? 'argocd-credentials',
    pipelineName: options.pipelineName ?? 'devops-pipeline',
    serviceAccountName: options.serviceAccountName ?? 'tekton-build-sa',
    kanikoImage: options.kanikoImage ?? 'gcr.io/kaniko-project/executor:v1.23.2',
    workspaceSize: options.workspaceSize ?? '1Gi',
    triggerDefaults: options.triggerDefaults ?? {},
  };
  const task = promoteTask(resolved, options.namespace);
  const pipeline = seedPipeline(resolved, options.namespace);
  const triggerBinding = gitlabBinding(options.namespace);
  const triggerTemplate = gitlabTemplate(resolved, options.namespace);
  const yaml = validatedYaml([task, pipeline, triggerBinding, triggerTemplate]);
  return { task, pipeline, triggerBinding, triggerTemplate, yaml };
}
