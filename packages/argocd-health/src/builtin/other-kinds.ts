import { arrayField, field, stringField } from '../object-fields.js';
import type { HealthResult, KubernetesObject } from '../types.js';
import { TypedFields } from './typed-fields.js';

/** extensions and networking.k8s.io Ingress: Healthy once an address is published (`health_ingress.go`). @internal */
export function ingressHealth(object: KubernetesObject): HealthResult {
  const addresses = field(object, 'status', 'loadBalancer', 'ingress');
  return {
    status: Array.isArray(addresses) && addresses.length > 0 ? 'Healthy' : 'Progressing',
    message: '',
  };
}

/** v1 Service: a LoadBalancer waits for its address (`health_service.go`). @internal */
export function serviceHealth(object: KubernetesObject): HealthResult {
  const typed = new TypedFields(object, 'Service');
  if (typed.string('spec', 'type') !== 'LoadBalancer') return { status: 'Healthy', message: '' };
  return {
    status: typed.list('status', 'loadBalancer', 'ingress').length > 0 ? 'Healthy' : 'Progressing',
    message: '',
  };
}

/** v1 PersistentVolumeClaim by phase (`health_pvc.go`). @internal */
export function persistentVolumeClaimHealth(object: KubernetesObject): HealthResult {
  const phase = new TypedFields(object, 'PersistentVolumeClaim').string('status', 'phase');
  if (phase === 'Lost') return { status: 'Degraded', message: '' };
  if (phase === 'Pending') return { status: 'Progressing', message: '' };
  if (phase === 'Bound') return { status: 'Healthy', message: '' };
  return { status: 'Unknown', message: '' };
}

/** batch/v1 Job by its conditions (`health_job.go`). @internal */
export function jobHealth(object: KubernetesObject): HealthResult {
  const conditions = new TypedFields(object, 'Job').records('status', 'conditions');
  let failed = false;
  let complete = false;
  let suspended = false;
  let failMessage = '';
  let message = '';
  for (const condition of conditions) {
    const conditionMessage = typeof condition.message === 'string' ? condition.message : '';
    if (condition.type === 'Failed') {
      failed = true;
      complete = true;
      failMessage = conditionMessage;
    } else if (condition.type === 'Complete') {
      complete = true;
      message = conditionMessage;
    } else if (condition.type === 'Suspended') {
      complete = true;
      message = conditionMessage;
      if (condition.status === 'True') suspended = true;
    }
  }
  if (!complete) return { status: 'Progressing', message };
  if (failed) return { status: 'Degraded', message: failMessage };
  if (suspended) return { status: 'Suspended', message };
  return { status: 'Healthy', message };
}

/** argoproj.io Workflow by phase (`health_argo.go`). @internal */
export function workflowHealth(object: KubernetesObject): HealthResult {
  const phase = stringField(object, 'status', 'phase');
  const message = stringField(object, 'status', 'message');
  if (phase === '' || phase === 'Pending' || phase === 'Running') return { status: 'Progressing', message };
  if (phase === 'Succeeded') return { status: 'Healthy', message };
  if (phase === 'Failed' || phase === 'Error') return { status: 'Degraded', message };
  return { status: 'Unknown', message };
}

/** apiregistration.k8s.io APIService by its Available condition (`health_apiservice.go`). @internal */
export function apiServiceHealth(object: KubernetesObject): HealthResult {
  const conditions = new TypedFields(object, 'APIService').records('status', 'conditions');
  for (const condition of conditions) {
    if (condition.type !== 'Available') continue;
    const message = `${typeof condition.reason === 'string' ? condition.reason : ''}: ${typeof condition.message === 'string' ? condition.message : ''}`;
    return { status: condition.status === 'True' ? 'Healthy' : 'Progressing', message };
  }
  return { status: 'Progressing', message: 'Waiting to be processed' };
}

interface HorizontalPodAutoscalerCondition {
  type: string;
  reason: string;
  message: string;
  status: string;
}

const HPA_PROGRESSING: HealthResult = { status: 'Progressing', message: 'Waiting to Autoscale' };
const HPA_DEGRADED_REASONS: Record<string, readonly string[]> = {
  AbleToScale: ['FailedGetScale', 'FailedUpdateScale'],
  ScalingActive: [
    'FailedGetResourceMetric',
    'FailedGetObjectMetric',
    'FailedGetPodsMetric',
    'FailedGetExternalMetric',
    'FailedComputeMetricsReplicas',
    'InvalidSelector',
  ],
};

function toCondition(value: unknown): HorizontalPodAutoscalerCondition {
  const item = (value !== null && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const text = (key: string): string => (typeof item[key] === 'string' ? (item[key] as string) : '');
  return { type: text('type'), reason: text('reason'), message: text('message'), status: text('status') };
}

function checkHpaConditions(conditions: HorizontalPodAutoscalerCondition[]): HealthResult {
  const degraded = conditions.find((condition) =>
    HPA_DEGRADED_REASONS[condition.type]?.includes(condition.reason),
  );
  if (degraded !== undefined) return { status: 'Degraded', message: degraded.message };
  const healthy = conditions.find(
    (condition) =>
      (condition.type === 'AbleToScale' || condition.type === 'ScalingLimited') &&
      condition.status === 'True',
  );
  if (healthy !== undefined) return { status: 'Healthy', message: healthy.message };
  return { ...HPA_PROGRESSING };
}

/**
 * autoscaling HorizontalPodAutoscaler (`health_hpa.go`): v1 reads the conditions annotation, v2 the status.
 * @internal
 */
export function horizontalPodAutoscalerHealth(object: KubernetesObject, version: string): HealthResult {
  if (version === 'v1') {
    const annotation = field(object, 'metadata', 'annotations', 'autoscaling.alpha.kubernetes.io/conditions');
    if (typeof annotation !== 'string') return { ...HPA_PROGRESSING };
    let parsed: unknown;
    try {
      parsed = JSON.parse(annotation);
    } catch (error) {
      throw new Error(`failed to convert conditions annotation to typed: ${(error as Error).message}`);
    }
    if (parsed === null) return { ...HPA_PROGRESSING };
    if (!Array.isArray(parsed)) {
      throw new Error('failed to convert conditions annotation to typed: the annotation is not a JSON array');
    }
    if (parsed.length === 0) return { ...HPA_PROGRESSING };
    return checkHpaConditions(parsed.map(toCondition));
  }
  return checkHpaConditions(arrayField(object, 'status', 'conditions').map(toCondition));
}
