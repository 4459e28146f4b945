import { groupVersionKind } from '../object-fields.js';
import type { HealthResult, KubernetesObject } from '../types.js';
import {
  apiServiceHealth,
  horizontalPodAutoscalerHealth,
  ingressHealth,
  jobHealth,
  persistentVolumeClaimHealth,
  serviceHealth,
  workflowHealth,
} from './other-kinds.js';
import { podHealth } from './pod.js';
import { daemonSetHealth, deploymentHealth, replicaSetHealth, statefulSetHealth } from './workloads.js';

type Check = (object: KubernetesObject, version: string) => HealthResult;

function versioned(label: string, versions: readonly string[], check: Check): Check {
  return (object, version) => {
    if (!versions.includes(version)) {
      const { group, kind } = groupVersionKind(object);
      throw new Error(`unsupported ${label} GVK: ${group === '' ? '' : `${group}/`}${version}, Kind=${kind}`);
    }
    return check(object, version);
  };
}

// The 13 group/kinds of gitops-engine `GetHealthCheckFunc`; typed checks accept only the versions Argo CD converts.
const CHECKS: Record<string, Check> = {
  'apps/Deployment': versioned('Deployment', ['v1'], deploymentHealth),
  'apps/StatefulSet': versioned('StatefulSet', ['v1'], statefulSetHealth),
  'apps/ReplicaSet': versioned('ReplicaSet', ['v1'], replicaSetHealth),
  'apps/DaemonSet': versioned('DaemonSet', ['v1'], daemonSetHealth),
  'extensions/Ingress': ingressHealth,
  'networking.k8s.io/Ingress': ingressHealth,
  'argoproj.io/Workflow': workflowHealth,
  'apiregistration.k8s.io/APIService': versioned('APIService', ['v1', 'v1beta1'], apiServiceHealth),
  '/Service': versioned('Service', ['v1'], serviceHealth),
  '/PersistentVolumeClaim': versioned('PersistentVolumeClaim', ['v1'], persistentVolumeClaimHealth),
  '/Pod': versioned('Pod', ['v1'], podHealth),
  'batch/Job': versioned('Job', ['v1'], jobHealth),
  'autoscaling/HorizontalPodAutoscaler': versioned('HPA', ['v1', 'v2'], horizontalPodAutoscalerHealth),
};

/** Whether Argo CD has a built-in (Go) health check for this group and kind. */
export function hasBuiltInHealthCheck(group: string, kind: string): boolean {
  return `${group}/${kind}` in CHECKS;
}

/**
 * Runs Argo CD's built-in health check for an object, or returns null when its kind has none. A malformed object
 * (a field of the wrong type, an unsupported version) gives `Unknown` with the reason, as in Argo CD.
 * @internal
 */
export function builtInHealth(object: KubernetesObject): HealthResult | null {
  const { group, version, kind } = groupVersionKind(object);
  const check = CHECKS[`${group}/${kind}`];
  if (check === undefined) return null;
  try {
    return check(object, version);
  } catch (error) {
    return { status: 'Unknown', message: error instanceof Error ? error.message : String(error) };
  }
}
