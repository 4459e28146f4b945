export { apiPath } from './client/api-path.js';
export {
  ArgoCDClient,
  type ArgoCDSettings,
  type ArgoCDVersion,
  versionSchema,
} from './client/argocd-client.js';
export {
  type ArgoCDOptsFlags,
  type CliContextSettings,
  defaultCliConfigPath,
  parseArgoCDOpts,
  readCliConfig,
} from './client/cli-config.js';
export {
  type ArgoCDClientOptions,
  type ArgoCDRetryOptions,
  type ArgoCDTlsOptions,
  type CallOptions,
  normalizeServerUrl,
} from './client/client-options.js';
export type { ArgoCDAuth, ArgoCDTokenProvider } from './client/session-manager.js';
export {
  ArgoCDApiError,
  type ArgoCDApiErrorOptions,
  OPERATION_IN_PROGRESS_MESSAGE,
} from './errors/argocd-api-error.js';
export { GRPC_CODE_NAMES, grpcCodeName } from './errors/grpc-codes.js';
export {
  OperationInProgressError,
  type OperationInProgressErrorOptions,
} from './errors/operation-in-progress-error.js';
export {
  WaitFailedError,
  type WaitFailedErrorOptions,
  type WaitFailureReason,
  WaitTimeoutError,
  type WaitTimeoutErrorOptions,
} from './errors/wait-errors.js';
export type * from './generated/argocd-api.generated.js';
export { ARGOCD_API_OPERATIONS } from './generated/argocd-api.generated.js';
export {
  explainHealth,
  type HealthExplanation,
  healthCustomizationKey,
  type KnownHealthCause,
  type UnhealthyResource,
} from './health/explain-health.js';
export type {
  EventList,
  ManagedResources,
  ManifestResponse,
  RevisionMetadata,
} from './resources/application-details.js';
export {
  isOurOperation,
  type RollbackOptions,
  SYNC_ID_INFO_NAME,
  type SyncOptions,
} from './resources/application-operations.js';
export { ApplicationReads, type ListApplicationsQuery } from './resources/application-reads.js';
export type { ApplicationScopeOptions } from './resources/application-scope.js';
export { type ApplicationInput, ApplicationsResource } from './resources/applications-resource.js';
export {
  type HelmParametersInput,
  type HelmSourceSelector,
  helmParametersPatch,
  mergeHelmParameters,
} from './resources/helm-parameters.js';
export {
  type AppProject,
  type AppProjectInput,
  appProjectSchema,
  ProjectsResource,
} from './resources/projects-resource.js';
export {
  RepositoriesResource,
  type Repository,
  type RepositoryInput,
  type RepositoryScope,
  repositorySchema,
} from './resources/repositories-resource.js';
export { SessionResource, type UserInfo, userInfoSchema } from './resources/session-resource.js';
export {
  type Application,
  type ApplicationList,
  type ApplicationListItem,
  type ApplicationSpec,
  applicationListItemSchema,
  applicationListSchema,
  applicationSchema,
  applicationSpecSchema,
  type HelmParameter,
  type OperationState,
  operationStateSchema,
  type ProjectedApplication,
  type ResourceStatus,
  type RevisionHistory,
  revisionHistorySchema,
} from './schemas/application-schema.js';
export { type RuntimeErrorBody, runtimeErrorSchema } from './schemas/error-schema.js';
export {
  type ApplicationTree,
  applicationTreeSchema,
  type ResourceNode,
  resourceNodeSchema,
} from './schemas/resource-tree-schema.js';
export {
  HEALTH_STATUSES,
  type HealthStatusCode,
  OPERATION_PHASES,
  type OperationPhase,
  SYNC_STATUSES,
  type SyncStatusCode,
} from './schemas/status-schemas.js';
export {
  type ApplicationWatchEvent,
  applicationWatchEventSchema,
  type StreamErrorBody,
  streamErrorSchema,
} from './schemas/stream-schemas.js';
export type { ReconnectOptions } from './stream/reconnect-policy.js';
export type { WatchApplicationsQuery, WatchOptions } from './stream/watch-applications.js';
export { assertResourceName, parseApplicationName, type QualifiedName } from './validation/names.js';
export {
  DEFAULT_WAIT_TIMEOUT_MS,
  type ResourceProgress,
  type WaitOptions,
  type WaitProgress,
  type WaitResult,
} from './wait/application-waiter.js';
export {
  DEFAULT_WAIT_CONDITIONS,
  DegradedTransitionDetector,
  type EvaluateOptions,
  evaluateWaitConditions,
  isOperationInProgress,
  revisionMatches,
  type WaitCondition,
  type WaitEvaluation,
} from './wait/wait-conditions.js';
