// The seed's world on the testkit: a git server with the app and deploy repositories, and an Argo CD emulator
// with the AppProject `demo` and the Application `devops-demo` tracking `helm/` on `main`.
import { randomBytes } from 'node:crypto';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { registerSecret } from '@gitops-kit/core';
import { ArgoCDEmulator, type ArgoCDEmulatorOptions, GitServer } from '@gitops-kit/testkit';

export const APP = 'devops-demo';
export const PROJECT = 'demo';
export const NAMESPACE = 'demo';
export const CLUSTER = 'https://kubernetes.default.svc';
export const VALUES_FILE = 'helm/my-values.yaml';
export const IMAGE_REPOSITORY = 'registry.example.com/team/devops-demo';

/** The chart's values as the seed keeps them: the pipeline rewrites `image.tag` and nothing else. */
export function seedValues(options: { ingress: boolean }): string {
  return `# Values for the devops-demo chart (the pipeline writes image.tag)
replicaCount: 2

image:
  repository: ${IMAGE_REPOSITORY}
  tag: "0.1.0"   # set by CI
  pullPolicy: IfNotPresent

service:
  type: ClusterIP
  port: 8080

ingress:
  enabled: ${options.ingress}
  host: devops-demo.example.com
`;
}

const CHART = `apiVersion: v2
name: devops-demo
description: The demo web service
type: application
version: 0.1.0
appVersion: "0.1.0"
`;

/** A running seed world; `stop()` shuts every server down. */
export interface SeedWorld {
  git: GitServer;
  argocd: ArgoCDEmulator;
  client: ArgoCDClient;
  appRepoUrl: string;
  deployRepoUrl: string;
  gitUsername: string;
  gitPassword: string;
  argocdPassword: string;
  stop(): Promise<void>;
}

/** A random password, registered for redaction so no log line or error can show it. */
function password(prefix: string): string {
  const value = `${prefix}-${randomBytes(12).toString('hex')}`;
  registerSecret(value);
  return value;
}

/**
 * Starts the git server and the Argo CD emulator and seeds them like the seed's cluster.
 *
 * @example
 * ```ts
 * const world = await startSeedWorld({ ingress: true });
 * await world.stop();
 * ```
 */
export async function startSeedWorld(
  options: { ingress?: boolean; autoSync?: boolean; emulator?: Partial<ArgoCDEmulatorOptions> } = {},
): Promise<SeedWorld> {
  const gitUsername = 'deployer';
  const gitPassword = password('git');
  const argocdPassword = password('argocd');
  const git = await GitServer.start({ auth: { username: gitUsername, password: gitPassword } });
  try {
    const app = await git.createRepo('devops-demo', {
      'package.json': '{ "name": "devops-demo", "scripts": { "test": "node --test", "build": "tsc" } }\n',
      'src/server.js': "require('node:http').createServer((_, res) => res.end('hello')).listen(8080);\n",
      Dockerfile: 'FROM node:20-slim\nCOPY . /app\nCMD ["node", "/app/src/server.js"]\n',
    });
    const deploy = await git.createRepo('devops-deploy', {
      'helm/Chart.yaml': CHART,
      'helm/my-values.yaml': seedValues({ ingress: options.ingress ?? true }),
      'README.md': '# devops-deploy\n\nWhat runs in the demo namespace. CI writes image tags here.\n',
    });
    const argocd = await ArgoCDEmulator.start({
      adminPassword: argocdPassword,
      syncDurationMs: 30,
      reconciliationIntervalMs: 200,
      revisionCacheMs: 100,
      ...(options.emulator ?? {}),
    });
    argocd.seedRepository({ repo: deploy.url, type: 'git', username: gitUsername, password: gitPassword });
    argocd.seedProject({
      metadata: { name: PROJECT },
      spec: {
        description: 'The demo team: its deploy repo, its namespace, a CI role that may only sync',
        sourceRepos: [deploy.url],
        destinations: [{ server: CLUSTER, namespace: NAMESPACE }],
        clusterResourceWhitelist: [],
        namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
        roles: [
          {
            name: 'ci',
            description: 'Used by the Tekton promote step',
            policies: [
              `p, proj:${PROJECT}:ci, applications, get, ${PROJECT}/*, allow`,
              `p, proj:${PROJECT}:ci, applications, sync, ${PROJECT}/*, allow`,
            ],
          },
        ],
      },
    });
    argocd.seedApplication({
      metadata: { name: APP, labels: { team: 'demo' } },
      spec: {
        project: PROJECT,
        source: {
          repoURL: deploy.url,
          path: 'helm',
          targetRevision: 'main',
          helm: { valueFiles: ['my-values.yaml'] },
        },
        destination: { server: CLUSTER, namespace: NAMESPACE },
        ...(options.autoSync ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
      },
    });
    const client = new ArgoCDClient({
      server: argocd.url,
      auth: { username: 'admin', password: argocdPassword },
      retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200 },
    });
    return {
      git,
      argocd,
      client,
      appRepoUrl: app.url,
      deployRepoUrl: deploy.url,
      gitUsername,
      gitPassword,
      argocdPassword,
      async stop() {
        await client.close();
        await argocd.stop();
        await git.stop();
      },
    };
  } catch (error) {
    await git.stop();
    throw error;
  }
}

/** The `image.tag` currently in the deploy repo's values file on `main`. */
export async function tagInGit(world: SeedWorld): Promise<string | undefined> {
  const text = await world.git.readFile('devops-deploy', 'main', VALUES_FILE);
  return /^\s+tag:\s*"?([^"\s]+)"?/m.exec(text)?.[1];
}

/** The image the emulator's live Deployment runs. */
export function liveImage(world: SeedWorld): string | undefined {
  const deployment = world.argocd.liveObjects(APP).find((object) => object.kind === 'Deployment');
  const containers = (
    deployment?.['spec'] as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined
  )?.template?.spec?.containers;
  return containers?.[0]?.image;
}
