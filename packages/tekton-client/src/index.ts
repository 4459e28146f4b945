export {
  type DefinePipelineInput,
  definePipeline,
  type ParamsFor,
  type PipelineBuilder,
  type PipelineContext,
  type PipelineTaskInput,
} from './builders/define-pipeline.js';
export {
  type AnyTaskDefinition,
  type DefineTaskInput,
  defineTask,
  type ParamDeclaration,
  type TaskContext,
  type TaskDefinition,
} from './builders/define-task.js';
export {
  type FromKubeconfigOptions,
  TektonClient,
  type TektonClientOptions,
} from './client/tekton-client.js';
export {
  buildPipelineRunDescription,
  type PipelineRunDescription,
  type TaskRunRow,
} from './describe/describe-model.js';
export { formatAge } from './describe/format-age.js';
export {
  type FormatDescribeOptions,
  formatDescribe,
  formatParamValue,
  formatRunDuration,
  formatWorkspaceBinding,
} from './describe/format-describe.js';
export { formatTaskRunDescribe } from './describe/format-task-run-describe.js';
export { formatGoDuration, parseGoDurationMs } from './describe/go-duration.js';
export {
  ExecCredentialError,
  KubeconfigError,
  UnsupportedAuthProviderError,
} from './errors/kubeconfig-errors.js';
export {
  KubernetesApiError,
  type KubernetesApiErrorOptions,
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
export {
  type FormatPipelineGraphOptions,
  formatPipelineGraphDot,
  formatPipelineGraphMermaid,
} from './graph/format-pipeline-graph.js';
export {
  type PipelineGraph,
  type PipelineGraphEdge,
  type PipelineGraphEdgeKind,
  type PipelineGraphTask,
  pipelineGraph,
} from './graph/pipeline-graph.js';
export {
  type KubeCallOptions,
  KubeTransport,
  kubernetesErrorFromResponse,
  type ListOptions,
  type ListPage,
} from './kube/kube-transport.js';
export { type PodLogLine, type PodLogOptions, streamPodLogs } from './kube/pod-logs.js';
export { apiVersionOf, RESOURCES, type ResourceType, resourcePath } from './kube/resource.js';
export {
  type WatchBackoffOptions,
  type WatchDiagnostic,
  type WatchEvent,
  type WatchOptions,
  watchResource,
} from './kube/watch.js';
export {
  DEFAULT_EXEC_TIMEOUT_MS,
  type ExecCredential,
  ExecCredentialProvider,
  type ExecCredentialProviderOptions,
} from './kubeconfig/exec-credential.js';
export {
  type InClusterOptions,
  loadInClusterConfig,
  SERVICE_ACCOUNT_DIRECTORY,
} from './kubeconfig/in-cluster.js';
export type { ExecConfig, KubeconfigCluster, KubeconfigUser } from './kubeconfig/kubeconfig-schema.js';
export {
  type CredentialSource,
  type KubeTlsOptions,
  type LoadKubeconfigOptions,
  loadKubeconfig,
  type ResolvedKubeconfig,
} from './kubeconfig/load-kubeconfig.js';
export { EXEC_PLUGIN_KILL_GRACE_MS } from './kubeconfig/plugin-process.js';
export {
  type BearerTokenProvider,
  type ConnectionCredentials,
  type CredentialOptions,
  credentialsFromSource,
  DEFAULT_TOKEN_FILE_REFRESH_MS,
  type TokenFileProviderOptions,
  tokenFileProvider,
} from './kubeconfig/token-providers.js';
export { DefinitionApplier } from './runs/apply.js';
export type { CallOptions } from './runs/client-context.js';
export type { FailedTask, PipelineRunOutcome } from './runs/outcome.js';
export type { PipelineRunLogOptions } from './runs/pipeline-run-logs.js';
export {
  type CancelMode,
  type ListRunsOptions,
  PipelineRuns,
  type WaitForCompletionOptions,
  type WatchRunsOptions,
} from './runs/pipeline-runs.js';
export {
  formatConditionText,
  isRunDone,
  type RunLike,
  type RunState,
  runState,
  succeededCondition,
} from './runs/run-state.js';
export type { DurationInput, StartPipelineRunInput } from './runs/start-input.js';
export type { RunLogEntry } from './runs/task-run-logs.js';
export { type TaskRunDescription, TaskRuns } from './runs/task-runs.js';
export * from './schemas/common.js';
export * from './schemas/pipeline.js';
export * from './schemas/runs.js';
export {
  type Step,
  type StepAction,
  type StepState,
  stepActionSchema,
  stepActionSpecSchema,
  stepSchema,
  stepStateSchema,
  type Task,
  type TaskSpec,
  taskSchema,
  taskSpecSchema,
  workspaceDeclarationSchema,
} from './schemas/task.js';
export * from './schemas/triggers.js';
export {
  type GitLabPushEventOptions,
  type GitLabPushEventResult,
  sendGitLabPushEvent,
  TRIGGERS_EVENT_ID_LABEL,
} from './triggers/gitlab-push-event.js';
export {
  type RenderTriggerTemplateOptions,
  renderTriggerTemplate,
} from './triggers/render-trigger-template.js';
export type { TektonIssueCode, TektonValidationIssue } from './validation/issues.js';
export {
  isTektonKind,
  type TektonValidationResult,
  validateTektonDocument,
} from './validation/validate-document.js';
