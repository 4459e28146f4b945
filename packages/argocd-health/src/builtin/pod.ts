import { isHook } from '../hooks.js';
import { annotations } from '../object-fields.js';
import type { HealthResult, HealthStatusCode, KubernetesObject } from '../types.js';
import { TypedFields } from './typed-fields.js';

const IGNORE_RESTART_POLICY_ANNOTATION = 'argocd.argoproj.io/ignore-restart-policy';

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function failMessage(container: Record<string, unknown>): string {
  const terminated = record(record(container.state)?.terminated);
  if (terminated === undefined) return '';
  if (text(terminated.message) !== '') return text(terminated.message);
  if (terminated.reason === 'OOMKilled') return 'OOMKilled';
  const exitCode = typeof terminated.exitCode === 'number' ? terminated.exitCode : 0;
  if (exitCode !== 0) return `container "${text(container.name)}" failed with exit code ${exitCode}`;
  return '';
}

/** v1 Pod (Argo CD `health_pod.go`). @internal */
export function podHealth(object: KubernetesObject): HealthResult {
  const typed = new TypedFields(object, 'Pod');
  const restartPolicy = typed.string('spec', 'restartPolicy');
  const phase = typed.string('status', 'phase');
  const message = typed.string('status', 'message');
  const containers = typed.records('status', 'containerStatuses');
  const initContainers = typed.records('status', 'initContainerStatuses');
  const ignoreRestartPolicy =
    annotations(object)[IGNORE_RESTART_POLICY_ANNOTATION] === 'true' && !isHook(object);
  const restartsAlways = restartPolicy === 'Always' || ignoreRestartPolicy;

  if (restartsAlways) {
    const messages: string[] = [];
    let status: HealthStatusCode | undefined;
    for (const container of containers) {
      const waiting = record(record(container.state)?.waiting);
      if (waiting === undefined) continue;
      const reason = text(waiting.reason);
      if (reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff')) {
        status = 'Degraded';
        messages.push(text(waiting.message));
      }
    }
    if (status !== undefined) return { status, message: messages.join(', ') };
  }

  switch (phase) {
    case 'Pending':
      return { status: 'Progressing', message };
    case 'Succeeded':
      return { status: 'Healthy', message };
    case 'Failed': {
      if (message !== '') return { status: 'Degraded', message };
      for (const container of [...initContainers, ...containers]) {
        const failure = failMessage(container);
        if (failure !== '') return { status: 'Degraded', message: failure };
      }
      return { status: 'Degraded', message: '' };
    }
    case 'Running': {
      if (restartsAlways) {
        const ready = typed
          .records('status', 'conditions')
          .some((condition) => condition.type === 'Ready' && condition.status === 'True');
        if (ready) return { status: 'Healthy', message };
        const crashed = containers.some(
          (container) => record(record(container.lastState)?.terminated) !== undefined,
        );
        return { status: crashed ? 'Degraded' : 'Progressing', message };
      }
      if (restartPolicy === 'OnFailure' || restartPolicy === 'Never')
        return { status: 'Progressing', message };
      break;
    }
    default:
      break;
  }
  return { status: 'Unknown', message };
}
