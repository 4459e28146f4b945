import { describe, expect, it } from 'vitest';
import { GitRevisionReader } from './git-revisions.js';
import { defaultManifestRenderer, renderApplicationSource } from './manifest-renderer.js';
import type { Application } from './model.js';

const REPO = 'https://git.example.invalid/deploy.git';

function imagesOf(objects: Awaited<ReturnType<typeof renderApplicationSource>>): string[] {
  return objects
    .filter((object) => object.kind === 'Deployment')
    .map(
      (object) =>
        (object.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec
          .containers[0]?.image as string,
    );
}

async function render(kustomization: string | undefined): Promise<string[]> {
  const git = new GitRevisionReader({ clock: () => 0 });
  const sha = git.seedCommit(REPO, {
    files:
      kustomization === undefined ? { 'app/README.md': 'x' } : { 'app/kustomization.yaml': kustomization },
  });
  const app: Application = {
    metadata: { name: 'web' },
    spec: { source: { repoURL: REPO, path: 'app' }, destination: { namespace: 'web' } },
  } as Application;
  return imagesOf(
    await renderApplicationSource(defaultManifestRenderer, git, app, app.spec.source ?? {}, sha),
  );
}

describe('kustomize images in the rendered manifests', () => {
  it('applies newName, newTag and digest like the images transformer', async () => {
    expect(await render(undefined)).toEqual(['nginx:latest']);
    expect(await render('images:\n- name: nginx\n  newTag: "1.27"\n')).toEqual(['nginx:1.27']);
    expect(await render('images:\n- name: nginx\n  newName: ghcr.io/org/web\n')).toEqual([
      'ghcr.io/org/web:latest',
    ]);
    const digest = `sha256:${'ab'.repeat(32)}`;
    expect(
      await render(`images:\n- name: nginx\n  newName: ghcr.io/org/web\n  newTag: v2\n  digest: ${digest}\n`),
    ).toEqual([`ghcr.io/org/web@${digest}`]);
    // Entries for other images leave the container alone.
    expect(await render('images:\n- name: redis\n  newTag: "7"\n')).toEqual(['nginx:latest']);
  });
});
