import { randomBytes } from 'node:crypto';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { registerSecret } from '@gitops-kit/core';
import { ArgoCDEmulator, GitServer } from '@gitops-kit/testkit';

/** A fresh random secret: used as every password, it must never show up anywhere. */
export function canary(): string {
  const value = `canary-${randomBytes(12).toString('hex')}`;
  return value;
}

export const VALUES_FILE = `# Values for the devops-demo chart
replicaCount: 1

image:
  repository: registry.example.com/team/devops-demo
  # the pipeline writes the tag it built here
  tag: "1.0.0"   # keep quoted
  pullPolicy: IfNotPresent

service:
  type: ClusterIP
  port: 8080

ingress:
  enabled: false
`;

export const KUSTOMIZATION_FILE = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
images:
# the pipeline pins the tag it built here
- name: nginx
  newName: registry.example.com/team/web
  newTag: "1.0.0"
`;

/** The seed's world: a deploy repo on a real git server, Argo CD with project `demo` and app `devops-demo`. */
export interface SeedEnvironment {
  git: GitServer;
  argocd: ArgoCDEmulator;
  client: ArgoCDClient;
  repoUrl: string;
  gitPassword: string;
  argocdPassword: string;
  stop(): Promise<void>;
}

export async function startSeedEnvironment(
  options: {
    autoSync?: boolean;
    apps?: string[];
    values?: string;
    /** Also an app `web-kustomize` rendered from `kustomize/overlays/prod` (images set in its kustomization). */
    kustomizeApp?: boolean;
    /**
     * Also a multi-source app `web-multi`: the chart from a `charts` repository, its values from the deploy repo's
     * `helm/my-values.yaml` through a `ref: values` source.
     */
    multiSourceApp?: boolean;
    emulator?: Partial<import('@gitops-kit/testkit').ArgoCDEmulatorOptions>;
    /** More options of the git server (e.g. `allowPush: false`: pushes refused, fetches served). */
    gitServer?: Partial<import('@gitops-kit/testkit').GitServerOptions>;
  } = {},
): Promise<SeedEnvironment> {
  const gitPassword = canary();
  const argocdPassword = canary();
  const git = await GitServer.start({
    ...(options.gitServer ?? {}),
    auth: { username: 'deployer', password: gitPassword },
  });
  const apps = options.apps ?? ['devops-demo'];
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`${app === 'devops-demo' ? 'helm' : `apps/${app}`}/Chart.yaml`] =
      `apiVersion: v2\nname: ${app}\nversion: 0.1.0\n`;
    files[`${app === 'devops-demo' ? 'helm' : `apps/${app}`}/my-values.yaml`] = options.values ?? VALUES_FILE;
  }
  if (options.kustomizeApp) {
    files['kustomize/base/kustomization.yaml'] = 'resources:\n- deployment.yaml\n';
    files['kustomize/base/deployment.yaml'] =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n';
    files['kustomize/overlays/prod/kustomization.yaml'] = KUSTOMIZATION_FILE;
  }
  const repo = await git.createRepo('deploy', files);
  const argocd = await ArgoCDEmulator.start({
    adminPassword: argocdPassword,
    syncDurationMs: 20,
    reconciliationIntervalMs: 200,
    revisionCacheMs: 100,
    ...(options.emulator ?? {}),
  });
  argocd.seedRepository({ repo: repo.url, username: 'deployer', password: gitPassword, type: 'git' });
  argocd.seedProject({
    metadata: { name: 'demo' },
    spec: {
      sourceRepos: [repo.url, git.repoUrl('charts')],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'demo' }],
    },
  });
  for (const app of apps) {
    argocd.seedApplication({
      metadata: { name: app },
      spec: {
        project: 'demo',
        source: {
          repoURL: repo.url,
          path: app === 'devops-demo' ? 'helm' : `apps/${app}`,
          targetRevision: 'main',
          helm: { valueFiles: ['my-values.yaml'] },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
        ...(options.autoSync ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
      },
    });
  }
  if (options.multiSourceApp) {
    const charts = await git.createRepo('charts', {
      'web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'web/values.yaml': 'image:\n  repository: registry.example.com/team/web\n  tag: latest\n',
    });
    argocd.seedRepository({ repo: charts.url, username: 'deployer', password: gitPassword, type: 'git' });
    argocd.seedApplication({
      metadata: { name: 'web-multi' },
      spec: {
        project: 'demo',
        sources: [
          {
            repoURL: charts.url,
            path: 'web',
            targetRevision: 'main',
            helm: { valueFiles: ['$values/helm/my-values.yaml'] },
          },
          { repoURL: repo.url, targetRevision: 'main', ref: 'values' },
        ],
        destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
      },
    });
  }
  if (options.kustomizeApp) {
    argocd.seedApplication({
      metadata: { name: 'web-kustomize' },
      spec: {
        project: 'demo',
        source: { repoURL: repo.url, path: 'kustomize/overlays/prod', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
      },
    });
  }
  registerSecret(gitPassword, argocdPassword);
  const client = new ArgoCDClient({
    server: argocd.url,
    auth: { username: 'admin', password: argocdPassword },
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100 },
  });
  return {
    git,
    argocd,
    client,
    repoUrl: repo.url,
    gitPassword,
    argocdPassword,
    async stop() {
      await argocd.stop();
      await git.stop();
    },
  };
}
