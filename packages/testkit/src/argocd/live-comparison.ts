import { isWorseHealth } from '@gitops-kit/argocd-health';
import type { ResourceHealthAssessor } from './health.js';
import { isInSync } from './live-drift.js';
import type { HealthScriptStep, LiveObject } from './live-state.js';
import { isSynthesized, objectKey, stepAt, synthesizeLiveObject } from './live-state.js';
import { imagesOf } from './manifest-renderer.js';
import type { HealthStatus, JsonObject, KubeObject, ResourceStatus } from './model.js';
import { type AssessedObject, buildResourceTree, resourceReference } from './resource-tree.js';

/** Inputs of one comparison of target (rendered) and live state. */
export interface LiveComparisonInput {
  appName: string;
  live: ReadonlyMap<string, LiveObject>;
  desired: readonly KubeObject[];
  nowMs: number;
  assessor: ResourceHealthAssessor;
  stepsFor: (object: KubeObject) => readonly HealthScriptStep[];
}

/** What the controller writes into `status` and the resource tree. */
export interface LiveComparison {
  resources: ResourceStatus[];
  outOfSync: boolean;
  health: HealthStatus;
  images: string[];
  tree: { nodes: JsonObject[] };
  /** The live objects behind the tree's nodes, same order. */
  treeObjects: KubeObject[];
  /** When the next scripted health step starts (Infinity when nothing is scheduled). */
  nextChangeInMs: number;
}

function identity(object: KubeObject): Omit<ResourceStatus, 'status'> {
  const { uid: _uid, ...rest } = resourceReference(object);
  return rest as Omit<ResourceStatus, 'status'>;
}

/**
 * Compares target and live objects (sync status per resource), assesses each live object's health at `nowMs`
 * (scripted steps expressed through a synthesized status and judged by the health checks, or reported as-is), and
 * aggregates the app health like controller/health.go: resources without a health opinion are ignored, missing
 * resources do not degrade the app unless nothing is live at all (then Missing).
 */
export function compareLiveState(input: LiveComparisonInput): LiveComparison {
  const { appName, live, desired, nowMs, assessor } = input;
  const wanted = new Map(desired.map((object) => [objectKey(object), object]));
  const assessed: AssessedObject[] = [];
  const resources: ResourceStatus[] = [];
  let nextChangeInMs = Number.POSITIVE_INFINITY;
  let outOfSync = false;
  for (const [key, current] of live) {
    const { step, nextChangeInMs: untilNext } = stepAt(
      input.stepsFor(current.desired),
      nowMs - current.appliedAtMs,
    );
    if (untilNext !== undefined) nextChangeInMs = Math.min(nextChangeInMs, untilNext);
    const synthesized = isSynthesized(current.desired.kind, step);
    const object = synthesizeLiveObject(appName, current, synthesized ? step : undefined);
    const result = synthesized
      ? assessor.assess(object)
      : { status: step?.status ?? 'Unknown', message: step?.message ?? '' };
    const health: HealthStatus | undefined = result
      ? { status: result.status, ...(result.message ? { message: result.message } : {}) }
      : undefined;
    assessed.push({ object, health, appliedAtMs: current.appliedAtMs });
    const target = wanted.get(key);
    const synced = target !== undefined && isInSync(target, current);
    outOfSync ||= !synced;
    resources.push({
      ...identity(current.desired),
      status: synced ? 'Synced' : 'OutOfSync',
      ...(health ? { health } : {}),
    });
  }
  for (const [key, object] of wanted) {
    if (live.has(key)) continue;
    outOfSync = true;
    resources.push({ ...identity(object), status: 'OutOfSync', health: { status: 'Missing' } });
  }
  resources.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  let worst = assessed.length === 0 ? (desired.length > 0 ? 'Missing' : 'Healthy') : 'Healthy';
  for (const { health } of assessed) {
    if (health && isWorseHealth(worst, health.status)) worst = health.status;
  }
  const { nodes, objects } = buildResourceTree(assessed);
  return {
    resources,
    outOfSync,
    health: { status: worst },
    images: [...new Set(assessed.flatMap(({ object }) => imagesOf(object)))].sort(),
    tree: { nodes },
    treeObjects: objects,
    nextChangeInMs,
  };
}
