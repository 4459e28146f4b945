import { goQuote } from '../object-fields.js';
import type { HealthResult, KubernetesObject } from '../types.js';
import { TypedFields } from './typed-fields.js';

function condition(conditions: Record<string, unknown>[], type: string): Record<string, unknown> | undefined {
  return conditions.find((item) => item.type === type);
}

/** apps/v1 Deployment (Argo CD `health_deployment.go`). @internal */
export function deploymentHealth(object: KubernetesObject): HealthResult {
  const typed = new TypedFields(object, 'Deployment');
  if (typed.boolean('spec', 'paused')) return { status: 'Suspended', message: 'Deployment is paused' };
  const generation = typed.number('metadata', 'generation');
  const observed = typed.number('status', 'observedGeneration');
  if (generation > observed) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed deployment generation less than desired generation',
    };
  }
  const progressing = condition(typed.records('status', 'conditions'), 'Progressing');
  const desired = typed.optionalNumber('spec', 'replicas');
  const updated = typed.number('status', 'updatedReplicas');
  const replicas = typed.number('status', 'replicas');
  const available = typed.number('status', 'availableReplicas');
  const name = typed.string('metadata', 'name');
  if (progressing !== undefined && progressing.reason === 'ProgressDeadlineExceeded') {
    return { status: 'Degraded', message: `Deployment ${goQuote(name)} exceeded its progress deadline` };
  }
  if (desired !== undefined && updated < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    };
  }
  if (replicas > updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    };
  }
  if (available < updated) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { status: 'Healthy', message: '' };
}

/** apps/v1 StatefulSet (Argo CD `health_statefulset.go`). @internal */
export function statefulSetHealth(object: KubernetesObject): HealthResult {
  const typed = new TypedFields(object, 'StatefulSet');
  const generation = typed.number('metadata', 'generation');
  const observed = typed.number('status', 'observedGeneration');
  if (observed === 0 || generation > observed) {
    return { status: 'Progressing', message: 'Waiting for statefulset spec update to be observed...' };
  }
  const desired = typed.optionalNumber('spec', 'replicas');
  const ready = typed.number('status', 'readyReplicas');
  const updated = typed.number('status', 'updatedReplicas');
  if (desired !== undefined && ready < desired) {
    return { status: 'Progressing', message: `Waiting for ${desired - ready} pods to be ready...` };
  }
  const strategy = typed.string('spec', 'updateStrategy', 'type');
  if (strategy === 'RollingUpdate' && typed.present('spec', 'updateStrategy', 'rollingUpdate')) {
    const partition = typed.optionalNumber('spec', 'updateStrategy', 'rollingUpdate', 'partition');
    if (desired !== undefined && partition !== undefined && updated < desired - partition) {
      return {
        status: 'Progressing',
        message: `Waiting for partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated...`,
      };
    }
    return {
      status: 'Healthy',
      message: `partitioned roll out complete: ${updated} new pods have been updated...`,
    };
  }
  if (strategy === 'OnDelete') return { status: 'Healthy', message: `statefulset has ${ready} ready pods` };
  const updateRevision = typed.string('status', 'updateRevision');
  const currentRevision = typed.string('status', 'currentRevision');
  if (updateRevision !== currentRevision) {
    return {
      status: 'Progressing',
      message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${updateRevision}...`,
    };
  }
  const current = typed.number('status', 'currentReplicas');
  return {
    status: 'Healthy',
    message: `statefulset rolling update complete ${current} pods at revision ${currentRevision}...`,
  };
}

/** apps/v1 ReplicaSet (Argo CD `health_replicaset.go`). @internal */
export function replicaSetHealth(object: KubernetesObject): HealthResult {
  const typed = new TypedFields(object, 'ReplicaSet');
  const generation = typed.number('metadata', 'generation');
  const observed = typed.number('status', 'observedGeneration');
  if (generation > observed) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed replica set generation less than desired generation',
    };
  }
  const failure = condition(typed.records('status', 'conditions'), 'ReplicaFailure');
  if (failure !== undefined && failure.status === 'True') {
    return { status: 'Degraded', message: typeof failure.message === 'string' ? failure.message : '' };
  }
  const desired = typed.optionalNumber('spec', 'replicas');
  const available = typed.number('status', 'availableReplicas');
  if (desired !== undefined && available < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for rollout to finish: ${available} out of ${desired} new replicas are available...`,
    };
  }
  return { status: 'Healthy', message: '' };
}

/** apps/v1 DaemonSet (Argo CD `health_daemonset.go`). @internal */
export function daemonSetHealth(object: KubernetesObject): HealthResult {
  const typed = new TypedFields(object, 'DaemonSet');
  const generation = typed.number('metadata', 'generation');
  const observed = typed.number('status', 'observedGeneration');
  if (generation > observed) {
    return {
      status: 'Progressing',
      message: 'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    };
  }
  const updated = typed.number('status', 'updatedNumberScheduled');
  const desired = typed.number('status', 'desiredNumberScheduled');
  const available = typed.number('status', 'numberAvailable');
  const name = typed.string('metadata', 'name');
  if (typed.string('spec', 'updateStrategy', 'type') === 'OnDelete') {
    return {
      status: 'Healthy',
      message: `daemon set ${updated} out of ${desired} new pods have been updated`,
    };
  }
  if (updated < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set ${goQuote(name)} rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    };
  }
  if (available < desired) {
    return {
      status: 'Progressing',
      message: `Waiting for daemon set ${goQuote(name)} rollout to finish: ${available} of ${desired} updated pods are available...`,
    };
  }
  return { status: 'Healthy', message: '' };
}
