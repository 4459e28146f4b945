import { type ClusterRegistry, clusterResponse, type EmulatedCluster } from './clusters.js';
import { GrpcCode, rpcError } from './grpc-status.js';
import type { Route, RouteContext } from './routing.js';

function applicationsCount(context: RouteContext, cluster: EmulatedCluster): number {
  return context.state.store
    .listApplications()
    .filter(
      (app) =>
        app.spec.destination?.server?.replace(/\/+$/, '') === cluster.server ||
        (app.spec.destination?.name !== undefined && app.spec.destination.name === cluster.name),
    ).length;
}

/** server/cluster/cluster.go: `id.type` is `name`, `name_escaped` (URL-escaped name) or, by default, the server. */
function idQuery(type: string | null, value: string): { server: string; name: string } {
  if (type === 'name') return { server: '', name: value };
  if (type === 'name_escaped') return { server: '', name: decodeURIComponent(value) };
  return { server: value, name: '' };
}

/** filterClustersByName / filterClustersByServer: empty filter keeps all, otherwise the first match only. */
function firstMatch(clusters: EmulatedCluster[], field: 'name' | 'server', value: string): EmulatedCluster[] {
  if (!value) return clusters;
  const found = clusters.find((cluster) => cluster[field] === value);
  return found ? [found] : [];
}

function findCluster(registry: ClusterRegistry, server: string, name: string): EmulatedCluster | undefined {
  if (server) return registry.byServer(server);
  if (name) return registry.byName(name)[0];
  return undefined;
}

/** `ClusterService` List and Get (read-only: clusters are seeded with `ArgoCDEmulator.seedCluster`). */
export const clusterRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/api/v1/clusters',
    auth: 'required',
    handler: (context) => {
      const { query } = context;
      let clusters = context.state.clusters.list();
      const idValue = query.get('id.value');
      if (idValue !== null) {
        const id = idQuery(query.get('id.type'), idValue);
        clusters = id.name
          ? firstMatch(clusters, 'name', id.name)
          : firstMatch(clusters, 'server', id.server);
      }
      clusters = firstMatch(clusters, 'name', query.get('name') ?? '');
      clusters = firstMatch(clusters, 'server', query.get('server') ?? '');
      const now = context.state.clock();
      return {
        metadata: {},
        items: clusters.map((cluster) => clusterResponse(cluster, applicationsCount(context, cluster), now)),
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v1/clusters/:id',
    auth: 'required',
    handler: (context) => {
      const { query } = context;
      const id = idQuery(query.get('id.type'), context.params.id ?? '');
      const cluster = findCluster(context.state.clusters, id.server, id.name);
      // getClusterWith403IfNotExist: a missing cluster is indistinguishable from a forbidden one.
      if (!cluster) {
        throw rpcError(
          GrpcCode.PermissionDenied,
          'error verifying access to update cluster: failed to get cluster with permissions check: rpc error: code = PermissionDenied desc = permission denied',
        );
      }
      return clusterResponse(cluster, applicationsCount(context, cluster), context.state.clock());
    },
  },
];
