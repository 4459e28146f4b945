import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, type PromotionReport, promote, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import { KUSTOMIZATION_FILE, type SeedEnvironment, startSeedEnvironment } from './environment.js';

describe('promote: kustomize images', { timeout: 90_000 }, () => {
  let env: SeedEnvironment;
  let directory: string;
  beforeAll(async () => {
    env = await startSeedEnvironment({ kustomizeApp: true });
    directory = await mkdtemp(join(tmpdir(), 'gitops-flow-kustomize-'));
    await writeFile(join(directory, 'git-password'), `${env.gitPassword}\n`);
  });
  afterAll(async () => {
    await env.stop();
    await rm(directory, { recursive: true, force: true });
  });

  const deployedImage = () =>
    env.argocd
      .liveObjects('web-kustomize')
      .filter((object) => object.kind === 'Deployment')
      .map(
        (object) =>
          (object.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec
            .containers[0]?.image,
      );

  it('sets the tag of a kustomization images entry, keeps its comment, and deploys that image', async () => {
    const report = await promote({
      repository: {
        url: env.repoUrl,
        branch: 'main',
        auth: { username: 'deployer', password: env.gitPassword },
      },
      changes: [
        {
          file: 'kustomize/overlays/prod/kustomization.yaml',
          kustomizeImages: [{ name: 'nginx', newTag: '2.0.0' }],
        },
      ],
      application: { name: 'web-kustomize', project: 'demo' },
      argocd: env.client,
      wait: { timeoutMs: 30_000 },
    });
    expect(report.outcome).toBe('succeeded');
    expect(report.edits).toEqual([
      {
        file: 'kustomize/overlays/prod/kustomization.yaml',
        path: 'images[name=nginx].newTag',
        oldValue: '1.0.0',
        newValue: '2.0.0',
      },
    ]);
    const text = await env.git.readFile('deploy', 'main', 'kustomize/overlays/prod/kustomization.yaml');
    expect(text).toBe(KUSTOMIZATION_FILE.replace('newTag: "1.0.0"', 'newTag: "2.0.0"'));
    expect(deployedImage()).toEqual(['registry.example.com/team/web:2.0.0']);
    expect(env.argocd.getApplication('web-kustomize')?.status?.sourceType).toBe('Kustomize');
  });

  it('gitops-flow promote --kustomize-image pins a digest from the command line', async () => {
    const digest = `sha256:${'c0ffee'.repeat(10)}abcd`;
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url, ARGOCD_PASSWORD: env.argocdPassword } });
    const code = await runCli(
      [
        'promote',
        '--repo',
        env.repoUrl,
        '--file',
        'kustomize/overlays/prod/kustomization.yaml',
        '--kustomize-image',
        `nginx=registry.example.com/team/web@${digest}`,
        '--app',
        'web-kustomize',
        '--project',
        'demo',
        '--git-username',
        'deployer',
        '--git-password-file',
        join(directory, 'git-password'),
        '--argocd-username',
        'admin',
        '--timeout',
        '30s',
        '--output',
        'json',
      ],
      io,
    );
    expect(io.err()).not.toContain(env.gitPassword);
    expect(code).toBe(ExitCode.success);
    const report = JSON.parse(io.out()) as PromotionReport;
    expect(report.outcome).toBe('succeeded');
    expect(report.edits.map((edit) => edit.path)).toEqual(['images[name=nginx].digest']);
    expect(deployedImage()).toEqual([`registry.example.com/team/web@${digest}`]);
  });

  it('values set --kustomize-image edits a local kustomization; a malformed image is a usage error', async () => {
    const file = join(directory, 'kustomization.yaml');
    await writeFile(file, KUSTOMIZATION_FILE);
    const io = captureIo({ cwd: directory });
    expect(
      await runCli(['values', 'set', 'kustomization.yaml', '--kustomize-image', 'nginx:1.27.1'], io),
    ).toBe(ExitCode.success);
    expect(io.out()).toContain('-  newTag: "1.0.0"');
    expect(io.out()).toContain('+  newTag: "1.27.1"');
    expect(await readFile(file, 'utf8')).toBe(KUSTOMIZATION_FILE.replace('"1.0.0"', '"1.27.1"'));

    const bad = captureIo({ cwd: directory });
    expect(
      await runCli(['values', 'set', 'kustomization.yaml', '--kustomize-image', 'nginx@latest'], bad),
    ).toBe(ExitCode.usage);
    expect(bad.err()).toContain('is not a digest');
    expect(await readFile(file, 'utf8')).toBe(KUSTOMIZATION_FILE.replace('"1.0.0"', '"1.27.1"'));
  });
});
