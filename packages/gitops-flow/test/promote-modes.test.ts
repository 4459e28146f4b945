import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, promote, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type SeedEnvironment, startSeedEnvironment } from './environment.js';

let env: SeedEnvironment | undefined;
afterEach(async () => {
  await env?.stop();
  env = undefined;
});

describe('promote: gate, helm-parameters mode, and the wait/rollback commands', { timeout: 90_000 }, () => {
  it('beforeSync sees the change and can stop the deployment before the sync', async () => {
    env = await startSeedEnvironment();
    const seen: unknown[] = [];
    const report = await promote({
      repository: {
        url: env.repoUrl,
        branch: 'main',
        auth: { username: 'deployer', password: env.gitPassword },
      },
      changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': 'gated' } }],
      application: { name: 'devops-demo', project: 'demo' },
      argocd: env.client,
      beforeSync: (context) => {
        seen.push(context);
        return false;
      },
    });
    expect(report.outcome).toBe('skipped');
    expect(seen).toEqual([
      {
        application: 'devops-demo',
        revision: report.commit,
        changed: true,
        edits: [{ file: 'helm/my-values.yaml', path: 'image.tag', oldValue: '1.0.0', newValue: 'gated' }],
      },
    ]);
    expect(report.steps.map((step) => step.name)).not.toContain('sync');
    const deployment = env.argocd.liveObjects('devops-demo').find((object) => object.kind === 'Deployment');
    expect(JSON.stringify(deployment ?? {})).not.toContain(':gated');
  });

  it('helm-parameters mode sets the parameter on the Application and deploys it, without a commit', async () => {
    env = await startSeedEnvironment();
    const commitsBefore = (await env.git.log('deploy', 'main')).length;
    const report = await promote({
      mode: 'helm-parameters',
      helmParameters: { 'image.tag': 'param-1' },
      application: { name: 'devops-demo', project: 'demo' },
      argocd: env.client,
      wait: { timeoutMs: 20_000 },
    });
    expect(report.outcome).toBe('succeeded');
    expect(report.commit).toBeNull();
    expect((await env.git.log('deploy', 'main')).length).toBe(commitsBefore);
    const app = env.argocd.getApplication('devops-demo');
    expect(app?.spec.source?.helm?.parameters).toEqual([{ name: 'image.tag', value: 'param-1' }]);
    const deployment = env.argocd.liveObjects('devops-demo').find((object) => object.kind === 'Deployment');
    expect(JSON.stringify(deployment)).toContain(':param-1');
  });

  it('gitops-flow wait returns at once for a deployed app, and rollback redeploys the previous entry', async () => {
    env = await startSeedEnvironment();
    const current = env;
    const base = {
      repository: {
        url: current.repoUrl,
        branch: 'main',
        auth: { username: 'deployer', password: current.gitPassword },
      },
      application: { name: 'devops-demo', project: 'demo' },
      argocd: current.client,
      wait: { timeoutMs: 20_000 },
    };
    const first = await promote({
      ...base,
      changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': 'r1' } }],
    });
    const second = await promote({
      ...base,
      changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': 'r2' } }],
    });
    expect([first.outcome, second.outcome]).toEqual(['succeeded', 'succeeded']);
    const environment = {
      ARGOCD_SERVER: current.argocd.url,
      ARGOCD_PASSWORD: current.argocdPassword,
      ARGOCD_USERNAME: 'admin',
      CI: 'true',
    };
    const waitIo = captureIo({ env: environment });
    const waitCode = await runCli(
      [
        'wait',
        '--app',
        'devops-demo',
        '--project',
        'demo',
        '--revision',
        second.commit as string,
        '--output',
        'json',
      ],
      waitIo,
    );
    expect(waitCode).toBe(ExitCode.success);
    expect(JSON.parse(waitIo.out())).toMatchObject({
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      revision: second.commit,
    });
    const rollbackIo = captureIo({ env: environment });
    const rollbackCode = await runCli(
      ['rollback', '--app', 'devops-demo', '--project', 'demo', '--timeout', '20s'],
      rollbackIo,
    );
    expect(rollbackCode).toBe(ExitCode.success);
    expect(rollbackIo.out()).toContain(`rolled back to ${(first.commit as string).slice(0, 12)}`);
    const deployment = current.argocd
      .liveObjects('devops-demo')
      .find((object) => object.kind === 'Deployment');
    expect(JSON.stringify(deployment)).toContain(':r1');
    for (const text of [waitIo.out(), waitIo.err(), rollbackIo.out(), rollbackIo.err()]) {
      expect(text).not.toContain(current.argocdPassword);
    }
  });
});
