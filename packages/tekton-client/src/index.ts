export { TektonClient, type FromKubeconfigOptions, type TektonClientOptions } from './client/tekton-client.js';

export { KubeconfigError, ExecCredentialError, UnsupportedAuthProviderError } from './errors/kubeconfig-errors.js';
export {
  KubernetesApiError,
  type KubernetesStatus,
  type KubernetesStatusCause,
  parseKubernetesStatus,
} from './errors/kubernetes-api-error.js';
export {
  PodGoneError,
  TektonUsageError,
  TektonValidationError,
  TriggerError,
  WaitTimeoutError,
} from './errors/tekton-errors.js';

export { ExecCredentialProvider, type ExecCredential } from './kubeconfig/exec-credential.js';
export { loadInClusterConfig, SERVICE_ACCOUNT_DIRECTORY, type InClusterOptions } from './kubeconfig/in-cluster.js';
export type { ExecConfig, KubeconfigCluster, KubeconfigUser } from './kubeconfig/kubeconfig-schema.js';
export {
  loadKubeconfig,
  type CredentialSource,
  type KubeTlsOptions,
  type LoadKubeconfigOptions,
  type ResolvedKubeconfig,
} from './kubeconfig/load-kubeconfig.js';
export {
  credentialsFromSource,
  DEFAULT_TOKEN_FILE_REFRESH_MS,
  tokenFileProvider,
  type BearerTokenProvider,
  type CredentialOptions,
} from './kubeconfig/token-providers.js';

export {
  KubeTransport,
  kubernetesErrorFromResponse,
  type KubeCallOptions,
  type ListOptions,
  type ListPage,
} from './kube/kube-transport.js';
export { streamPodLogs, type PodLogLine, type PodLogOptions } from './kube/pod-logs.js';
export { apiVersionOf, RESOURCES, resourcePath, type ResourceType } from './kube/resource.js';
export {
  watchResource,
  type WatchBackoffOptions,
  type WatchDiagnostic,
  type WatchEvent,
  type WatchOptions,
} from './kube/watch.js';

export * from './schemas/common.js';
export * from './schemas/pipeline.js';
export * from './schemas/runs.js';
export {
  stepActionSchema,
  stepActionSpecSchema,
  stepSchema,
  stepStateSchema,
  taskSchema,
  taskSpecSchema,
  workspaceDeclarationSchema,
  type Step,
  type StepAction,
  type StepState,
  type Task,
  type TaskSpec,
} from './schemas/task.js';
export * from './schemas/triggers.js';

export type { TektonIssueCode, TektonValidationIssue } from './validation/issues.js';
export { isTektonKind, validateTektonDocument, type TektonValidationResult } from './validation/validate-document.js';

export { formatConditionText, isRunDone, runState, succeededCondition, type RunState } from './runs/run-state.js';
export type { CallOptions } from './runs/client-context.js';
export type { FailedTask, PipelineRunOutcome } from './runs/outcome.js';
export {
  PipelineRuns,
  type CancelMode,
  type ListRunsOptions,
  type WaitForCompletionOptions,
  type WatchRunsOptions,
} from './runs/pipeline-runs.js';
export { TaskRuns, type TaskRunDescription } from './runs/task-runs.js';
export { DefinitionApplier } from './runs/apply.js';
export type { PipelineRunLogOptions } from './runs/pipeline-run-logs.js';
export type { RunLogEntry } from './runs/task-run-logs.js';
export type { DurationInput, StartPipelineRunInput } from './runs/start-input.js';

export { buildPipelineRunDescription, type PipelineRunDescription, type TaskRunRow } from './describe/describe-model.js';
export {
  formatDescribe,
  formatParamValue,
  formatRunDuration,
  formatWorkspaceBinding,
  type FormatDescribeOptions,
} from './describe/format-describe.js';
export { formatAge } from './describe/format-age.js';
export { formatGoDuration, parseGoDurationMs } from './describe/go-duration.js';

export { renderTriggerTemplate, type RenderTriggerTemplateOptions } from './triggers/render-trigger-template.js';
export {
  sendGitLabPushEvent,
  TRIGGERS_EVENT_ID_LABEL,
  type GitLabPushEventOptions,
  type GitLabPushEventResult,
} from './triggers/gitlab-push-event.js';

export {
  defineTask,
  type AnyTaskDefinition,
  type DefineTaskInput,
  type ParamDeclaration,
  type TaskContext,
  type TaskDefinition,
} from './builders/define-task.js';
export {
  definePipeline,
  type DefinePipelineInput,
  type ParamsFor,
  type PipelineBuilder,
  type PipelineContext,
  type PipelineTaskInput,
} from './builders/define-pipeline.js';
