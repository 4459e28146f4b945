import type { LiveObject } from './live-state.js';
import type { JsonObject, KubeObject } from './model.js';

/**
 * Out-of-band changes to live objects (PatchResource, resource actions): the live body drifts from what the last
 * sync applied. Argo CD diffs with the last-applied configuration (a three-way diff), so fields someone else added
 * (a `restartedAt` annotation) leave the resource Synced while a changed field the manifests set (replicas) makes
 * it OutOfSync; the next sync, like `kubectl apply`, changes only what the manifests own and keeps the rest.
 */

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The body the cluster holds now. */
export function currentBody(live: LiveObject): KubeObject {
  return live.drifted ?? live.desired;
}

/** JSON equality regardless of key order (bodies that went through Lua come back with sorted keys). */
export function deepEqual(left: unknown, right: unknown): boolean {
  if (Array.isArray(left)) {
    return (
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((item, index) => deepEqual(item, right[index]))
    );
  }
  if (isObject(left)) {
    if (!isObject(right)) return false;
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => key in right && deepEqual(left[key], right[key]))
    );
  }
  return left === right;
}

/** Whether every field `target` sets has that value in `body` (extra fields in `body` are ignored). */
export function satisfies(target: unknown, body: unknown): boolean {
  if (isObject(target)) {
    if (!isObject(body)) return false;
    return Object.entries(target).every(([key, value]) => satisfies(value, body[key]));
  }
  return deepEqual(target, body);
}

/** Whether the live object matches the target the way Argo CD's three-way diff would judge it. */
export function isInSync(target: KubeObject, live: LiveObject): boolean {
  if (!deepEqual(target, live.desired)) return false;
  return live.drifted === undefined || satisfies(target, live.drifted);
}

/** Fields the last applied manifest had and the new one drops are removed from the live body. */
function removeDropped(live: unknown, lastApplied: unknown, next: unknown): unknown {
  if (!isObject(live) || !isObject(lastApplied) || !isObject(next)) return live;
  const result: JsonObject = { ...live };
  for (const key of Object.keys(lastApplied)) {
    if (!(key in next)) delete result[key];
    else result[key] = removeDropped(result[key], lastApplied[key], next[key]);
  }
  return result;
}

/** Every field of the new manifest is set on the live body (maps merged, lists replaced). */
function overlay(live: unknown, next: unknown): unknown {
  if (!isObject(live) || !isObject(next)) return structuredClone(next);
  const result: JsonObject = { ...live };
  for (const [key, value] of Object.entries(next)) result[key] = overlay(result[key], value);
  return result;
}

/**
 * The live body after applying `object` over a drifted object, as `kubectl apply`'s three-way merge does: fields
 * the manifests dropped since the last apply are removed, every field of the manifest is set, fields others added
 * stay. Undefined when nothing had drifted (or nothing foreign is left).
 */
export function reapplyOverDrift(
  previous: LiveObject | undefined,
  object: KubeObject,
): KubeObject | undefined {
  if (!previous?.drifted) return undefined;
  const merged = overlay(removeDropped(previous.drifted, previous.desired, object), object) as KubeObject;
  return deepEqual(merged, object) ? undefined : merged;
}

/**
 * Records a new live body for an object someone changed (the status and server fields already stripped). A changed
 * pod template starts a new rollout, as the Deployment controller would; a body equal to the applied manifest
 * clears the drift.
 */
export function recordOutOfBandChange(live: LiveObject, object: KubeObject, nowMs: number): void {
  const before = currentBody(live);
  const templateOf = (body: KubeObject) => (body.spec as { template?: unknown } | undefined)?.template;
  const templateChanged = !deepEqual(templateOf(before), templateOf(object));
  live.drifted = deepEqual(object, live.desired) ? undefined : object;
  if (templateChanged) live.appliedAtMs = nowMs;
}
