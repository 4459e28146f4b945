import type { Task } from '@gitops-kit/tekton-client';
import { GITOPS_FLOW_VERSION } from '../version.js';
import type { RenderReleaseTektonOptions } from './render-release-tekton.js';

/** Where the step reads its credentials (Secret volumes) and a ConfigMap's stages file. */
const SECRET_ROOT = '/var/secret';
const STAGES_MOUNT = '/etc/gitops-flow';
/**
 * The SSH key Secret's keys: `ssh-privatekey` as in a `kubernetes.io/ssh-auth` Secret (the type Tekton's own git
 * credentials use), `known_hosts` beside it as in Tekton's SSH auth examples, and an optional `passphrase`.
 */
const SSH_KEY_FILE = `${SECRET_ROOT}/ssh/ssh-privatekey`;
const SSH_KNOWN_HOSTS_FILE = `${SECRET_ROOT}/ssh/known_hosts`;
/** Task params that are not release values (a value may not take their names). */
export const FIXED_PARAMS = [
  'stages_path',
  'argocd_server',
  'release_id',
  'gitlab_url',
  'github_url',
  'stage',
  'action',
];

/** What the Task and Pipeline renderers share once the options are checked. */
export interface ResolvedReleaseOptions {
  options: RenderReleaseTektonOptions;
  /** `[value name, param name]` in the order of the values (the first one is the built commit after a build). */
  params: ReadonlyArray<readonly [string, string]>;
  fromConfigMap: boolean;
  nodeImage: string;
}

export function metadata(name: string, namespace: string | undefined): { name: string; namespace?: string } {
  return namespace ? { name, namespace } : { name };
}

// Every value reaches the CLI through environment variables (its name too), never by `$(params.x)` substitution
// into the script text: a value with shell metacharacters must not become code. The script itself only varies by
// the number of values. The stage and the action are data too (a stage name is checked by the CLI, an action other
// than promote or status stops the step). Forge tokens are passed when their (optional) Secret is mounted. With an
// SSH key Secret the script passes the key's file (never its text) and the known_hosts file when the Secret has
// one, and the HTTP credentials become optional (a release whose repositories are all SSH needs none).
// `release status` in a finally task reports; a stage it cannot read must not turn a good release red, so its
// exit code is not the step's (Tekton fails a PipelineRun whose finally task fails).
function releaseScript(valueCount: number, ssh: boolean): string {
  const sets = Array.from(
    { length: valueCount },
    (_, index) => `set -- "$@" --set "$RELEASE_NAME_${index}=$RELEASE_VALUE_${index}"\n`,
  ).join('');
  const gitCredentials = ssh
    ? `set -- "$@" --git-ssh-key-file ${SSH_KEY_FILE}
if [ -f ${SSH_KNOWN_HOSTS_FILE} ]; then set -- "$@" --git-known-hosts-file ${SSH_KNOWN_HOSTS_FILE}; fi
if [ -f ${SECRET_ROOT}/git/password ]; then set -- "$@" --git-password-file ${SECRET_ROOT}/git/password; fi`
    : `set -- "$@" --git-password-file ${SECRET_ROOT}/git/password`;
  return `#!/bin/sh
set -eu
set -- --stages "$STAGES_FILE"
${sets}case "$RELEASE_ACTION" in
promote)
  if [ -n "$RELEASE_ID" ]; then set -- "$@" --release-id "$RELEASE_ID"; fi
  if [ -n "$RELEASE_STAGE" ]; then set -- "$@" --stage "$RELEASE_STAGE"; fi ;;
status) ;;
*) printf 'gitops-release: the action param must be promote or status, got %s\\n' "$RELEASE_ACTION" >&2; exit 2 ;;
esac
if [ -f ${SECRET_ROOT}/gitlab/token ]; then set -- "$@" --gitlab-token-file ${SECRET_ROOT}/gitlab/token; fi
if [ -f ${SECRET_ROOT}/github/token ]; then set -- "$@" --github-token-file ${SECRET_ROOT}/github/token; fi
${gitCredentials}
set -- "$@" --argocd-username "$(cat ${SECRET_ROOT}/argocd/username)" \\
  --argocd-password-file ${SECRET_ROOT}/argocd/password
if [ "$RELEASE_ACTION" = status ]; then
  npx --yes "@gitops-kit/gitops-flow@\${GITOPS_FLOW_VERSION}" release status "$@" ||
    echo 'gitops-release: release status could not read every stage (see above)' >&2
  exit 0
fi
exec npx --yes "@gitops-kit/gitops-flow@\${GITOPS_FLOW_VERSION}" release promote "$@"
`;
}

