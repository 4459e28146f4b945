import type { JsonObject } from './model.js';
import { formatKubeTime } from './model.js';

/** The in-cluster address every Argo CD knows (`v1alpha1.KubernetesInternalAPIServerAddr`). */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** A destination cluster the emulator knows (what a cluster secret holds, minus credentials). */
export interface EmulatedCluster {
  server: string;
  /** Defaults to the server address when omitted (as for a cluster secret without `name`). */
  name?: string;
  namespaces?: string[];
  clusterResources?: boolean;
  project?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Reported as `info.serverVersion`. Default `1.32`. */
  serverVersion?: string;
}

/**
 * The clusters of the emulated Argo CD: `in-cluster` (https://kubernetes.default.svc) always, plus those a test
 * seeds. Lookups follow util/db/cluster.go: by exact server URL (a trailing slash trimmed by the caller), or by
 * name (first match).
 */
export class ClusterRegistry {
  private readonly clusters = new Map<string, EmulatedCluster>();

  constructor() {
    // util/db/cluster.go getLocalCluster: the local cluster is named "in-cluster".
    this.put({ server: IN_CLUSTER_SERVER, name: 'in-cluster' });
  }

  put(cluster: EmulatedCluster): EmulatedCluster {
    const stored = structuredClone({ ...cluster, name: cluster.name || cluster.server });
    this.clusters.set(stored.server, stored);
    return structuredClone(stored);
  }

  list(): EmulatedCluster[] {
    return [...this.clusters.values()].map((cluster) => structuredClone(cluster));
  }

  byServer(server: string): EmulatedCluster | undefined {
    const cluster = this.clusters.get(server);
    return cluster ? structuredClone(cluster) : undefined;
  }

  byName(name: string): EmulatedCluster[] {
    return this.list().filter((cluster) => cluster.name === name);
  }
}

/**
 * A cluster as `ClusterService` returns it (server/cluster/cluster.go toAPIResponse): sanitized config (no
 * credentials), `info` from the cluster cache with the deprecated top-level copies of `serverVersion` and
 * `connectionState`.
 */
export function clusterResponse(
  cluster: EmulatedCluster,
  applicationsCount: number,
  nowMs: number,
): JsonObject {
  const serverVersion = cluster.serverVersion ?? '1.32';
  const connectionState = { status: 'Successful', message: '', attemptedAt: formatKubeTime(nowMs) };
  return {
    server: cluster.server,
    name: cluster.name ?? cluster.server,
    config: { tlsClientConfig: { insecure: false } },
    ...(cluster.namespaces ? { namespaces: cluster.namespaces } : {}),
    ...(cluster.clusterResources !== undefined ? { clusterResources: cluster.clusterResources } : {}),
    ...(cluster.project ? { project: cluster.project } : {}),
    ...(cluster.labels ? { labels: cluster.labels } : {}),
    ...(cluster.annotations ? { annotations: cluster.annotations } : {}),
    connectionState,
    serverVersion,
    info: {
      connectionState,
      serverVersion,
      cacheInfo: {},
      applicationsCount,
    },
  };
}
