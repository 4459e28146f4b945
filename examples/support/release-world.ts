// The release demo's world on the testkit: one deploy repository with a values file per stage, an Argo CD app per
// stage (app-dev, app-staging, app-prod), and a GitLab emulator whose project `team/deploy` needs one approval.
import { randomBytes } from 'node:crypto';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { registerSecret } from '@gitops-kit/core';
import { GitLabClient } from '@gitops-kit/forge-client';
import { ArgoCDEmulator, GitLabEmulator, GitServer } from '@gitops-kit/testkit';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export const GITLAB_PROJECT = 'team/deploy';
const CLUSTER = 'https://kubernetes.default.svc';

/** A running release world; `stop()` shuts every server down. */
export interface ReleaseWorld {
  git: GitServer;
  argocd: ArgoCDEmulator;
  gitlab: GitLabEmulator;
  client: ArgoCDClient;
  forge: GitLabClient;
  deployRepoUrl: string;
  gitUsername: string;
  gitPassword: string;
  /** `image.tag` of a stage's values file on `main`. */
  tagOf(stage: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

function values(tag: string): string {
  return `image:\n  repository: registry.example.com/team/devops-demo\n  tag: "${tag}"   # set by the release\nreplicaCount: 2\n`;
}

/**
 * Starts the servers, seeds them, and deploys `initialTag` on every stage (synced and Healthy).
 *
 * @example
 * ```ts
 * const world = await startReleaseWorld('1.0.0');
 * await world.stop();
 * ```
 */
export async function startReleaseWorld(initialTag: string): Promise<ReleaseWorld> {
  const gitUsername = 'deployer';
  const gitPassword = `git-${randomBytes(12).toString('hex')}`;
  const argocdPassword = `argocd-${randomBytes(12).toString('hex')}`;
  registerSecret(gitPassword, argocdPassword);
  const git = await GitServer.start({ auth: { username: gitUsername, password: gitPassword } });
  const stopping: Array<() => Promise<void>> = [() => git.stop()];
  const stopAll = async () => {
    for (const stop of stopping.reverse()) await stop();
  };
  try {
    const files: Record<string, string> = {};
    for (const stage of STAGES) {
      files[`apps/app-${stage}/Chart.yaml`] = `apiVersion: v2\nname: app-${stage}\nversion: 0.1.0\n`;
      files[`apps/app-${stage}/my-values.yaml`] = values(initialTag);
    }
    const repo = await git.createRepo('deploy', files);
    const argocd = await ArgoCDEmulator.start({
      adminPassword: argocdPassword,
      syncDurationMs: 30,
      reconciliationIntervalMs: 200,
      revisionCacheMs: 100,
    });
    stopping.push(() => argocd.stop());
    argocd.seedRepository({ repo: repo.url, type: 'git', username: gitUsername, password: gitPassword });
    argocd.seedProject({
      metadata: { name: 'demo' },
      spec: { sourceRepos: [repo.url], destinations: [{ server: CLUSTER, namespace: '*' }] },
    });
    for (const stage of STAGES) {
      argocd.seedApplication({
        metadata: { name: `app-${stage}` },
        spec: {
          project: 'demo',
          source: {
            repoURL: repo.url,
            path: `apps/app-${stage}`,
            targetRevision: 'main',
            helm: { valueFiles: ['my-values.yaml'] },
          },
          destination: { server: CLUSTER, namespace: stage },
        },
      });
    }
    const gitlab = await GitLabEmulator.start({ git });
    stopping.push(() => gitlab.stop());
    gitlab.addProject(GITLAB_PROJECT, 'deploy', { approvalsRequired: 1 });
    const client = new ArgoCDClient({
      server: argocd.url,
      auth: { username: 'admin', password: argocdPassword },
    });
    stopping.push(() => client.close());
    const forge = new GitLabClient({ url: gitlab.url, token: gitlab.token });
    stopping.push(() => forge.close());
    // What ran before this release: every stage synced at the initial tag.
    for (const stage of STAGES) {
      await client.applications.sync(`app-${stage}`, { project: 'demo' });
      await client.applications.wait(`app-${stage}`, { project: 'demo', timeoutMs: 60_000 });
    }
    return {
      git,
      argocd,
      gitlab,
      client,
      forge,
      deployRepoUrl: repo.url,
      gitUsername,
      gitPassword,
      async tagOf(stage) {
        const text = await git.readFile('deploy', 'main', `apps/app-${stage}/my-values.yaml`);
        return /tag: "?([^"\s]+)"?/.exec(text)?.[1];
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
