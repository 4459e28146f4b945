import { describe, expect, it } from 'vitest';
import { getYamlValue } from './get-yaml-value.js';
import { changedLineNumbers, readAt } from './test-helpers.test-util.js';
import { updateYaml } from './update-yaml.js';
import {
  InvalidYamlValueError,
  MultipleDocumentsError,
  PathNotFoundError,
  PathThroughAliasError,
  PathTypeError,
} from './yaml-errors.js';

const VALUES = `# Default values for demo.
# This is a YAML-formatted file.

replicaCount: 1

image:
  # -- Image repository
  repository: registry.example.com/demo   # aligned comment
  # -- Overrides the image tag whose default is the chart appVersion.
  tag: "1.4.2"
  pullPolicy: IfNotPresent


imagePullSecrets: []
podAnnotations: {}
args: [ "--verbose",  "--port=8080" ]

config: |
  server:
    port: 8080

resources:
    limits:
        cpu: 100m
sidecars:
- name: proxy
  image: proxy:1.0
`;

function edit(source: string, path: string, value: string | number | boolean | null) {
  return updateYaml(source, { path, value });
}

describe('updateYaml: bytes outside the edited scalar stay as they were', () => {
  it('changes only the value on the target line, keeping quote style, comments, blank lines and layout', () => {
    const result = edit(VALUES, 'image.tag', '1.5.0');
    expect(result.changed).toBe(true);
    expect(result.text).toBe(VALUES.replace('tag: "1.4.2"', 'tag: "1.5.0"'));
    expect(result.edits).toEqual([
      { path: 'image.tag', oldValue: '1.4.2', newValue: '1.5.0', created: false, line: 10 },
    ]);
  });

  it('keeps a trailing comment and its alignment on the edited line', () => {
    const result = edit(VALUES, 'image.repository', 'ghcr.io/acme/demo');
    expect(result.text).toBe(
      VALUES.replace(
        'repository: registry.example.com/demo   # aligned comment',
        'repository: ghcr.io/acme/demo   # aligned comment',
      ),
    );
  });

  it('edits inside 4-space indentation and compact sequences', () => {
    expect(edit(VALUES, 'resources.limits.cpu', '250m').text).toBe(VALUES.replace('cpu: 100m', 'cpu: 250m'));
    expect(edit(VALUES, 'sidecars.0.image', 'proxy:2.0').text).toBe(
      VALUES.replace('image: proxy:1.0', 'image: proxy:2.0'),
    );
    expect(edit(VALUES, 'sidecars[name=proxy].image', 'proxy:3.0').text).toBe(
      VALUES.replace('image: proxy:1.0', 'image: proxy:3.0'),
    );
  });

  it('keeps single quotes when the target is single-quoted, and escapes a quote inside', () => {
    const source = "a:\n  b: 'x'\n";
    expect(edit(source, 'a.b', "it's").text).toBe("a:\n  b: 'it''s'\n");
  });

  it('returns the very same string and changed:false for a no-op', () => {
    const result = edit(VALUES, 'image.tag', '1.4.2');
    expect(result.changed).toBe(false);
    expect(result.text).toBe(VALUES);
    expect(result.edits).toEqual([]);
    expect(edit(VALUES, 'replicaCount', 1).changed).toBe(false);
  });

  it('keeps CRLF line endings, mixed line endings, a BOM and a missing final newline', () => {
    const crlf = '\uFEFFimage:\r\n  repository: x\r\n  tag: v1 # c\r\nother: 1';
    const result = edit(crlf, 'image.tag', 'v2');
    expect(result.text).toBe('\uFEFFimage:\r\n  repository: x\r\n  tag: v2 # c\r\nother: 1');
    const mixed = 'a: 1\r\nb:\n  c: x\r\n  d: y\n';
    expect(edit(mixed, 'b.d', 'z').text).toBe('a: 1\r\nb:\n  c: x\r\n  d: z\n');
    const bytes = new TextEncoder().encode('\uFEFFa: 1\n');
    expect(updateYaml(bytes, { path: 'a', value: 2 }).text).toBe('\uFEFFa: 2\n');
  });

  it('keeps --- and %YAML directives', () => {
    const source = '%YAML 1.2\n---\n# lead\nimage:\n  tag: v1\n';
    expect(edit(source, 'image.tag', 'v2').text).toBe('%YAML 1.2\n---\n# lead\nimage:\n  tag: v2\n');
    const marker = '---\nimage:\n  tag: v1\n';
    expect(edit(marker, 'image.tag', 'v2').text).toBe('---\nimage:\n  tag: v2\n');
  });

  it('keeps an anchor and a tag on the edited node', () => {
    expect(edit('base: &tag v1\nuse: *tag\n', 'base', 'v2').text).toBe('base: &tag v2\nuse: *tag\n');
    expect(edit('a: !!str 12\n', 'a', '13').text).toBe('a: !!str "13"\n');
  });

  it('leaves flow collections and block scalars elsewhere alone', () => {
    const result = edit(VALUES, 'replicaCount', 3);
    expect(changedLineNumbers(VALUES, result.text)).toEqual([4]);
    expect(result.text).toContain('args: [ "--verbose",  "--port=8080" ]');
    expect(result.text).toContain('config: |\n  server:\n    port: 8080\n');
  });

  it('applies several updates in order and reports each', () => {
    const result = updateYaml(VALUES, [
      { path: 'image.tag', value: '2.0.0' },
      { path: 'replicaCount', value: 2 },
      { path: 'image.tag', value: '2.0.0' },
    ]);
    expect(changedLineNumbers(VALUES, result.text)).toEqual([4, 10]);
    expect(result.edits.map((entry) => entry.path)).toEqual(['image.tag', 'replicaCount']);
  });

  it('fails as a whole when one update fails, returning nothing half-edited', () => {
    expect(() =>
      updateYaml(VALUES, [
        { path: 'image.tag', value: '2.0.0' },
        { path: 'image.missing', value: 'x' },
      ]),
    ).toThrow(PathNotFoundError);
  });

  it('rejects values that are not scalars', () => {
    expect(() => updateYaml(VALUES, { path: 'image.tag', value: { a: 1 } as never })).toThrow(
      InvalidYamlValueError,
    );
  });
});

