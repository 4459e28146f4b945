export type { AggregatedHealth, AggregateHealthOptions, ApplicationResource } from './aggregate-health.js';
export { aggregateHealth, isWorseHealth } from './aggregate-health.js';
export { hasBuiltInHealthCheck } from './builtin/builtin-health.js';
export { argoCdConfigMapData } from './customizations/config-map-data.js';
export type { ResourceCustomizationScript } from './customizations/load-resource-customizations.js';
export { loadResourceCustomizations } from './customizations/load-resource-customizations.js';
export type { HealthOverride } from './customizations/parse-customizations.js';
export { parseHealthCustomizations } from './customizations/parse-customizations.js';
export type { ResolvedHealthScript } from './customizations/script-resolver.js';
export { HealthConfigurationError, LuaRuntimeError, ResourceActionError } from './errors.js';
export type { EvaluateHealthScriptOptions } from './evaluate-health-script.js';
export { evaluateHealthScript } from './evaluate-health-script.js';
export { formatHealthResult } from './format-health-result.js';
export type {
  HealthAssessment,
  HealthAssessor,
  HealthAssessorOptions,
  HealthSource,
} from './health-assessor.js';
export { createHealthAssessor } from './health-assessor.js';
export { HOOK_FINALIZER, hookTypes, isHook } from './hooks.js';
export { INVALID_HEALTH_STATUS_MESSAGE } from './lua/interpret-lua-result.js';
export type { LuaRuntimeOptions } from './lua/lua-runtime.js';
export { parseKubernetesYaml } from './parse-kubernetes-yaml.js';
export type {
  DiscoveredResourceAction,
  ImpactedResource,
  RunResourceActionOptions,
} from './run-resource-action.js';
export { discoverResourceActions, runResourceAction } from './run-resource-action.js';
export type {
  HealthCustomization,
  HealthCustomizationsInput,
  HealthResult,
  HealthStatusCode,
  KubernetesObject,
} from './types.js';
export { HEALTH_STATUS_ORDER, isHealthStatusCode } from './types.js';
