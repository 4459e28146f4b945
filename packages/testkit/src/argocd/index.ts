export type { EmulatedCluster as ArgoCDEmulatedCluster } from './clusters.js';
export { ArgoCDEmulator, ArgoCDEmulatorError, type SeedApplication } from './emulator.js';
export type { ArgoCDEmulatorOptions } from './emulator-options.js';
export type { ArgoCDFault, ArgoCDFaultMatch, InstalledArgoCDFault } from './faults.js';
export type { SeededCommit } from './git-revisions.js';
export type { HealthScriptMatch, HealthScriptStep, HealthStatusCode } from './live-state.js';
export {
  defaultManifestRenderer,
  type ManifestRenderer,
  mergeHelmValues,
  type RenderContext,
} from './manifest-renderer.js';
export type {
  Application as ArgoCDEmulatedApplication,
  AppProject as ArgoCDEmulatedProject,
  KubeObject as ArgoCDEmulatedObject,
  Repository as ArgoCDEmulatedRepository,
} from './model.js';
export type { ArgoCDRequestRecord } from './request-pipeline.js';
export type { PodLogSelector as ArgoCDPodLogSelector } from './routes-logs.js';
export {
  type ArgoCDRequestIssue,
  type ArgoCDRequestToValidate,
  type ArgoCDRequestValidation,
  type ArgoCDSwaggerOperation,
  type ArgoCDSwaggerValidator,
  type ArgoCDSwaggerValidatorOptions,
  createArgoCDSwaggerValidator,
} from './swagger-validator.js';