describe('updateYaml: hard cases', () => {
  it('fills an empty value, keeping the comment line after it', () => {
    const source = 'image:\n  tag:\n\n  # -- the next key\n  pullPolicy: Always\n';
    const result = edit(source, 'image.tag', '2.440.1');
    expect(result.text).toBe('image:\n  tag: 2.440.1\n\n  # -- the next key\n  pullPolicy: Always\n');
    expect(result.edits[0]?.oldValue).toBeNull();
  });

  it('fills an empty value that has a comment on the same line', () => {
    expect(edit('image:\n  tag: # pinned by CI\n', 'image.tag', 'v1').text).toBe(
      'image:\n  tag: v1 # pinned by CI\n',
    );
  });

  it('rewrites a block scalar target with the right indentation', () => {
    const source = 'a:\n  script: |\n    echo one\n    echo two\n  after: 1\n';
    const result = edit(source, 'a.script', 'echo three\n');
    expect(result.text).toBe('a:\n  script: |\n    echo three\n  after: 1\n');
    expect(readAt(result.text, ['a', 'after'], '1.2')).toBe(1);
  });

  it('edits a target inside a flow map and a flow sequence', () => {
    expect(edit('image: {repository: x, tag: v1}\n', 'image.tag', 'v2').text).toBe(
      'image: {repository: x, tag: v2}\n',
    );
    expect(edit('args: [a, b, c]\n', 'args.1', 'x, y').text).toBe('args: [a, "x, y", c]\n');
    expect(edit('m: {a: 1}\n', 'm.a', 'x}').text).toBe('m: {a: "x}"}\n');
  });

  it('refuses a path through an alias by default and edits the anchored node on request', () => {
    const source = 'image: &image\n  repository: x\n  tag: v1\nsub:\n  image: *image\n';
    expect(() => edit(source, 'sub.image.tag', 'v2')).toThrow(PathThroughAliasError);
    try {
      edit(source, 'sub.image.tag', 'v2');
    } catch (error) {
      expect((error as PathThroughAliasError).code).toBe('YAML_PATH_THROUGH_ALIAS');
      expect((error as PathThroughAliasError).anchor).toBe('image');
    }
    const result = updateYaml(source, { path: 'sub.image.tag', value: 'v2' }, { aliases: 'edit-anchor' });
    expect(result.text).toBe(source.replace('tag: v1', 'tag: v2'));
  });

  it('needs a document index for multi-document sources', () => {
    const source = 'a: 1\n---\na: 2\n';
    expect(() => edit(source, 'a', 3)).toThrow(MultipleDocumentsError);
    expect(updateYaml(source, { path: 'a', value: 3 }, { document: 1 }).text).toBe('a: 1\n---\na: 3\n');
    expect(updateYaml(source, { path: 'a', value: 3 }, { document: 0 }).text).toBe('a: 3\n---\na: 2\n');
    expect(() => updateYaml(source, { path: 'a', value: 3 }, { document: 2 })).toThrow(
      MultipleDocumentsError,
    );
  });

  it('treats an empty file as an empty document', () => {
    expect(() => edit('', 'image.tag', 'v1')).toThrow(PathNotFoundError);
    expect(updateYaml('', { path: 'image.tag', value: 'v1' }, { createMissing: true }).text).toBe(
      'image:\n  tag: v1\n',
    );
    expect(updateYaml('# nothing yet\n', { path: 'a', value: 1 }, { createMissing: true }).text).toBe(
      '# nothing yet\na: 1\n',
    );
  });

  it('throws PathNotFoundError and PathTypeError with stable codes', () => {
    expect(() => edit(VALUES, 'image.digest', 'x')).toThrow(PathNotFoundError);
    expect(() => edit(VALUES, 'replicaCount.value', 'x')).toThrow(PathTypeError);
    expect(() => edit(VALUES, 'sidecars.name', 'x')).toThrow(PathTypeError);
    expect(() => edit(VALUES, 'image', 'x')).toThrow(PathTypeError);
    expect(() => edit(VALUES, 'sidecars.5.image', 'x')).toThrow(PathNotFoundError);
    try {
      edit(VALUES, 'replicaCount.value', 'x');
    } catch (error) {
      expect((error as PathTypeError).code).toBe('YAML_PATH_TYPE');
      expect((error as PathTypeError).found).toBe('scalar');
    }
  });

  it('a PathTypeError names the node of the wrong kind, not the segment looked up in it', () => {
    expect(() => edit(VALUES, 'replicaCount.value', 'x')).toThrow(
      'The path replicaCount.value cannot reach "value": replicaCount is a scalar, not a map',
    );
    expect(() => getYamlValue('image:\n  tag: v1\n', 'image.tag.x')).toThrow(
      'image.tag is a scalar, not a map',
    );
    expect(() => getYamlValue('- a\n', 'x')).toThrow('the document root is a sequence, not a map');
  });

  it('does not follow << merge keys: a merged-only key counts as missing', () => {
    const source = 'base: &base\n  tag: v1\nsvc:\n  <<: *base\n  name: x\n';
    expect(() => edit(source, 'svc.tag', 'v2')).toThrow(PathNotFoundError);
    const created = updateYaml(source, { path: 'svc.tag', value: 'v2' }, { createMissing: true });
    expect(created.text).toBe('base: &base\n  tag: v1\nsvc:\n  <<: *base\n  name: x\n  tag: v2\n');
  });

  it('warns when an existing plain value already equal to the request reads differently under YAML 1.1', () => {
    const source = 'feature: on\n';
    const result = edit(source, 'feature', 'on');
    expect(result.changed).toBe(false);
    expect(result.text).toBe(source);
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'TAG_RESOLVE_FAILED', path: 'feature' }),
    ]);
  });

  it('gives the same bytes on the fast path and with validate: full', () => {
    for (const [path, value] of [
      ['image.tag', 'v9'],
      ['image.repository', 'a: b'],
      ['resources.limits.cpu', 1],
      ['sidecars[name=proxy].image', 'true'],
      ['replicaCount', '0755'],
    ] as const) {
      const fast = edit(VALUES, path, value);
      const full = updateYaml(VALUES, { path, value }, { validate: 'full' });
      expect(fast.text).toBe(full.text);
      expect(fast.edits).toEqual(full.edits);
    }
  });
});
