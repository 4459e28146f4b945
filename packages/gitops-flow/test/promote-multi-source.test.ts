import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promote } from '../src/index.js';
import { type SeedEnvironment, startSeedEnvironment } from './environment.js';

describe('promote: a multi-source application (chart repo + values from the deploy repo)', {
  timeout: 90_000,
}, () => {
  let env: SeedEnvironment;
  beforeAll(async () => {
    env = await startSeedEnvironment({ multiSourceApp: true });
  });
  afterAll(async () => {
    await env.stop();
  });

  const options = (tag: string, onFailure: 'none' | 'argocd-rollback' = 'none') => ({
    repository: {
      url: env.repoUrl,
      branch: 'main',
      auth: { username: 'deployer', password: env.gitPassword },
    },
    changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': tag } }],
    application: { name: 'web-multi', project: 'demo' },
    argocd: env.client,
    wait: { timeoutMs: 20_000 },
    onFailure,
  });

  const image = () =>
    JSON.stringify(env.argocd.liveObjects('web-multi').find((object) => object.kind === 'Deployment'));

  it('pins only the deploy-repo source to the pushed commit and verifies the deployment', async () => {
    const report = await promote(options('multi-1'));
    expect(report.outcome).toBe('succeeded');
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/);
    const app = env.argocd.getApplication('web-multi');
    const state = app?.status?.operationState as {
      operation: { sync: { revisions?: string[] } };
      syncResult?: { revisions?: string[] };
    };
    // Position 1 (the chart) stays at its target revision; position 2 (the values) is our commit.
    expect(state.operation.sync.revisions).toEqual(['main', report.commit]);
    expect(state.syncResult?.revisions?.[1]).toBe(report.commit);
    // The values file of the deploy repo (through `$values`) overrides the chart's default repository.
    expect(image()).toContain('registry.example.com/team/devops-demo:multi-1');
  });

  it('follows the deploy repo when another writer pushes during the wait (our values still there)', async () => {
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':multi-2' }, [
      { status: 'Progressing', forMs: 2_500 },
      { status: 'Healthy' },
    ]);
    const warnings: string[] = [];
    let other: Promise<string> | undefined;
    const report = await promote({
      ...options('multi-2'),
      onEvent: (event) => {
        if (event.type === 'warning') warnings.push(event.message);
        if (event.type === 'step' && event.step === 'wait' && event.status === 'started')
          other = env.git.commit('deploy', 'main', { 'helm/NOTES.md': 'release notes\n' });
      },
    });
    const later = await other;
    expect(report.outcome).toBe('succeeded');
    expect(report.healthStatus).toBe('Healthy');
    expect(warnings.some((message) => message.includes('the branch moved on'))).toBe(true);
    const sync = env.argocd.getApplication('web-multi')?.status?.sync as { revisions?: string[] } | undefined;
    const revisions = sync?.revisions;
    expect(revisions?.[1]).toBe(later);
    expect(image()).toContain(':multi-2');
  });

  it('rolls a failed release back through the Argo CD history of a multi-source app', async () => {
    const previous = image();
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':multi-bad' }, [{ status: 'Degraded' }]);
    const report = await promote(options('multi-bad', 'argocd-rollback'));
    expect(report.outcome).toBe('failed');
    expect(report.rollback?.outcome).toBe('succeeded');
    expect(image()).not.toContain(':multi-bad');
    expect(image()).toBe(previous);
  });
});
