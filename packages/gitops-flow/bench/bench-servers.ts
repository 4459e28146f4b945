/**
 * The testkit servers the gitops-flow benchmarks run against, each in a child process of its own (as the real ones
 * run elsewhere), so what the benchmark process measures is the SDK: a GitServer with one deploy repository holding
 * a chart per app, and an Argo CD emulator with zero sync and rollout delays and an app per chart.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { ArgoCDEmulator, GitServer } from '@gitops-kit/testkit';

export const GIT_AUTH = { username: 'bench', password: 'bench-password' };
export const ARGOCD_PASSWORD = 'admin-password';

/** Messages between this process and the server process. */
type ServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'log'; commits: Array<{ commit: string; parents: string[] }> };

export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] as number;
}

/** The git server process: a deploy repo with one chart per app. */
async function serveGit(apps: string[]): Promise<void> {
  const git = await GitServer.start({ auth: GIT_AUTH });
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`apps/${app}/Chart.yaml`] = `apiVersion: v2\nname: ${app}\nversion: 0.1.0\n`;
    files[`apps/${app}/my-values.yaml`] = 'image:\n  repository: registry.example.com/app\n  tag: "0"\n';
  }
  const repo = await git.createRepo('deploy', files);
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'log') {
      const commits = (await git.log('deploy', 'main')).map(({ commit, parents }) => ({ commit, parents }));
      process.send?.({ type: 'log', commits } satisfies ServerMessage);
    } else if (message.type === 'stop') {
      await git.stop();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url: repo.url } satisfies ServerMessage);
}

/** The Argo CD process: an app per chart of the deploy repo at `repoUrl`. */
async function serveArgoCD(repoUrl: string, apps: string[]): Promise<void> {
  const argocd = await ArgoCDEmulator.start({
    adminPassword: ARGOCD_PASSWORD,
    syncDurationMs: 0,
    defaultRolloutMs: 0,
    reconcileAfterOperationMs: 0,
    reconciliationIntervalMs: 0,
  });
  argocd.seedRepository({ repo: repoUrl, ...GIT_AUTH, type: 'git' });
  argocd.seedProject({
    metadata: { name: 'bench' },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] },
  });
  for (const app of apps) {
    argocd.seedApplication({
      metadata: { name: app },
      spec: {
        project: 'bench',
        source: {
          repoURL: repoUrl,
          path: `apps/${app}`,
          targetRevision: 'main',
          helm: { valueFiles: ['my-values.yaml'] },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: app },
      },
    });
  }
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'stop') {
      await argocd.stop();
      process.exit(0);
    }
  });
  process.send?.({ type: 'ready', url: argocd.url } satisfies ServerMessage);
}

export interface Servers {
  repoUrl: string;
  client: ArgoCDClient;
  log(): Promise<Array<{ commit: string; parents: string[] }>>;
  stop(): Promise<void>;
}

function nextMessage<T extends ServerMessage['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: ServerMessage) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<ServerMessage, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`the server process exited (${code})`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<unknown> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ type: 'stop' });
  return exited;
}

/** One process for the git server, one for Argo CD (each forks git or renders on its own). */
export async function startServers(apps: string[]): Promise<Servers> {
  const self = new URL(import.meta.url).pathname;
  const git = fork(self, ['serve-git', ...apps], { stdio: 'inherit' });
  const repoUrl = (await nextMessage(git, 'ready')).url;
  const argocd = fork(self, ['serve-argocd', repoUrl, ...apps], { stdio: 'inherit' });
  const argocdUrl = (await nextMessage(argocd, 'ready')).url;
  return {
    repoUrl,
    client: new ArgoCDClient({ server: argocdUrl, auth: { username: 'admin', password: ARGOCD_PASSWORD } }),
    async log() {
      git.send({ type: 'log' });
      return (await nextMessage(git, 'log')).commits;
    },
    async stop() {
      await stopChild(argocd);
      await stopChild(git);
    },
  };
}

if (process.argv[2] === 'serve-git') {
  await serveGit(process.argv.slice(3));
} else if (process.argv[2] === 'serve-argocd') {
  await serveArgoCD(process.argv[3] as string, process.argv.slice(4));
}
