export type { CliIo } from './cli/cli-io.js';
export { formatDurationMs, parseDurationMs } from './cli/duration.js';
export { ExitCode, type ExitCodeValue } from './cli/exit-codes.js';
export { exitCodeForError, runCli } from './cli/run-cli.js';
export { diagnoseApplication } from './diagnosis/diagnose-application.js';
export {
  INGRESS_HEALTH_LUA,
  LOAD_BALANCER_SERVICE_HEALTH_LUA,
  PROPOSED_HEALTH_SCRIPTS,
} from './diagnosis/proposed-health-scripts.js';
export { DEFAULT_PROMOTION_TIMEOUT_MS, DEFAULT_REFRESH_TIMEOUT_MS, promote } from './promote/promote.js';
export type {
  BeforeSyncContext,
  FailurePolicy,
  KustomizeImageChange,
  PromoteOptions,
  PromotionApplication,
  PromotionChange,
  PromotionRepository,
  VerifyContext,
} from './promote/promote-options.js';
export type { PromotionEdit } from './promote/promotion-changes.js';
export { PromotionError, PromotionInterruptedError } from './promote/promotion-error.js';
export type {
  PromotionEvent,
  PromotionProgressEvent,
  PromotionStepEvent,
  PromotionStepName,
  PromotionWarningEvent,
} from './promote/promotion-events.js';
export type {
  DiagnosisFinding,
  PromotionDiagnosis,
  PromotionOutcome,
  PromotionReport,
  PromotionStepRecord,
  PromotionTransition,
  RollbackRecord,
} from './promote/promotion-report.js';
export { formatReleaseStatusTable } from './release/format-release-status.js';
export {
  DEFAULT_MERGE_TIMEOUT_MS,
  type PromoteReleaseOptions,
  promoteRelease,
  type ReleaseEvent,
} from './release/promote-release.js';
export {
  parseReleaseStages,
  parseStagesFile,
  type ReleaseStage,
  type ReleaseStageDefinition,
  releaseStagesJsonSchema,
  stagesFileSchema,
} from './release/release-definition.js';
export {
  EarlierStageNotAtReleaseError,
  ReleaseChecksFailedError,
  ReleaseError,
  ReleaseSupersededError,
} from './release/release-errors.js';
export type { ReleaseReport, StageOutcome, StageReport } from './release/release-report.js';
export { type ReleaseStatusOptions, releaseStatus, type StageStatus } from './release/release-status.js';
export {
  type RenderedReleaseTekton,
  type RenderReleaseTektonOptions,
  renderReleaseTekton,
} from './render/render-release-tekton.js';
export { type RenderedTekton, type RenderTektonOptions, renderTekton } from './render/render-tekton.js';
export { GITOPS_FLOW_VERSION } from './version.js';
