import { GitLabClient } from '@gitops-kit/forge-client';
import { type ArgoCDEmulatorOptions, GitLabEmulator, type GitServerOptions } from '@gitops-kit/testkit';
import type { PromoteReleaseOptions, ReleaseStageDefinition } from '../src/index.js';
import { type SeedEnvironment, startSeedEnvironment } from './environment.js';

/** dev and staging by push, prod through a GitLab merge request; one deploy repository, a file per stage. */
export interface ReleaseEnvironment extends SeedEnvironment {
  gitlab: GitLabEmulator;
  forge: GitLabClient;
  stages: ReleaseStageDefinition[];
  tagOf(stage: string): Promise<string | undefined>;
}

export const STAGE_NAMES = ['dev', 'staging', 'prod'] as const;

export async function startReleaseEnvironment(
  options: {
    prodApprovals?: number;
    prodAutoMerge?: boolean;
    soak?: string;
    /** More options of the git server (`allowPush: false`: a credential that may only read). */
    gitServer?: Partial<GitServerOptions>;
    /** More options of the Argo CD emulator (`reconciliationIntervalMs: 0`: it sees a commit only when refreshed). */
    emulator?: Partial<ArgoCDEmulatorOptions>;
  } = {},
): Promise<ReleaseEnvironment> {
  const seed = await startSeedEnvironment({
    apps: STAGE_NAMES.map((stage) => `app-${stage}`),
    ...(options.gitServer === undefined ? {} : { gitServer: options.gitServer }),
    ...(options.emulator === undefined ? {} : { emulator: options.emulator }),
  });
  const gitlab = await GitLabEmulator.start({ git: seed.git });
  gitlab.addProject('team/deploy', 'deploy', { approvalsRequired: options.prodApprovals ?? 1 });
  const forge = new GitLabClient({ url: gitlab.url, token: gitlab.token });
  const stages: ReleaseStageDefinition[] = STAGE_NAMES.map((stage) => ({
    name: stage,
    application: { name: `app-${stage}`, project: 'demo' },
    repository: { url: seed.repoUrl, branch: 'main' },
    changes: [{ file: `apps/app-${stage}/my-values.yaml`, paths: ['image.tag'] }],
    onFailure: 'git-revert',
    wait: { timeout: '20s' },
    ...(stage === 'prod'
      ? {
          strategy: {
            type: 'change-request' as const,
            forge: 'gitlab',
            project: 'team/deploy',
            autoMerge: options.prodAutoMerge ?? false,
            mergeTimeout: '60s',
          },
        }
      : {}),
    ...(stage === 'staging' && options.soak ? { gate: { soak: options.soak } } : {}),
  }));
  return {
    ...seed,
    gitlab,
    forge,
    stages,
    async tagOf(stage: string) {
      const text = await seed.git.readFile('deploy', 'main', `apps/app-${stage}/my-values.yaml`);
      return /tag: "?([^"\s]+)"?/.exec(text)?.[1];
    },
    async stop() {
      await forge.close();
      await gitlab.stop();
      await seed.stop();
    },
  };
}

/**
 * The options of a release through every stage of `current`: its Argo CD, its git password, its GitLab forge, a
 * short merge poll. A string is the image tag; `extra` is spread last.
 */
export function releaseOptions(
  current: ReleaseEnvironment,
  values: string | PromoteReleaseOptions['values'],
  extra: Partial<PromoteReleaseOptions> = {},
): PromoteReleaseOptions {
  return {
    values: typeof values === 'string' ? { 'image.tag': values } : values,
    stages: current.stages,
    argocd: current.client,
    gitAuth: { username: 'deployer', password: current.gitPassword },
    forges: { gitlab: current.forge },
    mergePollIntervalMs: 20,
    ...extra,
  };
}
