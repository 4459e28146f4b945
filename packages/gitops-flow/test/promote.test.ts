import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PromotionEvent } from '../src/index.js';
import { promote } from '../src/index.js';
import { type SeedEnvironment, startSeedEnvironment } from './environment.js';

describe('promote on the testkit', () => {
  let env: SeedEnvironment;
  beforeEach(async () => {
    env = await startSeedEnvironment();
  });
  afterEach(async () => {
    await env.stop();
  });

  it('writes the tag, syncs exactly that commit and waits for Synced + Healthy', async () => {
    const events: PromotionEvent[] = [];
    const report = await promote({
      repository: {
        url: env.repoUrl,
        branch: 'main',
        auth: { username: 'deployer', password: env.gitPassword },
      },
      changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': 'abc1234' } }],
      application: { name: 'devops-demo', project: 'demo' },
      argocd: env.client,
      wait: { timeoutMs: 20_000 },
      onEvent: (event) => events.push(event),
    });
    expect(report.outcome).toBe('succeeded');
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.targetRevision).toBe(report.commit);
    expect(report.syncedRevision).toBe(report.commit);
    expect(report.syncStatus).toBe('Synced');
    expect(report.healthStatus).toBe('Healthy');
    expect(report.edits).toEqual([
      { file: 'helm/my-values.yaml', path: 'image.tag', oldValue: '1.0.0', newValue: 'abc1234' },
    ]);
    const values = await env.git.readFile('deploy', 'main', 'helm/my-values.yaml');
    expect(values).toContain('  tag: "abc1234"   # keep quoted\n');
    const deployment = env.argocd.liveObjects('devops-demo').find((object) => object.kind === 'Deployment');
    expect(JSON.stringify(deployment)).toContain('registry.example.com/team/devops-demo:abc1234');
    expect(report.steps.map((step) => `${step.name}:${step.status}`)).toEqual([
      'preflight:succeeded',
      'write-back:succeeded',
      'refresh:succeeded',
      'sync:succeeded',
      'wait:succeeded',
    ]);
    expect(events.some((event) => event.type === 'step' && event.step === 'wait')).toBe(true);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
