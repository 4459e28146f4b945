import type { Application } from '../schemas/application-schema.js';
import type { ApplicationTree, ResourceNode } from '../schemas/resource-tree-schema.js';

/** One resource that keeps the application from being Healthy. */
export interface UnhealthyResource {
  group: string;
  kind: string;
  namespace: string | undefined;
  name: string;
  health: string;
  message: string | undefined;
}

/** A known reason for a resource to stay unhealthy, with the setting that would change it. */
export interface KnownHealthCause {
  resource: UnhealthyResource;
  /** A stable identifier: `ingress-without-load-balancer-address` or `load-balancer-service-without-ingress`. */
  cause: 'ingress-without-load-balancer-address' | 'load-balancer-service-without-ingress';
  /** What is going on, in a sentence. */
  explanation: string;
  /** The `argocd-cm` key whose Lua health script would customise the check. */
  argocdCmKey: string;
}

/** What {@link explainHealth} found. */
export interface HealthExplanation {
  /** The application's own health status. */
  applicationHealth: string;
  /** Resources that are not Healthy (worst first), from the app's resources and the tree's children. */
  holdingBack: UnhealthyResource[];
  /** The known causes among them. */
  knownCauses: KnownHealthCause[];
}

// Worst first, matching gitops-engine's aggregation order read backwards.
const SEVERITY: Record<string, number> = {
  Degraded: 0,
  Unknown: 1,
  Missing: 2,
  Progressing: 3,
  Suspended: 4,
};

/** The argocd-cm split key for a health customisation (`resource.customizations.health.<group>_<kind>`). */
export function healthCustomizationKey(group: string, kind: string): string {
  return group ? `resource.customizations.health.${group}_${kind}` : `resource.customizations.health.${kind}`;
}

function key(resource: {
  group?: string | undefined;
  kind?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
}): string {
  return `${resource.group ?? ''}/${resource.kind ?? ''}/${resource.namespace ?? ''}/${resource.name ?? ''}`;
}

function hasLoadBalancerAddress(node: ResourceNode | undefined): boolean {
  return (node?.networkingInfo?.ingress ?? []).length > 0;
}

/**
 * Says which resources hold an application back from Healthy and recognises the classic stuck cases: an Ingress
 * whose controller never publishes a load-balancer address, and a `LoadBalancer` Service with no ingress (both
 * stay Progressing forever in Argo CD's built-in checks — argoproj/argo-cd#14607, #17702), naming the
 * `argocd-cm` key that would customise the check.
 *
 * @example
 * ```ts
 * const app = await client.applications.get('demo');
 * const tree = await client.applications.resourceTree('demo');
 * for (const cause of explainHealth(app, tree).knownCauses) console.log(cause.explanation, cause.argocdCmKey);
 * ```
 */
export function explainHealth(app: Application, tree?: ApplicationTree): HealthExplanation {
  const nodes = new Map<string, ResourceNode>();
  for (const node of tree?.nodes ?? []) nodes.set(key(node), node);

  const seen = new Map<string, UnhealthyResource>();
  const add = (resource: {
    group?: string | undefined;
    kind?: string | undefined;
    namespace?: string | undefined;
    name?: string | undefined;
    health?: { status?: string | undefined; message?: string | undefined } | null | undefined;
  }): void => {
    const status = resource.health?.status;
    if (!status || status === 'Healthy' || seen.has(key(resource))) return;
    seen.set(key(resource), {
      group: resource.group ?? '',
      kind: resource.kind ?? '',
      namespace: resource.namespace || undefined,
      name: resource.name ?? '',
      health: status,
      message: resource.health?.message || undefined,
    });
  };
  for (const resource of app.status?.resources ?? []) {
    const node = nodes.get(key(resource));
    add({ ...resource, health: node?.health ?? resource.health });
  }
  for (const node of nodes.values()) add(node);

  const holdingBack = [...seen.values()].sort(
    (a, b) => (SEVERITY[a.health] ?? 5) - (SEVERITY[b.health] ?? 5) || a.kind.localeCompare(b.kind),
  );

  const knownCauses: KnownHealthCause[] = [];
  for (const resource of holdingBack) {
    if (resource.health !== 'Progressing') continue;
    const node = nodes.get(key(resource));
    if (resource.kind === 'Ingress' && !hasLoadBalancerAddress(node)) {
      knownCauses.push({
        resource,
        cause: 'ingress-without-load-balancer-address',
        explanation: `Ingress ${resource.name} has no load-balancer address in status.loadBalancer.ingress, so Argo CD's built-in check keeps it Progressing. Make the ingress controller publish its address (e.g. ingress-nginx --publish-service) or override the check.`,
        argocdCmKey: healthCustomizationKey(resource.group || 'networking.k8s.io', 'Ingress'),
      });
    } else if (resource.kind === 'Service' && resource.group === '' && !hasLoadBalancerAddress(node)) {
      knownCauses.push({
        resource,
        cause: 'load-balancer-service-without-ingress',
        explanation: `Service ${resource.name} is of type LoadBalancer and has no status.loadBalancer.ingress yet, so it stays Progressing until a load balancer is provisioned (none exists on kind/minikube without MetalLB). Use another Service type or override the check.`,
        argocdCmKey: healthCustomizationKey('', 'Service'),
      });
    }
  }
  return { applicationHealth: app.status?.health?.status ?? 'Unknown', holdingBack, knownCauses };
}
