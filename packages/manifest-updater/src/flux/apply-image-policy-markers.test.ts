import { describe, expect, it } from 'vitest';
import { applyImagePolicyMarkers, parseImageReference } from './apply-image-policy-markers.js';

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: app
        image: ghcr.io/acme/app:1.0.0 # {"$imagepolicy": "flux-system:app"}
      - name: sidecar
        image: ghcr.io/acme/sidecar:2.0.0
---
images:
  - name: app
    newName: ghcr.io/acme/app # {"$imagepolicy": "flux-system:app:name"}
    newTag: 1.0.0 # {"$imagepolicy": "flux-system:app:tag"}
    digest: sha256:old   #   {"$imagepolicy":"flux-system:pinned:digest"}
config: |
  image: x # {"$imagepolicy": "flux-system:app"}
`;

describe('applyImagePolicyMarkers', () => {
  it('sets the full reference, the name, the tag and the digest parts in every document', () => {
    const result = applyImagePolicyMarkers(MANIFEST, {
      'flux-system:app': 'ghcr.io/acme/app:1.1.0',
      'flux-system:pinned': 'ghcr.io/acme/app:1.1.0@sha256:new',
    });
    expect(result.text).toBe(
      MANIFEST.replace('app:1.0.0 #', 'app:1.1.0 #')
        .replace('newTag: 1.0.0', 'newTag: 1.1.0')
        .replace('sha256:old', 'sha256:new'),
    );
    expect(result.edits.map((edit) => [edit.path, edit.line])).toEqual([
      ['spec.template.spec.containers.0.image', 8],
      ['images.0.newTag', 15],
      ['images.0.digest', 16],
    ]);
  });

  it('ignores unknown policies, markers inside block scalars and files without markers', () => {
    expect(applyImagePolicyMarkers(MANIFEST, { 'other:policy': 'x:1' }).changed).toBe(false);
    const plain = 'image: a:1\n';
    const result = applyImagePolicyMarkers(plain, { 'flux-system:app': 'a:2' });
    expect(result.changed).toBe(false);
    expect(result.text).toBe(plain);
    const onlyBlock = applyImagePolicyMarkers(MANIFEST, { 'flux-system:app': 'ghcr.io/acme/app:1.0.0' });
    expect(onlyBlock.text).toContain('  image: x # {"$imagepolicy": "flux-system:app"}');
  });

  it('quotes a tag that would read as a number', () => {
    const source = 'tag: "1.0" # {"$imagepolicy": "ns:p:tag"}\nplain: v # {"$imagepolicy": "ns:q:tag"}\n';
    const result = applyImagePolicyMarkers(source, { 'ns:p': 'repo:1.10', 'ns:q': 'repo:1.10' });
    expect(result.text).toBe(
      'tag: "1.10" # {"$imagepolicy": "ns:p:tag"}\nplain: "1.10" # {"$imagepolicy": "ns:q:tag"}\n',
    );
  });
});

describe('parseImageReference', () => {
  it('splits registries with ports, tags and digests', () => {
    expect(parseImageReference('localhost:5000/a/b:1.2')).toEqual({
      name: 'localhost:5000/a/b',
      tag: '1.2',
      digest: undefined,
    });
    expect(parseImageReference('localhost:5000/a/b')).toEqual({
      name: 'localhost:5000/a/b',
      tag: undefined,
      digest: undefined,
    });
    expect(parseImageReference('a@sha256:x')).toEqual({ name: 'a', tag: undefined, digest: 'sha256:x' });
  });
});
