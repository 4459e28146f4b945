import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { getYamlValue } from './get-yaml-value.js';
import { updateYaml } from './update-yaml.js';

// A lone CR is a YAML line break (1.2 spec, b-break); read the results with every break made LF.
function read(text: string): unknown {
  return parse(text.replace(/\r\n?/g, '\n'));
}

const CR_VALUES =
  '# values\rimage:\r  repository: nginx\r  tag: v1 # pinned\rreplicas: 2\rnotes: |\r  line one\r  line two\r';

describe('files with lone CR line endings', () => {
  it.each(['edit', 'full'] as const)(
    'an existing key is edited in place, CR endings kept (validate %s)',
    (validate) => {
      const result = updateYaml(
        CR_VALUES,
        { path: 'image.tag', value: 'v2' },
        { validate, createMissing: true },
      );
      expect(result.text).toBe(CR_VALUES.replace('tag: v1', 'tag: v2'));
      expect(result.edits).toEqual([
        { path: 'image.tag', oldValue: 'v1', newValue: 'v2', created: false, line: 4 },
      ]);
    },
  );

  it('a missing key is inserted once, with CR endings, and a second run changes nothing', () => {
    const result = updateYaml(
      CR_VALUES,
      { path: 'image.pullPolicy', value: 'Always' },
      { createMissing: true },
    );
    expect(result.text).toBe(
      CR_VALUES.replace('  tag: v1 # pinned\r', '  tag: v1 # pinned\r  pullPolicy: Always\r'),
    );
    expect(result.text).not.toContain('\n');
    const again = updateYaml(
      result.text,
      { path: 'image.pullPolicy', value: 'Always' },
      { createMissing: true },
    );
    expect(again.changed).toBe(false);
    expect(again.text).toBe(result.text);
  });

  it('a top-level key that exists is not appended again', () => {
    const result = updateYaml(CR_VALUES, { path: 'replicas', value: 3 }, { createMissing: true });
    expect(result.text).toBe(CR_VALUES.replace('replicas: 2', 'replicas: 3'));
    expect(result.text.match(/replicas:/g)).toHaveLength(1);
  });

  it('a block scalar is rewritten with CR endings', () => {
    const result = updateYaml(CR_VALUES, { path: 'notes', value: 'first\nsecond\nthird\n' });
    expect(result.text).toBe(CR_VALUES.replace('  line one\r  line two\r', '  first\r  second\r  third\r'));
    expect(read(result.text)).toMatchObject({ notes: 'first\nsecond\nthird\n' });
  });

  it('several updates in one call, including a created nested map', () => {
    const result = updateYaml(
      CR_VALUES,
      [
        { path: 'image.tag', value: 'v3' },
        { path: 'resources.limits.cpu', value: '500m' },
        { path: 'replicas', value: 4 },
      ],
      { createMissing: true },
    );
    expect(result.text).not.toContain('\n');
    expect(read(result.text)).toEqual({
      image: { repository: 'nginx', tag: 'v3' },
      replicas: 4,
      notes: 'line one\nline two\n',
      resources: { limits: { cpu: '500m' } },
    });
    expect(
      result.text.startsWith(CR_VALUES.replace('tag: v1', 'tag: v3').replace('replicas: 2', 'replicas: 4')),
    ).toBe(true);
  });

  it('getYamlValue reads CR files', () => {
    expect(getYamlValue(CR_VALUES, 'image.tag')).toBe('v1');
    expect(getYamlValue(CR_VALUES, 'notes')).toBe('line one\nline two\n');
  });

  it('a final line without a line break, and a CR file of one line', () => {
    expect(updateYaml('a: 1\rb: 2', { path: 'b', value: 3 }).text).toBe('a: 1\rb: 3');
    expect(updateYaml('a: 1\r', { path: 'b', value: 3 }, { createMissing: true }).text).toBe('a: 1\rb: 3\r');
  });
});

describe('mixed line endings', () => {
  const MIXED = 'a: 1\r\nimage:\r  tag: v1\nother: x\r\nlast: y\r\n';

  it.each(['edit', 'full'] as const)('every line keeps its own ending (validate %s)', (validate) => {
    const result = updateYaml(
      MIXED,
      [
        { path: 'image.tag', value: 'v2' },
        { path: 'last', value: 'z' },
      ],
      { validate },
    );
    expect(result.text).toBe('a: 1\r\nimage:\r  tag: v2\nother: x\r\nlast: z\r\n');
  });

  it('inserted lines take the most used ending (CRLF here)', () => {
    const result = updateYaml(MIXED, { path: 'image.digest', value: 'sha' }, { createMissing: true });
    expect(result.text).toBe('a: 1\r\nimage:\r  tag: v1\n  digest: sha\r\nother: x\r\nlast: y\r\n');
  });

  it('inserted lines take the most used ending (lone CR here)', () => {
    const mostlyCr = 'a: 1\rb: 2\rimage:\r\n  tag: v1\r';
    const result = updateYaml(mostlyCr, { path: 'image.digest', value: 'sha' }, { createMissing: true });
    expect(result.text).toBe('a: 1\rb: 2\rimage:\r\n  tag: v1\r  digest: sha\r');
  });

  it('LF with a stray CR', () => {
    const text = 'a: 1\nb: 2\rc: 3\n';
    expect(updateYaml(text, { path: 'b', value: 5 }).text).toBe('a: 1\nb: 5\rc: 3\n');
    expect(updateYaml(text, { path: 'c', value: 5 }, { createMissing: true }).text).toBe(
      'a: 1\nb: 2\rc: 5\n',
    );
    expect(updateYaml(text, { path: 'd', value: 5 }, { createMissing: true }).text).toBe(
      'a: 1\nb: 2\rc: 3\nd: 5\n',
    );
  });
});
