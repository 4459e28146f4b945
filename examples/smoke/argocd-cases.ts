// Smoke tests of the git and Argo CD examples on the testkit's git server and Argo CD emulator.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerSecret } from '@gitops-kit/core';
import { promote } from '@gitops-kit/gitops-flow';
import { GitServer } from '@gitops-kit/testkit';
import {
  APP,
  IMAGE_REPOSITORY,
  liveImage,
  PROJECT,
  type SeedWorld,
  startSeedWorld,
  tagInGit,
  VALUES_FILE,
} from '../support/seed-world.js';
import { expectThat, type SmokeCase } from './harness.js';

/** The environment a CI job would have for the seed world. */
function seedEnvironment(world: SeedWorld): Record<string, string> {
  return {
    ARGOCD_SERVER: world.argocd.url,
    ARGOCD_USERNAME: 'admin',
    ARGOCD_PASSWORD: world.argocdPassword,
    DEPLOY_REPO_URL: world.deployRepoUrl,
    GIT_USERNAME: world.gitUsername,
    GIT_TOKEN: world.gitPassword,
    APP,
    PROJECT,
  };
}

/** Deploys a tag with the library (what an earlier CI run did), so the example starts from a real history. */
async function deploy(world: SeedWorld, tag: string): Promise<void> {
  const report = await promote({
    repository: {
      url: world.deployRepoUrl,
      branch: 'main',
      auth: { username: world.gitUsername, password: world.gitPassword },
    },
    changes: [{ file: VALUES_FILE, set: { 'image.tag': tag } }],
    application: { name: APP, project: PROJECT },
    argocd: world.client,
    wait: { timeoutMs: 60_000 },
  });
  if (report.outcome !== 'succeeded') throw new Error(`set-up: deploying ${tag} ${report.outcome}`);
}

async function health(world: SeedWorld): Promise<string | undefined> {
  return (await world.client.applications.get(APP, { project: PROJECT })).status?.health?.status;
}

export const promoteCase: SmokeCase = {
  name: 'promote',
  async setup() {
    const world = await startSeedWorld({ ingress: false });
    return {
      env: { ...seedEnvironment(world), TAG: 'v2.0.0', TIMEOUT: '60s' },
      async verify(run) {
        expectThat(run.code === 0, 'promote.ts exits 0', run.stderr);
        expectThat((await tagInGit(world)) === 'v2.0.0', `git has image.tag v2.0.0 in ${VALUES_FILE}`);
        expectThat(liveImage(world) === `${IMAGE_REPOSITORY}:v2.0.0`, 'the Deployment runs v2.0.0');
        expectThat((await health(world)) === 'Healthy', `${APP} is Healthy`);
        expectThat(
          !`${run.stdout}${run.stderr}`.includes(world.gitPassword),
          'the git token is never printed',
        );
      },
      stop: () => world.stop(),
    };
  },
};

export const rollbackCase: SmokeCase = {
  name: 'rollback',
  async setup() {
    const world = await startSeedWorld({ ingress: false });
    await deploy(world, 'v1.0.0');
    // Pods of the bad image crash: Progressing for a moment, then Degraded.
    world.argocd.scriptHealth({ kind: 'Deployment', image: ':v1.1.0-bad' }, [
      { status: 'Progressing', forMs: 300 },
      { status: 'Degraded', message: 'Deployment "devops-demo" exceeded its progress deadline' },
    ]);
    return {
      env: { ...seedEnvironment(world), TAG: 'v1.1.0-bad', TIMEOUT: '30s' },
      async verify(run) {
        expectThat(run.code === 1, 'rollback.ts exits 1 (the release failed)', run.code);
        expectThat(run.stderr.includes('rolled back'), 'it says the release was rolled back', run.stderr);
        expectThat((await tagInGit(world)) === 'v1.0.0', 'git has v1.0.0 again (a revert commit)');
        expectThat(liveImage(world) === `${IMAGE_REPOSITORY}:v1.0.0`, 'the Deployment runs v1.0.0 again');
        expectThat((await health(world)) === 'Healthy', `${APP} is Healthy`);
      },
      stop: () => world.stop(),
    };
  },
};

export const rollbackLastDeploymentCase: SmokeCase = {
  name: 'rollback-last-deployment',
  async setup() {
    const world = await startSeedWorld({ ingress: false });
    await deploy(world, 'v1.0.0');
    await deploy(world, 'v1.1.0');
    const { ARGOCD_SERVER, ARGOCD_USERNAME, ARGOCD_PASSWORD } = seedEnvironment(world);
    return {
      env: { ARGOCD_SERVER, ARGOCD_USERNAME, ARGOCD_PASSWORD, APP, PROJECT, TIMEOUT: '60s' } as Record<
        string,
        string
      >,
      async verify(run) {
        expectThat(run.code === 0, 'rollback-last-deployment.ts exits 0', run.stderr);
        expectThat(liveImage(world) === `${IMAGE_REPOSITORY}:v1.0.0`, 'the Deployment runs v1.0.0 again');
        expectThat((await health(world)) === 'Healthy', `${APP} is Healthy`);
        expectThat(
          (await tagInGit(world)) === 'v1.1.0',
          'git still says v1.1.0 (Argo CD rollbacks leave git alone)',
        );
      },
      stop: () => world.stop(),
    };
  },
};

