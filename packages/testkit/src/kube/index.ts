export type { EventListenerDelivery, TriggerOutcome } from './event-listener.js';
export {
  KubeFaults,
  type KubeVerb,
  type RecordedRequest,
  type RequestFault,
  type RequestMatch,
} from './fault-injection.js';
export { KubeEmulator, type KubeEmulatorOptions } from './kube-emulator.js';
export { KubeEmulatorStatusError, type KubeStatus, type KubeStatusCause } from './kube-status.js';
export type { KubeconfigAuth } from './kubeconfig.js';
export { KubeObjectApi, type ObjectReference } from './object-api.js';
export type { KubeObject, KubeObjectMeta } from './object-store.js';
export { formatGoDuration, parseGoDurationMs, SimulatedClock } from './simulated-clock.js';
export type {
  ParamValue,
  StepLogLine,
  StepRunContext,
  StepRunOutcome,
  StepScript,
  TaskScript,
  TaskScriptContext,
  TaskScriptInput,
} from './task-script.js';
export { isRunFinished, type SucceededCondition, succeededCondition } from './tekton-status.js';
export { generateKubeTlsMaterial, type KubeTlsMaterial } from './tls-material.js';
