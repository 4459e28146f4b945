/** The version of `@gitops-kit/gitops-flow` (the CLI's `--version`, the rendered Tekton Task's default). Keep in step with package.json. */
export const GITOPS_FLOW_VERSION = '0.2.0';
