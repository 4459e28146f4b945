import { describe, expect, it } from 'vitest';
import { tryFastEdit } from './fast-edit.js';
import { scanForScalar } from './line-scanner.js';
import { updateYaml } from './update-yaml.js';
import { parseYamlPath } from './yaml-path.js';

function located(source: string, path: string): string | undefined {
  const target = scanForScalar(source, parseYamlPath(path));
  return target ? source.slice(target.keyStart, target.lineEnd) : undefined;
}

describe('scanForScalar (fast path)', () => {
  it('finds targets by indentation, skipping block scalars, flow collections and comments off the path', () => {
    const source = [
      'a: |',
      '  tag: not-this-one',
      'b: [',
      '  1, 2',
      '  ]',
      '# tag: nor-this',
      'image:',
      '  sub: {tag: no}',
      '  # tag: commented',
      '  tag: yes-this # c',
      '',
    ].join('\n');
    expect(located(source, 'image.tag')).toBe('tag: yes-this # c');
  });

  it('walks sequences by index and by selector, compact or indented', () => {
    const source =
      'images:\n- name: a\n  newTag: v1\n- name: "b"\n  newTag: v2\nother:\n  - x: 1\n  -\n    x: 2\n';
    expect(located(source, 'images.1.newTag')).toBe('newTag: v2');
    expect(located(source, 'images[name=b].newTag')).toBe('newTag: v2');
    expect(located(source, 'images[name=a].name')).toBe('name: a');
    expect(located(source, 'other.1.x')).toBe('x: 2');
  });

  it('finds quoted keys and keys behind an anchor', () => {
    expect(located('"a.b": 1\n\'c\': 2\n', 'a\\.b')).toBe('"a.b": 1');
    expect(located("'c''d': 2\n", "c'd")).toBe("'c''d': 2");
    expect(located('image: &img\n  tag: v1\n', 'image.tag')).toBe('tag: v1');
  });

  it.each([
    ['tabs in indentation', 'a:\n\tb: 1\n', 'a.b'],
    ['several documents', 'a: 1\n---\na: 2\n', 'a'],
    ['a duplicate key on the path', 'a: 1\na: 2\n', 'a'],
    ['a complex key', '? a\n: 1\n', 'a'],
    ['an escaped quoted key', '"a\\u0062": 1\n', 'ab'],
    ['an alias on the path', 'x: &x\n  t: 1\ny: *x\n', 'y.t'],
    ['a multi-line plain value', 'a: one\n  two\n', 'a'],
    ['a block scalar target', 'a: |\n  x\n', 'a'],
    ['a flow value on the path', 'a: {b: 1}\n', 'a.b'],
    ['a missing key', 'a: 1\n', 'b'],
    ['a lone CR line break', 'a: 1\rb: 2\r', 'b'],
    ['a directive', '%YAML 1.2\n---\na: 1\n', 'a'],
    ['a collection target', 'a:\n  b: 1\n', 'a'],
  ])('leaves %s to the full parser', (_label, source, path) => {
    expect(scanForScalar(source, parseYamlPath(path))).toBeUndefined();
  });

  it('still edits those sources correctly through the full parser', () => {
    expect(updateYaml('? a\n: 1\n', { path: 'a', value: 2 }).text).toBe('? a\n: 2\n');
    expect(updateYaml('a: one\n  two\nb: 1\n', { path: 'a', value: 'x' }).text).toBe('a: x\nb: 1\n');
    // A lone CR is a line break (updateYaml hands the parsers LF and puts the CR back; line-endings.test.ts).
    expect(updateYaml('a: 1\rb: 2\r', { path: 'b', value: 3 }).text).toBe('a: 1\rb: 3\r');
    expect(updateYaml('"a\\u0062": 1\n', { path: 'ab', value: 2 }).text).toBe('"a\\u0062": 2\n');
  });

  it('plans the same edit as the full parser for ordinary targets', () => {
    const source = 'x:\n  y:\n    tag: "v1" # keep\n  list:\n  - name: n\n    v: 1\n';
    const fast = tryFastEdit(source, parseYamlPath('x.y.tag'), 'v2');
    expect(fast?.splice).toEqual({
      start: source.indexOf('"v1"'),
      end: source.indexOf('"v1"') + 4,
      replacement: '"v2"',
    });
    expect(updateYaml(source, { path: 'x.list[name=n].v', value: 2 }).text).toBe(
      source.replace('v: 1', 'v: 2'),
    );
  });
});
