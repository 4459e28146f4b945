import { createHash } from 'node:crypto';
import { imagesOf } from './manifest-renderer.js';
import type { HealthStatus, JsonObject, KubeObject } from './model.js';
import { formatKubeTime, splitApiVersion } from './model.js';

/** A live object with the health the controller assessed for it. */
export interface AssessedObject {
  object: KubeObject;
  health: HealthStatus | undefined;
  appliedAtMs: number;
}

function shortHash(text: string, length: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, length);
}

/** The group/version/kind/namespace/name/uid a resource is referred to by (tree nodes, parent refs, status). */
export function resourceReference(object: KubeObject): JsonObject {
  const { group, version } = splitApiVersion(object.apiVersion);
  return {
    group,
    version,
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    uid: object.metadata.uid ?? '',
  };
}

function node(
  object: KubeObject,
  health: HealthStatus | undefined,
  createdAtMs: number,
  extra: JsonObject = {},
): JsonObject {
  const result: JsonObject = {
    ...resourceReference(object),
    resourceVersion: shortHash(JSON.stringify(object), 6),
    createdAt: formatKubeTime(createdAtMs),
    ...extra,
  };
  if (health)
    result.health = { status: health.status, ...(health.message ? { message: health.message } : {}) };
  const images = imagesOf(object);
  if (images.length > 0) result.images = images;
  return result;
}

/**
 * Builds `v1alpha1ApplicationTree` nodes for the live objects: each managed object, plus the ReplicaSet and Pods
 * a Deployment owns (with the deployed image), and networking info for Services and Ingresses.
 */
export function buildResourceTree(assessed: readonly AssessedObject[]): {
  nodes: JsonObject[];
  /** The full live object behind each node, same order (for GET …/resource, actions, logs). */
  objects: KubeObject[];
} {
  const nodes: JsonObject[] = [];
  const objects: KubeObject[] = [];
  for (const { object, health, appliedAtMs } of assessed) {
    const networking = networkingInfo(object);
    nodes.push(node(object, health, appliedAtMs, networking ? { networkingInfo: networking } : {}));
    objects.push(object);
    if (object.kind !== 'Deployment') continue;
    const spec = (object.spec ?? {}) as JsonObject;
    const template = JSON.stringify(spec.template ?? {});
    const replicaSetName = `${object.metadata.name}-${shortHash(template, 10)}`;
    const namespace = object.metadata.namespace;
    const replicaSet: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: replicaSetName, namespace, uid: shortHash(`${object.metadata.uid}/${template}`, 32) },
      spec: { template: spec.template as JsonObject },
    };
    objects.push(replicaSet);
    nodes.push(
      node(
        replicaSet,
        health ? { status: health.status === 'Suspended' ? 'Healthy' : health.status } : undefined,
        appliedAtMs,
        {
          parentRefs: [resourceReference(object)],
          info: [{ name: 'Revision', value: 'Rev:1' }],
        },
      ),
    );
    const replicas = Math.max(0, Number(spec.replicas ?? 1));
    for (let index = 0; index < replicas; index += 1) {
      const podName = `${replicaSetName}-${shortHash(`${replicaSetName}/${index}`, 5)}`;
      const pod: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: podName, namespace, uid: shortHash(`${replicaSet.metadata.uid}/${index}`, 32) },
        spec: (spec.template as JsonObject | undefined)?.spec as JsonObject,
      };
      const podHealth = podHealthFor(health);
      objects.push(pod);
      nodes.push(
        node(pod, podHealth, appliedAtMs, {
          parentRefs: [resourceReference(replicaSet)],
          info: [
            {
              name: 'Status Reason',
              value:
                podHealth.status === 'Healthy'
                  ? 'Running'
                  : podHealth.status === 'Degraded'
                    ? 'ImagePullBackOff'
                    : 'ContainerCreating',
            },
            { name: 'Containers', value: `${podHealth.status === 'Healthy' ? 1 : 0}/1` },
          ],
        }),
      );
    }
  }
  return { nodes, objects };
}

function podHealthFor(deploymentHealth: HealthStatus | undefined): HealthStatus {
  switch (deploymentHealth?.status) {
    case 'Degraded':
      return { status: 'Degraded', message: 'Back-off pulling image' };
    case 'Progressing':
      return { status: 'Progressing', message: '' };
    default:
      return { status: 'Healthy', message: '' };
  }
}

function networkingInfo(object: KubeObject): JsonObject | undefined {
  const status = (object.status ?? {}) as JsonObject;
  const ingress = ((status.loadBalancer ?? {}) as JsonObject).ingress;
  if (object.kind === 'Service') {
    const spec = (object.spec ?? {}) as JsonObject;
    return { targetLabels: spec.selector ?? {}, ...(Array.isArray(ingress) ? { ingress } : {}) };
  }
  if (object.kind === 'Ingress') {
    const rules = (((object.spec ?? {}) as JsonObject).rules ?? []) as JsonObject[];
    return {
      ...(Array.isArray(ingress) ? { ingress } : {}),
      externalURLs: rules.map((rule) => `http://${String(rule.host)}/`),
    };
  }
  return undefined;
}
