import { createHash } from 'node:crypto';
import { imagesOf } from './manifest-renderer.js';
import type { JsonObject, KubeObject } from './model.js';
import { splitApiVersion } from './model.js';

/** A health status Argo CD reports. */
export type HealthStatusCode = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

/** One step of a scripted resource lifecycle; the last step lasts forever. */
export interface HealthScriptStep {
  status: HealthStatusCode;
  /** How long this step lasts after the previous one ends. Ignored on the last step. */
  forMs?: number;
  /** Reported message; when set the status is reported as-is instead of being derived from a synthesized object. */
  message?: string;
}

/** Which resources a script applies to; omitted fields match anything. */
export interface HealthScriptMatch {
  app?: string;
  kind: string;
  group?: string;
  name?: string;
  namespace?: string;
  /** Matches only objects whose pod template runs an image containing this text (e.g. a tag: `:v2`). */
  image?: string;
}

/** A per-resource health script registered with `ArgoCDEmulator.scriptHealth`. */
export interface HealthScript {
  match: HealthScriptMatch;
  steps: HealthScriptStep[];
}

/** An object the emulator applied, with the time its rollout started. */
export interface LiveObject {
  /** What the last sync applied (the last-applied configuration). */
  desired: KubeObject;
  /** The live body when someone changed it after the sync (PatchResource, a resource action). */
  drifted?: KubeObject | undefined;
  appliedAtMs: number;
  revision: string;
}

/** The object key Argo CD uses: group/kind/namespace/name. */
export function objectKey(object: KubeObject): string {
  const { group } = splitApiVersion(object.apiVersion);
  return `${group}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** A stable uid per object (Kubernetes would assign one on create). */
export function objectUid(appName: string, object: KubeObject): string {
  const hex = createHash('sha1')
    .update(`${appName}/${objectKey(object)}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function scriptMatches(match: HealthScriptMatch, appName: string, object: KubeObject): boolean {
  const { group } = splitApiVersion(object.apiVersion);
  return (
    match.kind === object.kind &&
    (match.app === undefined || match.app === appName) &&
    (match.group === undefined || match.group === group) &&
    (match.name === undefined || match.name === object.metadata.name) &&
    (match.namespace === undefined || match.namespace === object.metadata.namespace) &&
    (match.image === undefined || imagesOf(object).some((image) => image.includes(match.image as string)))
  );
}

/** The step in force `elapsedMs` after the rollout started, and how long until the next step (if any). */
export function stepAt(
  steps: readonly HealthScriptStep[],
  elapsedMs: number,
): { step: HealthScriptStep | undefined; nextChangeInMs?: number } {
  let boundary = 0;
  for (const [index, step] of steps.entries()) {
    if (index === steps.length - 1) return { step };
    boundary += Math.max(0, step.forMs ?? 0);
    if (elapsedMs < boundary) return { step, nextChangeInMs: boundary - elapsedMs };
  }
  return { step: undefined };
}

const SYNTHESIZABLE: Record<string, ReadonlySet<HealthStatusCode>> = {
  Deployment: new Set(['Healthy', 'Progressing', 'Degraded', 'Suspended']),
  Ingress: new Set(['Healthy', 'Progressing']),
  Service: new Set(['Healthy']),
};

/** Whether the step is expressed through the object's status (and judged by the health checks) or reported as-is. */
export function isSynthesized(kind: string, step: HealthScriptStep | undefined): boolean {
  if (!step) return true;
  return step.message === undefined && (SYNTHESIZABLE[kind]?.has(step.status) ?? false);
}

/**
 * Builds the live object a cluster would report: the desired object plus a `status` that makes Argo CD's health
 * checks reach the scripted state (e.g. a Deployment whose replicas are not yet updated reads as Progressing, an
 * Ingress without a load-balancer address stays Progressing unless a health customisation says otherwise).
 */
export function synthesizeLiveObject(
  appName: string,
  live: LiveObject,
  step: HealthScriptStep | undefined,
): KubeObject {
  const object = structuredClone(live.drifted ?? live.desired);
  object.metadata.uid = objectUid(appName, object);
  object.metadata.generation = 1;
  const spec = (object.spec ?? {}) as JsonObject;
  const status = step?.status;
  switch (object.kind) {
    case 'Deployment': {
      const replicas = Number(spec.replicas ?? 1);
      if (status === 'Suspended') spec.paused = true;
      const done = status === undefined || status === 'Healthy' || status === 'Suspended';
      const conditions: JsonObject[] = [
        status === 'Degraded'
          ? {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet has timed out progressing.`,
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: done ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
            },
      ];
      object.status = {
        observedGeneration: 1,
        replicas,
        updatedReplicas: done || status === 'Degraded' ? replicas : 0,
        readyReplicas: done ? replicas : 0,
        availableReplicas: done ? replicas : 0,
        conditions,
      };
      break;
    }
    case 'Ingress':
    case 'Service': {
      const published = status === 'Healthy' && (object.kind === 'Ingress' || spec.type === 'LoadBalancer');
      object.status = { loadBalancer: published ? { ingress: [{ ip: '203.0.113.10' }] } : {} };
      break;
    }
    default:
      break;
  }
  return object;
}

/** The steps for an object: the latest matching script, else (Deployments) `defaultRolloutMs` of Progressing. */
export function stepsForObject(
  scripts: readonly HealthScript[],
  appName: string,
  object: KubeObject,
  defaultRolloutMs: number,
): readonly HealthScriptStep[] {
  for (let index = scripts.length - 1; index >= 0; index -= 1) {
    const script = scripts[index];
    if (script && scriptMatches(script.match, appName, object)) return script.steps;
  }
  if (object.kind === 'Deployment' && defaultRolloutMs > 0) {
    return [{ status: 'Progressing', forMs: defaultRolloutMs }, { status: 'Healthy' }];
  }
  return [];
}
