import { applyMergePatch } from './json-patch.js';
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

/** Whether every field `target` sets has that value in `body` (extra fields in `body` are ignored). */
export function satisfies(target: unknown, body: unknown): boolean {
  if (isObject(target)) {
    if (!isObject(body)) return false;
    return Object.entries(target).every(([key, value]) => satisfies(value, body[key]));
  }
  return JSON.stringify(target) === JSON.stringify(body);
}

/** Whether the live object matches the target the way Argo CD's three-way diff would judge it. */
export function isInSync(target: KubeObject, live: LiveObject): boolean {
  if (JSON.stringify(target) !== JSON.stringify(live.desired)) return false;
  return live.drifted === undefined || satisfies(target, live.drifted);
}

/** RFC 7386 merge patch that turns `from` into `to` (what `kubectl apply` computes from last-applied → new). */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObject(from) || !isObject(to)) return to;
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    if (JSON.stringify(before) === JSON.stringify(value)) continue;
    patch[key] = isObject(before) && isObject(value) ? createMergePatch(before, value) : value;
  }
  return patch;
}

/**
 * The live body after applying `object` over a drifted object: the change between the last applied manifest and
 * the new one lands on the live body, fields others added stay. Undefined when nothing had drifted.
 */
export function reapplyOverDrift(
  previous: LiveObject | undefined,
  object: KubeObject,
): KubeObject | undefined {
  if (!previous?.drifted) return undefined;
  const merged = applyMergePatch(previous.drifted, createMergePatch(previous.desired, object)) as KubeObject;
  return JSON.stringify(merged) === JSON.stringify(object) ? undefined : merged;
}
