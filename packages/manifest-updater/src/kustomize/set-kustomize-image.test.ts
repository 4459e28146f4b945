import { describe, expect, it } from 'vitest';
import { InvalidYamlValueError } from '../yaml/yaml-errors.js';
import { parseKustomizeImage, setKustomizeImage } from './set-kustomize-image.js';

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
- deployment.yaml


images:
- name: nginx
  newTag: 1.25.0 # pinned
- name: redis
  newName: registry.example.com/redis
  newTag: "7.2"
`;

describe('setKustomizeImage', () => {
  it('changes only the matched entry’s field, keeping other entries, order and blank lines', () => {
    const result = setKustomizeImage(KUSTOMIZATION, { name: 'nginx', newTag: '1.27.1' });
    expect(result.text).toBe(KUSTOMIZATION.replace('newTag: 1.25.0 # pinned', 'newTag: 1.27.1 # pinned'));
    expect(result.edits).toEqual([
      expect.objectContaining({ path: 'images[name=nginx].newTag', oldValue: '1.25.0', newValue: '1.27.1' }),
    ]);
  });

  it('keeps the quote style and writes several fields at once', () => {
    const result = setKustomizeImage(KUSTOMIZATION, {
      name: 'redis',
      newName: 'ghcr.io/acme/redis',
      newTag: '7.4',
    });
    expect(result.text).toBe(
      KUSTOMIZATION.replace('registry.example.com/redis', 'ghcr.io/acme/redis').replace('"7.2"', '"7.4"'),
    );
  });

  it('adds a missing field to an existing entry and appends a missing entry', () => {
    const digest = setKustomizeImage(KUSTOMIZATION, { name: 'nginx', digest: 'sha256:abc' });
    expect(digest.text).toBe(KUSTOMIZATION.replace('# pinned\n', '# pinned\n  digest: sha256:abc\n'));
    const added = setKustomizeImage(KUSTOMIZATION, { name: 'postgres', newTag: '16' });
    expect(added.text).toBe(`${KUSTOMIZATION}- name: postgres\n  newTag: "16"\n`);
  });

  it('creates images: when the kustomization has none, in the file’s sequence style', () => {
    const source = 'resources:\n  - a.yaml\n  - b.yaml\n';
    expect(setKustomizeImage(source, { name: 'app', newName: 'ghcr.io/acme/app', newTag: 'v1' }).text).toBe(
      'resources:\n  - a.yaml\n  - b.yaml\nimages:\n  - name: app\n    newName: ghcr.io/acme/app\n    newTag: v1\n',
    );
  });

  it('is a no-op when the entry already has the values', () => {
    const result = setKustomizeImage(KUSTOMIZATION, { name: 'redis', newTag: '7.2' });
    expect(result.changed).toBe(false);
    expect(result.text).toBe(KUSTOMIZATION);
  });

  it('refuses an empty name or nothing to set', () => {
    expect(() => setKustomizeImage(KUSTOMIZATION, { name: '', newTag: 'x' })).toThrow(InvalidYamlValueError);
    expect(() => setKustomizeImage(KUSTOMIZATION, { name: 'nginx' })).toThrow(InvalidYamlValueError);
  });
});

describe('parseKustomizeImage', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  it('reads the kustomize edit set image syntax', () => {
    expect(parseKustomizeImage('nginx:1.27.1')).toEqual({ name: 'nginx', newTag: '1.27.1' });
    expect(parseKustomizeImage('web=ghcr.io/org/web:1.4.0')).toEqual({
      name: 'web',
      newName: 'ghcr.io/org/web',
      newTag: '1.4.0',
    });
    expect(parseKustomizeImage(`web=registry.local:5000/web@${digest}`)).toEqual({
      name: 'web',
      newName: 'registry.local:5000/web',
      digest,
    });
    expect(parseKustomizeImage(`registry.local:5000/web:v2@${digest}`)).toEqual({
      name: 'registry.local:5000/web',
      newTag: 'v2',
      digest,
    });
    expect(parseKustomizeImage('web=mirror.example.com/web')).toEqual({
      name: 'web',
      newName: 'mirror.example.com/web',
    });
  });

  it('refuses an expression that names no image, sets nothing or carries a malformed digest', () => {
    expect(() => parseKustomizeImage('=web:1')).toThrow(InvalidYamlValueError);
    expect(() => parseKustomizeImage('registry.local:5000/web')).toThrow('sets neither');
    expect(() => parseKustomizeImage('web@latest')).toThrow('is not a digest');
  });
});
