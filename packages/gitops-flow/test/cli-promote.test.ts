import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type PromotionReport, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type SeedEnvironment, startSeedEnvironment } from './environment.js';

describe('gitops-flow promote (CLI) on the testkit', { timeout: 90_000 }, () => {
  let env: SeedEnvironment;
  let secrets: string;
  beforeAll(async () => {
    env = await startSeedEnvironment();
    secrets = await mkdtemp(join(tmpdir(), 'gitops-flow-secrets-'));
    // Secrets as Tekton mounts them: one file per key, with a trailing newline.
    await writeFile(join(secrets, 'git-password'), `${env.gitPassword}\n`);
    await writeFile(join(secrets, 'argocd-password'), `${env.argocdPassword}\n`);
  });
  afterAll(async () => {
    await env.stop();
    await rm(secrets, { recursive: true, force: true });
  });

  const baseArguments = () => [
    'promote',
    '--repo',
    env.repoUrl,
    '--branch',
    'main',
    '--file',
    'helm/my-values.yaml',
    '--app',
    'devops-demo',
    '--project',
    'demo',
    '--git-username',
    'deployer',
    '--git-password-file',
    join(secrets, 'git-password'),
    '--argocd-username',
    'admin',
    '--argocd-password-file',
    join(secrets, 'argocd-password'),
    '--timeout',
    '30s',
  ];

  it('deploys and prints a JSON report on stdout (exit 0); secrets never appear', async () => {
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    const code = await runCli([...baseArguments(), '--set', 'image.tag=cli-1', '--output', 'json'], io);
    expect(io.err()).not.toContain(env.gitPassword);
    expect(code).toBe(ExitCode.success);
    const report = JSON.parse(io.out()) as PromotionReport & { exitCode: number };
    expect(report.outcome).toBe('succeeded');
    expect(report.exitCode).toBe(0);
    expect(report.edits[0]?.newValue).toBe('cli-1');
    for (const text of [io.out(), io.err()]) {
      expect(text).not.toContain(env.gitPassword);
      expect(text).not.toContain(env.argocdPassword);
    }
    const values = await env.git.readFile('deploy', 'main', 'helm/my-values.yaml');
    expect(values).not.toContain(env.gitPassword);
  });

  it('text output shows the steps and the verdict', async () => {
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url, CI: 'true' } });
    const code = await runCli([...baseArguments(), '--set', 'image.tag=cli-2'], io);
    expect(code).toBe(ExitCode.success);
    expect(io.err()).toContain('✓ write-back: pushed');
    expect(io.err()).toContain('✓ wait: Synced and Healthy');
    expect(io.out()).toMatch(/^DEPLOYED {2}devops-demo \(project demo\)/);
    expect(io.out()).toContain('helm/my-values.yaml: image.tag "cli-1" → "cli-2"');
  });

  it('a failed deployment exits 1 with the diagnosis and the rollback outcome', async () => {
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':cli-bad' }, [
      { status: 'Progressing', forMs: 100 },
      { status: 'Degraded' },
    ]);
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url, CI: 'true' } });
    const code = await runCli(
      [...baseArguments(), '--set', 'image.tag=cli-bad', '--on-failure', 'git-revert'],
      io,
    );
    expect(code).toBe(ExitCode.deploymentFailed);
    expect(io.out()).toMatch(/^FAILED/);
    expect(io.out()).toContain('Why: devops-demo is Degraded');
    expect(io.out()).toContain('Rollback (git-revert): succeeded');
    expect(await env.git.readFile('deploy', 'main', 'helm/my-values.yaml')).toContain('tag: "cli-2"');
  });

  it('--wait-for operation,sync deploys without waiting for health (a Degraded app still exits 0)', async () => {
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':cli-nohealth' }, [{ status: 'Degraded' }]);
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    const code = await runCli(
      [
        ...baseArguments(),
        '--set',
        'image.tag=cli-nohealth',
        '--wait-for',
        'operation,sync',
        '--output',
        'json',
      ],
      io,
    );
    expect(code).toBe(ExitCode.success);
    const report = JSON.parse(io.out()) as PromotionReport;
    expect(report.outcome).toBe('succeeded');
    expect(report.syncStatus).toBe('Synced');
    expect(report.healthStatus).toBe('Degraded');
  });

  it('a wrong Argo CD password exits 4 (authentication) without echoing it', async () => {
    const wrongFile = join(secrets, 'wrong');
    const wrong = `not-${env.argocdPassword}`;
    await writeFile(wrongFile, wrong);
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    const argv = baseArguments();
    argv[argv.indexOf('--argocd-password-file') + 1] = wrongFile;
    const code = await runCli([...argv, '--set', 'image.tag=cli-3'], io);
    expect(code).toBe(ExitCode.authentication);
    expect(io.err()).not.toContain(wrong);
    // Argo CD is checked before anything is pushed.
    expect(await env.git.readFile('deploy', 'main', 'helm/my-values.yaml')).not.toContain('cli-3');
  });

  it('a wait that runs out of time exits 3', async () => {
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':cli-slow' }, [
      { status: 'Progressing', forMs: 120_000 },
      { status: 'Healthy' },
    ]);
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url, CI: 'true' } });
    const argv = baseArguments();
    argv[argv.indexOf('--timeout') + 1] = '2s';
    const code = await runCli([...argv, '--set', 'image.tag=cli-slow'], io);
    expect(code).toBe(ExitCode.timeout);
    expect(io.out()).toMatch(/^TIMED OUT/);
  });
});
