export type {
  ProjectRules,
  StoredChangeRequest,
  StoredCheckRun,
  StoredPipeline,
  StoredStatus,
} from './change-request-store.js';
export { ForgeEmulator } from './forge-emulator.js';
export type {
  ForgeFault,
  ForgeReply,
  ForgeRequestRecord,
  ForgeSpecViolation,
  SpecViolationMode,
} from './forge-http.js';
export {
  type ForgeSpecIssue,
  type ForgeSpecName,
  type ForgeSpecOperation,
  ForgeSpecValidator,
} from './forge-spec-validator.js';
export type { ForgeMergeMethod } from './git-merge.js';
export { GitHubEmulator, type GitHubEmulatorOptions } from './github-emulator.js';
export { GitLabEmulator, type GitLabEmulatorOptions, type GitLabPipelineStatus } from './gitlab-emulator.js';
