import type { KubeObject } from './object-store.js';

/** The knative-style `Succeeded` condition Tekton puts on runs. */
export interface SucceededCondition {
  type: 'Succeeded';
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** The run's status object (created when absent). */
export function statusOf(object: KubeObject): Record<string, unknown> {
  if (typeof object['status'] !== 'object' || object['status'] === null) object['status'] = {};
  return object['status'] as Record<string, unknown>;
}

/** The `Succeeded` condition of a run, if any. */
export function succeededCondition(object: Readonly<KubeObject> | undefined): SucceededCondition | undefined {
  const status = object?.['status'] as { conditions?: SucceededCondition[] } | undefined;
  return status?.conditions?.find((condition) => condition.type === 'Succeeded');
}

/**
 * Whether a PipelineRun or TaskRun is finished: its `Succeeded` condition is True or False (never inferred from
 * the reason, since Unknown + `CancelledRunningFinally` is still running).
 *
 * @example
 * ```ts
 * const run = await kube.waitForObject({ kind: 'PipelineRun', name }, isRunFinished);
 * ```
 */
export function isRunFinished(object: Readonly<KubeObject> | undefined): boolean {
  const condition = succeededCondition(object);
  return condition !== undefined && condition.status !== 'Unknown';
}

/** Sets the `Succeeded` condition; `completionTime` is set exactly when the status leaves Unknown. */
export function setSucceeded(
  object: KubeObject,
  status: SucceededCondition['status'],
  reason: string,
  message: string,
  now: string,
): void {
  const runStatus = statusOf(object);
  const previous = succeededCondition(object);
  if (previous?.status === status && previous.reason === reason && previous.message === message) return;
  runStatus['conditions'] = [{ type: 'Succeeded', status, reason, message, lastTransitionTime: now }];
  if (status !== 'Unknown' && runStatus['completionTime'] === undefined) runStatus['completionTime'] = now;
}

/** The label set of an object (created when absent). */
export function labelsOf(object: KubeObject): Record<string, string> {
  object.metadata.labels ??= {};
  return object.metadata.labels;
}