/**
 * The `gitops-release` Task: one step running the CLI. The same Task serves both layouts: without `stage` it
 * promotes the whole release (single-step), with it one stage (per-stage), and `action: status` prints the table.
 */
export function releaseTask({ options, params, fromConfigMap, nodeImage }: ResolvedReleaseOptions): Task {
  const param = (name: string, description: string, defaultValue?: string) => ({
    name,
    type: 'string' as const,
    description,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
  const values = params;
  const sshSecret = options.gitSshSecretName;
  const gitSecret = options.gitSecretName ?? 'git-credentials';
  return {
    apiVersion: 'tekton.dev/v1',
    kind: 'Task',
    metadata: metadata('gitops-release', options.namespace),
    spec: {
      description:
        'Promotes one release through the stages of a stages file: each stage written (push or merge request), synced, waited for and verified before the next (gitops-flow release promote); with the stage param that stage only, once the earlier ones run the release; with action status, prints where every stage stands.',
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
        param(
          'stage',
          'Promote this stage only, after checking that the earlier stages run the release (empty: every stage)',
          '',
        ),
        param(
          'action',
          'promote (the release, or the stage) or status (print where every stage stands; never fails the run)',
          'promote',
        ),
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
            { name: 'RELEASE_STAGE', value: '$(params.stage)' },
            { name: 'RELEASE_ACTION', value: '$(params.action)' },
            { name: 'ARGOCD_SERVER', value: '$(params.argocd_server)' },
            { name: 'GITLAB_URL', value: '$(params.gitlab_url)' },
            { name: 'GITHUB_API_URL', value: '$(params.github_url)' },
            {
              name: 'GIT_USERNAME',
              valueFrom: {
                secretKeyRef: {
                  name: gitSecret,
                  key: 'username',
                  ...(sshSecret === undefined ? {} : { optional: true }),
                },
              },
            },
            // A key without a passphrase is a Secret without this key: the kubelet leaves the variable unset.
            ...(sshSecret === undefined
              ? []
              : [
                  {
                    name: 'GIT_SSH_KEY_PASSPHRASE',
                    valueFrom: { secretKeyRef: { name: sshSecret, key: 'passphrase', optional: true } },
                  },
                ]),
          ],
          volumeMounts: [
            { name: 'git-credentials', mountPath: `${SECRET_ROOT}/git`, readOnly: true },
            { name: 'argocd-credentials', mountPath: `${SECRET_ROOT}/argocd`, readOnly: true },
            { name: 'gitlab-token', mountPath: `${SECRET_ROOT}/gitlab`, readOnly: true },
            { name: 'github-token', mountPath: `${SECRET_ROOT}/github`, readOnly: true },
            ...(sshSecret === undefined
              ? []
              : [{ name: 'git-ssh', mountPath: `${SECRET_ROOT}/ssh`, readOnly: true }]),
            ...(fromConfigMap ? [{ name: 'stages', mountPath: STAGES_MOUNT, readOnly: true }] : []),
          ],
          script: releaseScript(values.length, sshSecret !== undefined),
        },
      ],
      volumes: [
        {
          name: 'git-credentials',
          secret: { secretName: gitSecret, ...(sshSecret === undefined ? {} : { optional: true }) },
        },
        // Asked for by name: a missing key Secret keeps the pod from starting rather than failing later in git.
        ...(sshSecret === undefined ? [] : [{ name: 'git-ssh', secret: { secretName: sshSecret } }]),
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
