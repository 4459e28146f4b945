import { configMapKey, groupVersionKind } from './object-fields.js';
import type { HealthResult, KubernetesObject } from './types.js';

/**
 * Formats a health the way `argocd admin settings resource-overrides health` prints it: `STATUS: …` and
 * `MESSAGE: …` lines, or `Health script is not configured for '<group/Kind>'` when nothing had an opinion.
 *
 * @example
 * ```ts
 * console.log(formatHealthResult(assessor.assess(obj), obj));
 * // STATUS: Healthy
 * // MESSAGE:
 * ```
 */
export function formatHealthResult(health: HealthResult | null, object?: KubernetesObject): string {
  if (health === null) {
    const key =
      object === undefined
        ? 'this resource'
        : `'${configMapKey(groupVersionKind(object).group, groupVersionKind(object).kind)}'`;
    return `Health script is not configured for ${key}`;
  }
  return `STATUS: ${health.status}\nMESSAGE: ${health.message}`;
}