export const waitWithCustomHealthCase: SmokeCase = {
  name: 'wait-with-custom-health',
  async setup() {
    // The chart has an Ingress, and the emulated cluster (like many) never gives it a load-balancer address.
    const world = await startSeedWorld({ ingress: true });
    await world.client.applications.sync(APP, { project: PROJECT });
    const { ARGOCD_SERVER, ARGOCD_USERNAME, ARGOCD_PASSWORD } = seedEnvironment(world);
    return {
      env: { ARGOCD_SERVER, ARGOCD_USERNAME, ARGOCD_PASSWORD, APP, PROJECT, TIMEOUT: '60s' } as Record<
        string,
        string
      >,
      async verify(run) {
        expectThat(run.code === 0, 'wait-with-custom-health.ts exits 0', run.stderr);
        expectThat(
          /Ingress \S+: script says Healthy/.test(run.stdout),
          'the script judged the live Ingress Healthy',
        );
        expectThat(
          (await health(world)) === 'Progressing',
          'Argo CD itself still says Progressing (the custom check made the difference)',
        );
      },
      stop: () => world.stop(),
    };
  },
};

/** A health script that judges every Ingress Degraded: the example must stop with exit 1, not wait on. */
const DEGRADED_LUA = 'return { status = "Degraded", message = "no TLS section" }\n';

export const waitWithCustomHealthDegradedCase: SmokeCase = {
  name: 'wait-with-custom-health (script says Degraded)',
  example: 'wait-with-custom-health',
  async setup() {
    const world = await startSeedWorld({ ingress: true });
    await world.client.applications.sync(APP, { project: PROJECT });
    const directory = mkdtempSync(join(tmpdir(), 'gitops-kit-examples-'));
    writeFileSync(join(directory, 'ingress.lua'), DEGRADED_LUA);
    const { ARGOCD_SERVER, ARGOCD_USERNAME, ARGOCD_PASSWORD } = seedEnvironment(world);
    return {
      env: {
        ARGOCD_SERVER,
        ARGOCD_USERNAME,
        ARGOCD_PASSWORD,
        APP,
        PROJECT,
        HEALTH_KIND: 'Ingress',
        HEALTH_LUA_FILE: join(directory, 'ingress.lua'),
        TIMEOUT: '60s',
      } as Record<string, string>,
      async verify(run) {
        expectThat(run.code === 1, 'wait-with-custom-health.ts exits 1', run.code);
        expectThat(
          run.stderr.includes('is Degraded') && run.stderr.includes('no TLS section'),
          "it says the app is Degraded, with the script's message",
          run.stderr,
        );
      },
      async stop() {
        await world.stop();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
images:
# CI pins the tag it built here
- name: web
  newName: registry.example.com/team/web
  newTag: "1.3.0"
- name: sidecar
  newTag: "2.0.0"
`;

export const updateKustomizeImageCase: SmokeCase = {
  name: 'update-kustomize-image',
  async setup() {
    const password = `git-${randomBytes(12).toString('hex')}`;
    registerSecret(password);
    const git = await GitServer.start({ auth: { username: 'deployer', password } });
    const repo = await git.createRepo('deploy', { 'overlays/prod/kustomization.yaml': KUSTOMIZATION });
    return {
      env: {
        GIT_REPO_URL: repo.url,
        GIT_USERNAME: 'deployer',
        GIT_TOKEN: password,
        KUSTOMIZATION: 'overlays/prod/kustomization.yaml',
        IMAGE: 'web=registry.example.com/team/web:1.4.0',
      },
      async verify(run) {
        expectThat(run.code === 0, 'update-kustomize-image.ts exits 0', run.stderr);
        const text = await git.readFile('deploy', 'main', 'overlays/prod/kustomization.yaml');
        expectThat(
          text === KUSTOMIZATION.replace('newTag: "1.3.0"', 'newTag: "1.4.0"'),
          'git has newTag 1.4.0 for web; every other byte is as it was',
          text,
        );
        const [head] = await git.log('deploy', 'main', { maxCount: 1 });
        expectThat(
          run.stdout.includes(head?.commit ?? '-'),
          `it reports the pushed commit ${head?.commit.slice(0, 8)}`,
        );
      },
      stop: () => git.stop(),
    };
  },
};
