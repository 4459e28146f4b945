import { describe, expect, it } from 'vitest';
import { YamlPathSyntaxError } from './yaml-errors.js';
import { formatYamlPath, parseYamlPath } from './yaml-path.js';

describe('parseYamlPath', () => {
  it('splits dotted keys and turns all-digit segments into indexes', () => {
    expect(parseYamlPath('image.tag')).toEqual(['image', 'tag']);
    expect(parseYamlPath('containers.0.image')).toEqual(['containers', 0, 'image']);
    expect(parseYamlPath('a.01')).toEqual(['a', '01']);
  });

  it('keeps escaped dots and backslashes inside a key', () => {
    expect(parseYamlPath('annotations.prometheus\\.io/port')).toEqual(['annotations', 'prometheus.io/port']);
    expect(parseYamlPath('a\\\\b')).toEqual(['a\\b']);
    expect(parseYamlPath('list.\\0')).toEqual(['list', '0']);
  });

  it('reads [key=value] selectors and [n] indexes', () => {
    expect(parseYamlPath('images[name=nginx].newTag')).toEqual([
      'images',
      { key: 'name', value: 'nginx' },
      'newTag',
    ]);
    expect(parseYamlPath('images[name=ghcr.io/a/b:1].digest')).toEqual([
      'images',
      { key: 'name', value: 'ghcr.io/a/b:1' },
      'digest',
    ]);
    expect(parseYamlPath('a[2].b')).toEqual(['a', 2, 'b']);
    expect(parseYamlPath('a[name="x y"]')).toEqual(['a', { key: 'name', value: 'x y' }]);
  });

  it('accepts segment arrays as they are', () => {
    expect(parseYamlPath(['a.b', 0, { key: 'name', value: 'x' }])).toEqual([
      'a.b',
      0,
      { key: 'name', value: 'x' },
    ]);
  });

  it.each(['', 'a..b', '.a', 'a.', 'a[', 'a[x]', 'a[0]b', 'a\\'])('rejects %j', (path) => {
    expect(() => parseYamlPath(path)).toThrow(YamlPathSyntaxError);
  });

  it('rejects bad segment arrays', () => {
    expect(() => parseYamlPath([])).toThrow(YamlPathSyntaxError);
    expect(() => parseYamlPath(['a', -1])).toThrow(YamlPathSyntaxError);
    expect(() => parseYamlPath(['a', ''])).toThrow(YamlPathSyntaxError);
  });

  it('formats back into a path that parses to the same segments', () => {
    const cases = [
      ['a.b', 0, 'c'],
      ['images', { key: 'name', value: 'nginx' }, 'newTag'],
      ['0', 'x[y]'],
    ] as const;
    for (const segments of cases) {
      expect(parseYamlPath(formatYamlPath(segments))).toEqual(segments);
    }
    expect(formatYamlPath(['a.b', 0, 'c'])).toBe('a\\.b.0.c');
  });
});
