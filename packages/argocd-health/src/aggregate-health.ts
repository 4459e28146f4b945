import { isHook, isIgnoredHook, isSkippedHook } from './hooks.js';
import { annotations, groupVersionKind, stringField } from './object-fields.js';
import {
  HEALTH_STATUS_ORDER,
  type HealthResult,
  type HealthStatusCode,
  type KubernetesObject,
} from './types.js';

/** One managed resource of an application: its live object (absent when missing), target, and health. */
export interface ApplicationResource {
  /** The object in the cluster; null or absent when it does not exist. */
  live?: KubernetesObject | null;
  /** The desired object from git; used to skip `Skip` hooks and to name a missing resource. */
  target?: KubernetesObject | null;
  /** The resource's own health; when absent and `live` is set, `options.assess` computes it. */
  health?: HealthResult | null;
}

/** Options of {@link aggregateHealth}. */
export interface AggregateHealthOptions {
  /** Computes a live resource's health when `health` is not given, e.g. `assessor.assess.bind(assessor)`. */
  assess?: (object: KubernetesObject) => HealthResult | null;
}

/** An application's health with Argo CD's "Caused by …" message and each resource's health (null: skipped). */
export interface AggregatedHealth {
  status: HealthStatusCode;
  message: string;
  resources: (HealthResult | null)[];
}

const MAX_CAUSES_SHOWN = 3;
const IGNORE_HEALTH_CHECK_ANNOTATION = 'argocd.argoproj.io/ignore-healthcheck';

function rank(status: string): number {
  const index = (HEALTH_STATUS_ORDER as readonly string[]).indexOf(status);
  return Math.max(index, 0);
}

/** Whether `next` is a worse status than `current` in Argo CD's order (Healthy < Suspended < Progressing < Missing < Degraded < Unknown). */
export function isWorseHealth(current: string, next: string): boolean {
  return rank(next) > rank(current);
}

function describe(resource: ApplicationResource): string {
  const object = (resource.live ?? resource.target ?? {}) as KubernetesObject;
  const { group, kind } = groupVersionKind(object);
  const name = stringField(object, 'metadata', 'name');
  const namespace = stringField(object, 'metadata', 'namespace');
  return `${group === '' ? kind : `${group}/${kind}`}:${namespace === '' ? name : `${namespace}/${name}`}`;
}

/**
 * Combines resource healths into the application's health with Argo CD's rules (`controller/health.go`):
 * hooks, ignored hooks, `Skip` targets and `argocd.argoproj.io/ignore-healthcheck: "true"` are skipped; the worst
 * status wins; a child Application that is Missing or Unknown does not count; Missing only when no resource is
 * live. A resource whose health is null has no opinion.
 *
 * @example
 * ```ts
 * const app = aggregateHealth(resources.map((live) => ({ live })), { assess: (o) => assessor.assess(o) });
 * app.status; // 'Progressing'
 * app.message; // 'Caused by networking.k8s.io/Ingress:demo/web'
 * ```
 */
export function aggregateHealth(
  resources: readonly ApplicationResource[],
  options: AggregateHealthOptions = {},
): AggregatedHealth {
  let status: HealthStatusCode = 'Healthy';
  let causes: ApplicationResource[] = [];
  let containsResources = false;
  let containsLive = false;
  const perResource: (HealthResult | null)[] = [];
  for (const resource of resources) {
    const live = resource.live ?? null;
    const target = resource.target ?? null;
    perResource.push(null);
    if (target !== null && isSkippedHook(target)) continue;
    if (live !== null && (isHook(live) || isIgnoredHook(live))) continue;
    containsResources = true;
    if (live !== null) containsLive = true;
    if (live !== null && annotations(live)[IGNORE_HEALTH_CHECK_ANNOTATION] === 'true') continue;
    let health: HealthResult | null;
    if (live === null) health = { status: 'Missing', message: '' };
    else if (resource.health !== undefined) health = resource.health;
    else health = options.assess?.(live) ?? null;
    if (health === null) continue;
    perResource[perResource.length - 1] = health;
    if (live === null) continue;
    const { group, kind } = groupVersionKind(live);
    if (
      group === 'argoproj.io' &&
      kind === 'Application' &&
      (health.status === 'Missing' || health.status === 'Unknown')
    ) {
      continue;
    }
    if (isWorseHealth(status, health.status)) {
      status = health.status;
      causes = [resource];
    } else if (status === health.status && status !== 'Healthy') {
      causes.push(resource);
    }
  }
  if (containsResources && !containsLive && isWorseHealth(status, 'Missing')) {
    status = 'Missing';
    causes = [];
  }
  let message = '';
  if (causes.length > 0) {
    const shown = causes.slice(0, MAX_CAUSES_SHOWN).map(describe).join(', ');
    message = `Caused by ${shown}${causes.length > MAX_CAUSES_SHOWN ? ` and ${causes.length - MAX_CAUSES_SHOWN} more` : ''}`;
  }
  return { status, message, resources: perResource };
}
