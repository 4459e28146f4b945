import { inspect } from 'node:util';
import { AuthenticationError, GitOpsKitError } from '@gitops-kit/core';
import { afterEach, describe, expect, it } from 'vitest';
import { INGRESS_HEALTH_LUA, type PromoteOptions, PromotionError, promote } from '../src/index.js';
import { type SeedEnvironment, startSeedEnvironment, VALUES_FILE } from './environment.js';

let env: SeedEnvironment | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

function options(current: SeedEnvironment, tag: string, extra: Partial<PromoteOptions> = {}): PromoteOptions {
  return {
    repository: {
      url: current.repoUrl,
      branch: 'main',
      auth: { username: 'deployer', password: current.gitPassword },
    },
    changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': tag } }],
    application: { name: 'devops-demo', project: 'demo' },
    argocd: current.client,
    wait: { timeoutMs: 15_000 },
    ...extra,
  };
}

async function tagInGit(current: SeedEnvironment): Promise<string | undefined> {
  const text = await current.git.readFile('deploy', 'main', 'helm/my-values.yaml');
  return /tag: "?([^"\s]+)"?/.exec(text)?.[1];
}

describe('promote: outcomes and failure policies', { timeout: 90_000 }, () => {
  it('a re-run with the same tag makes no commit and still verifies the deployment', async () => {
    env = await startSeedEnvironment();
    const first = await promote(options(env, 'v2'));
    expect(first.outcome).toBe('succeeded');
    const commitsBefore = (await env.git.log('deploy', 'main')).length;
    const second = await promote(options(env, 'v2'));
    expect(second.outcome).toBe('succeeded');
    expect(second.commit).toBeNull();
    expect(second.changed).toBe(false);
    expect(second.targetRevision).toBe(first.commit);
    expect(second.steps.find((step) => step.name === 'sync')?.status).toBe('skipped');
    expect((await env.git.log('deploy', 'main')).length).toBe(commitsBefore);
  });

  it('dry run reports the diff and pushes nothing', async () => {
    env = await startSeedEnvironment();
    const head = (await env.git.log('deploy', 'main'))[0];
    const report = await promote(options(env, 'v9', { dryRun: true }));
    expect(report.outcome).toBe('dry-run');
    expect(report.commit).toBeNull();
    expect(report.diff).toContain('-  tag: "1.0.0"   # keep quoted');
    expect(report.diff).toContain('+  tag: "v9"   # keep quoted');
    expect((await env.git.log('deploy', 'main'))[0]).toEqual(head);
  });

  it('Degraded with policy none: fails with a diagnosis naming the Deployment', async () => {
    env = await startSeedEnvironment();
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':bad1' }, [
      { status: 'Progressing', forMs: 100 },
      { status: 'Degraded' },
    ]);
    const report = await promote(options(env, 'bad1'));
    expect(report.outcome).toBe('failed');
    expect(report.error?.code).toBe('WAIT_FAILED');
    expect(
      report.diagnosis?.findings.some(
        (finding) => finding.kind === 'Deployment' && finding.health === 'Degraded',
      ),
    ).toBe(true);
    expect(report.diagnosis?.summary).toMatch(/Deployment .* Degraded/);
    expect(report.rollback).toEqual({ policy: 'none', outcome: 'not-needed' });
    expect(await tagInGit(env)).toBe('bad1');
  });

  it('Degraded with git-revert: the old value goes back to git, is deployed and verified', async () => {
    env = await startSeedEnvironment();
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':bad2' }, [
      { status: 'Progressing', forMs: 100 },
      { status: 'Degraded' },
    ]);
    const report = await promote(options(env, 'bad2', { onFailure: 'git-revert' }));
    expect(report.outcome).toBe('failed');
    expect(report.rollback?.policy).toBe('git-revert');
    expect(report.rollback?.outcome).toBe('succeeded');
    expect(report.rollback?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(await tagInGit(env)).toBe('1.0.0');
    // Nobody touched the file since the promotion: it gets its exact former bytes back.
    expect(await env.git.readFile('deploy', 'main', 'helm/my-values.yaml')).toBe(VALUES_FILE);
    expect(report.healthStatus).toBe('Healthy');
    expect(report.syncedRevision).toBe(report.rollback?.commit);
    const log = await env.git.log('deploy', 'main');
    expect(log[0]?.message).toMatch(/revert/);
    expect(log[1]?.commit).toBe(report.commit);
  });

  it('git-revert removes keys the promotion created; after others changed the file it reverts values and says what it left', async () => {
    env = await startSeedEnvironment();
    const current = env;
    const digest = `sha256:${'d'.repeat(64)}`;
    current.argocd.scriptHealth({ kind: 'Deployment', image: ':bad4' }, [{ status: 'Degraded' }]);
    const createKey = (tag: string) =>
      options(current, tag, {
        changes: [
          {
            file: 'helm/my-values.yaml',
            set: { 'image.tag': tag, 'image.digest': digest },
            createMissing: true,
          },
        ],
        onFailure: 'git-revert',
      });
    const clean = await promote(createKey('bad4'));
    // Degraded from the first look after our sync: a failure, not a wait until the timeout.
    expect(clean.outcome).toBe('failed');
    expect(clean.rollback?.outcome).toBe('succeeded');
    expect(await current.git.readFile('deploy', 'main', 'helm/my-values.yaml')).toBe(VALUES_FILE);

    // Another writer changes the same file while the promotion waits: the revert cannot restore the old bytes.
    current.argocd.scriptHealth({ kind: 'Deployment', image: ':bad5' }, [
      { status: 'Progressing', forMs: 300 },
      { status: 'Degraded' },
    ]);
    const warnings: string[] = [];
    let other: Promise<unknown> | undefined;
    const raced = await promote({
      ...createKey('bad5'),
      onEvent: (event) => {
        if (event.type === 'warning') warnings.push(event.message);
        if (event.type === 'step' && event.step === 'wait' && event.status === 'started') {
          other = current.git.readFile('deploy', 'main', 'helm/my-values.yaml').then((text) =>
            current.git.commit('deploy', 'main', {
              'helm/my-values.yaml': text.replace('replicaCount: 1', 'replicaCount: 3'),
            }),
          );
        }
      },
    });
    await other;
    // The Deployment turned Degraded while the branch moved on: still a fast failure, not a timeout.
    expect(raced.outcome).toBe('failed');
    expect(raced.error?.code).toBe('WAIT_FAILED');
    expect(raced.rollback?.outcome).toBe('succeeded');
    const text = await current.git.readFile('deploy', 'main', 'helm/my-values.yaml');
    expect(text).toContain('replicaCount: 3');
    expect(text).toContain('  tag: "1.0.0"   # keep quoted\n');
    expect(text).toContain(`digest: ${digest}`);
    expect(warnings.filter((message) => message.includes('image.digest did not exist'))).toHaveLength(1);
  });

  it('Degraded with argocd-rollback: Argo CD redeploys the previous history entry', async () => {
    env = await startSeedEnvironment();
    const good = await promote(options(env, 'good1'));
    expect(good.outcome).toBe('succeeded');
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':bad3' }, [
      { status: 'Progressing', forMs: 100 },
      { status: 'Degraded' },
    ]);
    const report = await promote(options(env, 'bad3', { onFailure: 'argocd-rollback' }));
    expect(report.outcome).toBe('failed');
    expect(report.rollback?.outcome).toBe('succeeded');
    expect(report.rollback?.revision).toBe(good.commit);
    expect(report.healthStatus).toBe('Healthy');
    const deployment = env.argocd.liveObjects('devops-demo').find((object) => object.kind === 'Deployment');
    expect(JSON.stringify(deployment)).toContain(':good1');
  });

  it('auto-sync apps are not synced by hand, and Argo CD rollback is refused for them', async () => {
    env = await startSeedEnvironment({ autoSync: true });
    const report = await promote(options(env, 'auto1'));
    expect(report.outcome).toBe('succeeded');
    expect(report.autoSync).toBe(true);
    expect(report.steps.find((step) => step.name === 'sync')?.status).toBe('skipped');
    expect(report.syncedRevision).toBe(report.commit);
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':bad4' }, [{ status: 'Degraded' }]);
    const failed = await promote(options(env, 'bad4', { onFailure: 'argocd-rollback' }));
    expect(failed.outcome).toBe('failed');
    expect(failed.rollback?.outcome).toBe('refused');
  });

  it('a stuck Ingress times out with a diagnosis that proposes and evaluates the health customisation', async () => {
    env = await startSeedEnvironment({
      values: 'image:\n  repository: registry.example.com/demo\n  tag: "1.0.0"\ningress:\n  enabled: true\n',
    });
    const report = await promote(options(env, 'v3', { wait: { timeoutMs: 3_000 } }));
    expect(report.outcome).toBe('timed-out');
    const finding = report.diagnosis?.findings.find((item) => item.kind === 'Ingress');
    expect(finding?.cause).toBe('ingress-without-load-balancer-address');
    expect(finding?.argocdCmKey).toBe('resource.customizations.health.networking.k8s.io_Ingress');
    expect(finding?.proposedHealthResult?.status).toBe('Healthy');
    env.argocd.setArgoCDConfigMap({ [finding?.argocdCmKey as string]: INGRESS_HEALTH_LUA });
    const again = await promote(options(env, 'v3'));
    expect(again.outcome).toBe('succeeded');
    expect(again.commit).toBeNull();
    expect(again.healthStatus).toBe('Healthy');
  });

  it('concurrent promotions of different apps into one repo all land, with linear history', async () => {
    const apps = ['alpha', 'bravo', 'charlie', 'delta'];
    env = await startSeedEnvironment({ apps });
    const current = env;
    const before = (await current.git.log('deploy', 'main')).length;
    const reports = await Promise.all(
      apps.map((app) =>
        promote({
          ...options(current, `${app}-v2`),
          changes: [{ file: `apps/${app}/my-values.yaml`, set: { 'image.tag': `${app}-v2` } }],
          application: { name: app, project: 'demo' },
        }),
      ),
    );
    expect(reports.map((report) => report.outcome)).toEqual(apps.map(() => 'succeeded'));
    const log = await current.git.log('deploy', 'main');
    expect(log.length).toBe(before + apps.length);
    for (const [index, entry] of log.slice(0, apps.length).entries()) {
      expect(entry.parents).toEqual([log[index + 1]?.commit]);
    }
    for (const app of apps) {
      expect(await current.git.readFile('deploy', 'main', `apps/${app}/my-values.yaml`)).toContain(
        `${app}-v2`,
      );
    }
  });

  it('Argo CD 5xx answers and a dropped watch stream mid-flow do not stop the promotion', async () => {
    env = await startSeedEnvironment();
    env.argocd.addFault({
      kind: 'status',
      status: 503,
      match: { method: 'GET', path: '/api/v1/applications/*' },
      times: 2,
    });
    env.argocd.addFault({
      kind: 'stream-drop',
      afterEvents: 1,
      match: { path: '/api/v1/stream/applications' },
      times: 3,
    });
    const report = await promote(options(env, 'v5'));
    expect(report.outcome).toBe('succeeded');
    expect(report.syncedRevision).toBe(report.commit);
  });

  it('a wrong git password fails fast with a typed error and never shows the password', async () => {
    env = await startSeedEnvironment();
    const wrong = `wrong-${env.gitPassword}`;
    const error = await promote(
      options(env, 'v6', {
        repository: { url: env.repoUrl, branch: 'main', auth: { username: 'deployer', password: wrong } },
      }),
    ).catch((caught: unknown) => caught);
    expect(PromotionError.isInstance(error)).toBe(true);
    const promotionError = error as PromotionError;
    expect(promotionError.step).toBe('write-back');
    expect(AuthenticationError.isInstance(promotionError.cause)).toBe(true);
    const everything = `${inspect(error, { depth: Number.POSITIVE_INFINITY })}${JSON.stringify(error)}${promotionError.stack}`;
    expect(everything).not.toContain(env.gitPassword);
    expect(await tagInGit(env)).toBe('1.0.0');
  });

  it('abort during the wait stops promptly with AbortError', async () => {
    env = await startSeedEnvironment();
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':slow' }, [
      { status: 'Progressing', forMs: 60_000 },
      { status: 'Healthy' },
    ]);
    const controller = new AbortController();
    const started = Date.now();
    const promise = promote(
      options(env, 'slow', {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'step' && event.step === 'wait' && event.status === 'started') {
            setTimeout(() => controller.abort(), 200);
          }
        },
      }),
    );
    const error = await promise.catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(GitOpsKitError.isInstance(error)).toBe(true);
    expect((error as { report?: { outcome: string } }).report?.outcome).toBe('interrupted');
    expect(Date.now() - started).toBeLessThan(12_000);
  });

  it('abort before the push leaves the repository untouched', async () => {
    env = await startSeedEnvironment();
    const controller = new AbortController();
    controller.abort();
    const error = await promote(options(env, 'never', { signal: controller.signal })).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).name).toBe('AbortError');
    expect(await tagInGit(env)).toBe('1.0.0');
  });
});
