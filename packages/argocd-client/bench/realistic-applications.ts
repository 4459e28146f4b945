/**
 * Builds realistic Argo CD Application objects (shape of a 3.x API response: Helm source, automated sync policy,
 * ~12 managed resources with health, an operation state, 10 history entries, conditions) for benchmarks.
 */
export function realisticApplication(index: number): Record<string, unknown> {
  const name = `service-${String(index).padStart(5, '0')}`;
  const sha = (seed: number): string =>
    ((index * 2654435761 + seed) >>> 0).toString(16).padStart(8, '0').repeat(5);
  const kinds: Array<[string, string]> = [
    ['', 'Service'],
    ['apps', 'Deployment'],
    ['', 'ConfigMap'],
    ['', 'Secret'],
    ['networking.k8s.io', 'Ingress'],
    ['', 'ServiceAccount'],
    ['rbac.authorization.k8s.io', 'Role'],
    ['rbac.authorization.k8s.io', 'RoleBinding'],
    ['autoscaling', 'HorizontalPodAutoscaler'],
    ['policy', 'PodDisruptionBudget'],
    ['batch', 'CronJob'],
    ['monitoring.coreos.com', 'ServiceMonitor'],
  ];
  const time = (minutes: number): string =>
    new Date(Date.UTC(2026, 0, 1, 0, minutes)).toISOString().replace('.000', '');
  return {
    metadata: {
      name,
      namespace: 'argocd',
      uid: `${sha(1).slice(0, 8)}-1234-4abc-9def-${sha(2).slice(0, 12)}`,
      resourceVersion: String(100000 + index),
      generation: 42,
      creationTimestamp: time(1),
      labels: {
        team: `team-${index % 17}`,
        tier: index % 3 === 0 ? 'frontend' : 'backend',
        env: 'production',
      },
      annotations: { 'notifications.argoproj.io/subscribe.on-sync-failed.slack': 'deployments' },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
      managedFields: [
        { manager: 'argocd-server', operation: 'Update', apiVersion: 'argoproj.io/v1alpha1', time: time(2) },
      ],
    },
    spec: {
      project: `project-${index % 9}`,
      source: {
        repoURL: 'https://git.example.com/platform/deployments.git',
        path: `charts/${name}`,
        targetRevision: 'main',
        helm: {
          valueFiles: ['values.yaml', 'values-production.yaml'],
          parameters: [
            { name: 'image.tag', value: sha(3).slice(0, 12) },
            { name: 'replicaCount', value: '3' },
          ],
        },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
        retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
      },
      revisionHistoryLimit: 10,
    },
    status: {
      sync: {
        status: 'Synced',
        revision: sha(4),
        comparedTo: {
          source: {
            repoURL: 'https://git.example.com/platform/deployments.git',
            path: `charts/${name}`,
            targetRevision: 'main',
          },
          destination: { server: 'https://kubernetes.default.svc', namespace: name },
        },
      },
      health: { status: 'Healthy', lastTransitionTime: time(30) },
      reconciledAt: time(40),
      observedAt: time(40),
      sourceType: 'Helm',
      resourceHealthSource: 'appTree',
      controllerNamespace: 'argocd',
      summary: {
        images: [`registry.example.com/${name}:${sha(3).slice(0, 12)}`],
        externalURLs: [`https://${name}.example.com`],
      },
      resources: kinds.map(([group, kind]) => ({
        group,
        version: 'v1',
        kind,
        namespace: name,
        name: `${name}-${kind.toLowerCase()}`,
        status: 'Synced',
        health: kind === 'ConfigMap' || kind === 'Secret' ? undefined : { status: 'Healthy' },
      })),
      operationState: {
        operation: {
          sync: { revision: sha(4), prune: true, syncOptions: ['CreateNamespace=true'] },
          initiatedBy: { automated: true },
          retry: { limit: 5 },
        },
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: time(20),
        finishedAt: time(21),
        syncResult: {
          revision: sha(4),
          source: {
            repoURL: 'https://git.example.com/platform/deployments.git',
            path: `charts/${name}`,
            targetRevision: 'main',
          },
          resources: kinds.slice(0, 6).map(([group, kind]) => ({
            group,
            version: 'v1',
            kind,
            namespace: name,
            name: `${name}-${kind.toLowerCase()}`,
            status: 'Synced',
            message: `${kind.toLowerCase()}/${name} configured`,
            hookPhase: 'Running',
            syncPhase: 'Sync',
          })),
        },
      },
      history: Array.from({ length: 10 }, (_, id) => ({
        id: id + 1,
        revision: sha(10 + id),
        deployedAt: time(100 + id),
        deployStartedAt: time(99 + id),
        source: {
          repoURL: 'https://git.example.com/platform/deployments.git',
          path: `charts/${name}`,
          targetRevision: 'main',
        },
        initiatedBy: { automated: true },
      })),
    },
  };
}

/** The body of `GET /api/v1/applications` with `count` applications. */
export function realisticApplicationListBody(count: number): string {
  return JSON.stringify({
    metadata: { resourceVersion: '123456' },
    items: Array.from({ length: count }, (_, i) => realisticApplication(i)),
  });
}
