import { describe, expect, it } from 'vitest';
import { onlyAddsLines, readAt } from './test-helpers.test-util.js';
import { updateYaml } from './update-yaml.js';
import { PathNotFoundError, PathTypeError } from './yaml-errors.js';

function create(source: string, path: string, value: string | number | boolean | null = 'v1') {
  const result = updateYaml(source, { path, value }, { createMissing: true });
  expect(result.changed).toBe(true);
  expect(result.edits[0]?.created).toBe(true);
  return result.text;
}

describe('updateYaml with createMissing', () => {
  it('adds the key after the parent map’s last child, so the diff only adds lines', () => {
    const source = 'image:\n  repository: x\n  # trailing comment\n\nother: 1\n';
    const text = create(source, 'image.tag');
    expect(text).toBe('image:\n  repository: x\n  tag: v1\n  # trailing comment\n\nother: 1\n');
    expect(onlyAddsLines(source, text)).toBe(true);
  });

  it('creates intermediate maps with the file’s own indentation', () => {
    const source = 'a:\n    b: 1\nc: 2\n';
    const text = create(source, 'a.image.tag');
    expect(text).toBe('a:\n    b: 1\n    image:\n        tag: v1\nc: 2\n');
    expect(create('x: 1\n', 'image.pull.policy')).toBe('x: 1\nimage:\n  pull:\n    policy: v1\n');
  });

  it('uses the file’s sequence style for new lists', () => {
    const compact = 'resources:\n- a.yaml\n';
    expect(create(compact, 'images[name=app].newTag')).toBe(
      'resources:\n- a.yaml\nimages:\n- name: app\n  newTag: v1\n',
    );
    const indented = 'resources:\n  - a.yaml\n';
    expect(create(indented, 'images[name=app].newTag')).toBe(
      'resources:\n  - a.yaml\nimages:\n  - name: app\n    newTag: v1\n',
    );
    expect(create('a: 1\n', 'list.0.name', 'x')).toBe('a: 1\nlist:\n  - name: x\n');
  });

  it('appends a sequence entry, matched by a selector, after the last one', () => {
    const source = 'images:\n- name: a\n  newTag: v1\n# after\nz: 1\n';
    const text = create(source, 'images[name=b].newTag', 'v2');
    expect(text).toBe('images:\n- name: a\n  newTag: v1\n- name: b\n  newTag: v2\n# after\nz: 1\n');
    expect(onlyAddsLines(source, text)).toBe(true);
    expect(create('l:\n  - a\n', 'l.1', 'b')).toBe('l:\n  - a\n  - b\n');
  });

  it('adds a key to an existing sequence item', () => {
    const source = 'images:\n  - name: a\n  - name: b\n';
    expect(create(source, 'images[name=a].newTag')).toBe(
      'images:\n  - name: a\n    newTag: v1\n  - name: b\n',
    );
  });

  it('fills an empty parent value (`image:`) with a nested map', () => {
    const source = 'image:\n# doc for next\nnext: 1\n';
    const text = create(source, 'image.tag');
    expect(text).toBe('image:\n  tag: v1\n# doc for next\nnext: 1\n');
    expect(readAt(text, ['next'], '1.2')).toBe(1);
  });

  it('keeps a missing final newline missing, and CRLF line breaks', () => {
    expect(create('images:\n- name: a\n  digest: sha256:1', 'images[name=a].newTag')).toBe(
      'images:\n- name: a\n  digest: sha256:1\n  newTag: v1',
    );
    expect(create('a:\r\n  b: 1\r\n', 'a.c')).toBe('a:\r\n  b: 1\r\n  c: v1\r\n');
  });

  it('writes into flow collections in flow style', () => {
    expect(create('a: {}\n', 'a.b')).toBe('a: {b: v1}\n');
    expect(create('a: {x: 1}\n', 'a.b.c')).toBe('a: {x: 1, b: {c: v1}}\n');
    expect(create('images: []\n', 'images[name=app].newTag')).toBe('images: [{name: app, newTag: v1}]\n');
  });

  it('quotes new values and keys that would change type', () => {
    const text = create('a: 1\n', 'image.tag', '1.20');
    expect(text).toBe('a: 1\nimage:\n  tag: "1.20"\n');
    expect(readAt(text, ['image', 'tag'], '1.1')).toBe('1.20');
    expect(create('a: 1\n', ['on', 'x'] as never)).toBe('a: 1\n"on":\n  x: v1\n');
  });

  it('refuses what cannot be created', () => {
    expect(() => updateYaml('l:\n- a\n', { path: 'l.3', value: 'x' }, { createMissing: true })).toThrow(
      PathNotFoundError,
    );
    expect(() => updateYaml('a: 1\n', { path: 'a.b', value: 'x' }, { createMissing: true })).toThrow(
      PathTypeError,
    );
    expect(() =>
      updateYaml('a: !!null null\n', { path: 'a.b', value: 'x' }, { createMissing: true }),
    ).toThrow(PathTypeError);
  });

  it('grows a map from an explicit ~ or null placeholder', () => {
    expect(create('image: ~\nz: 1\n', 'image.tag')).toBe('image:\n  tag: v1\nz: 1\n');
    expect(create('image: null # none yet\nz: 1\n', 'image.tag')).toBe(
      'image:  # none yet\n  tag: v1\nz: 1\n',
    );
    expect(() => updateYaml('image: ~\n', { path: 'image.tag', value: 'v1' })).toThrow(PathNotFoundError);
  });

  it('reports the first inserted line', () => {
    const result = updateYaml('a:\n  b: 1\nc: 2', { path: 'c2', value: 3 }, { createMissing: true });
    expect(result.text).toBe('a:\n  b: 1\nc: 2\nc2: 3');
    expect(result.edits[0]?.line).toBe(4);
  });
});
