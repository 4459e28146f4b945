import { describe, expect, it } from 'vitest';
import { getYamlValue } from './get-yaml-value.js';
import { updateYaml } from './update-yaml.js';
import { DuplicateKeyError, ValuesFileTooLargeError, YamlParseError } from './yaml-errors.js';

function parseError(run: () => unknown): YamlParseError {
  try {
    run();
  } catch (error) {
    expect(YamlParseError.isInstance(error)).toBe(true);
    return error as YamlParseError;
  }
  throw new Error('expected a YamlParseError');
}

describe('bad input is rejected with a typed error and nothing edited', () => {
  it('X1: malformed YAML gives yamlCode, line and column', () => {
    const unclosed = parseError(() =>
      updateYaml('a: 1\nb: [1, 2\nc: 3\n', { path: 'a', value: 2 }, { validate: 'full' }),
    );
    expect(unclosed.code).toBe('YAML_PARSE_ERROR');
    expect(unclosed.line).toBeGreaterThanOrEqual(2);
    const tab = parseError(() => updateYaml('a:\n\tb: 1\n', { path: 'a.b', value: 2 }));
    expect(tab.yamlCode).toMatch(/TAB|INDENT|BAD/);
    expect(tab.line).toBe(2);
    const indent = parseError(() => updateYaml('a:\n  b: 1\n c: 2\n', { path: 'a.c', value: 2 }));
    expect(indent.line).toBe(3);
    expect(indent.col).toBeGreaterThanOrEqual(1);
  });

  it('X2: duplicate keys on the path are refused on the default path, anywhere with validate: full', () => {
    const source = 'image:\n  tag: v1\nimage:\n  tag: v2\n';
    expect(() => updateYaml(source, { path: 'image.tag', value: 'v3' })).toThrow(DuplicateKeyError);
    const elsewhere = 'a: 1\nb:\n  x: 1\n  x: 2\n';
    const error = (() => {
      try {
        updateYaml(elsewhere, { path: 'a', value: 2 }, { validate: 'full' });
      } catch (caught) {
        return caught as DuplicateKeyError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DuplicateKeyError);
    expect(error?.code).toBe('YAML_DUPLICATE_KEY');
    expect(error?.key).toBe('x');
    expect(error?.line).toBe(4);
  });

  it('X3: an alias bomb is edited in bounded time and refused when read', () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let level = 1; level < 9; level += 1) {
      const previous = names[level - 1];
      levels.push(`${names[level]}: &${names[level]} [${Array(9).fill(`*${previous}`).join(',')}]`);
    }
    const bomb = `${levels.join('\n')}\ntag: v1\n`;
    const started = performance.now();
    const result = updateYaml(bomb, { path: 'tag', value: 'v2' }, { validate: 'full' });
    expect(result.text.endsWith('tag: v2\n')).toBe(true);
    expect(performance.now() - started).toBeLessThan(5000);
    const read = parseError(() => getYamlValue(bomb, 'i'));
    expect(read.yamlCode).toBe('RESOURCE_EXHAUSTION');
    const many = parseError(() =>
      updateYaml(bomb, { path: 'tag', value: 'v3' }, { validate: 'full', maxAliasCount: 10 }),
    );
    expect(many.yamlCode).toBe('RESOURCE_EXHAUSTION');
  });

  it('X4: deep nesting is refused before the parser runs out of memory', () => {
    const deep = `tag: v1\nx: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    const started = performance.now();
    const error = parseError(() => updateYaml(deep, { path: 'tag', value: 'v2' }, { validate: 'full' }));
    expect(error.yamlCode).toBe('RESOURCE_EXHAUSTION');
    expect(performance.now() - started).toBeLessThan(2000);
    const deepBlock = `${Array.from({ length: 300 }, (_, depth) => `${' '.repeat(depth)}k${depth}:`).join('\n')} 1\n`;
    expect(
      parseError(() => updateYaml(deepBlock, { path: 'k0', value: 1 }, { validate: 'full' })).yamlCode,
    ).toBe('RESOURCE_EXHAUSTION');
  });

  it('X5: the byte cap applies to strings and bytes before parsing', () => {
    expect(() => updateYaml('a: 1\n'.repeat(100), { path: 'a', value: 1 }, { maxBytes: 100 })).toThrow(
      ValuesFileTooLargeError,
    );
    expect(() => updateYaml(new Uint8Array(1000), { path: 'a', value: 1 }, { maxBytes: 999 })).toThrow(
      ValuesFileTooLargeError,
    );
    // Multi-byte characters count as bytes, not UTF-16 units.
    expect(() => updateYaml(`a: ${'é'.repeat(60)}\n`, { path: 'a', value: 1 }, { maxBytes: 100 })).toThrow(
      ValuesFileTooLargeError,
    );
    try {
      updateYaml('x'.repeat(50), { path: 'a', value: 1 }, { maxBytes: 10 });
    } catch (error) {
      expect((error as ValuesFileTooLargeError).code).toBe('VALUES_FILE_TOO_LARGE');
      expect((error as ValuesFileTooLargeError).sizeBytes).toBe(50);
    }
  });

  it('X5: a flat map with many keys stays fast (duplicate check is linear)', () => {
    const keys = Array.from({ length: 16_000 }, (_, index) => `key${index}: value${index}`).join('\n');
    const source = `${keys}\n`;
    const started = performance.now();
    const result = updateYaml(source, { path: 'key15999', value: 'x' }, { validate: 'full' });
    expect(result.text.endsWith('key15999: x\n')).toBe(true);
    // yaml's own duplicate check is quadratic (over 8 s here for this shape); ours keeps the whole call near the
    // parse time. The bound is loose because the test machine is shared.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('rejects bytes that are not UTF-8', () => {
    const error = parseError(() =>
      updateYaml(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0x0a]), { path: 'a', value: 1 }),
    );
    expect(error.yamlCode).toBe('INVALID_UTF8');
  });

  it('X16: CRLF + BOM file: only the edited line changes', () => {
    const source = '\uFEFF# values\r\nimage:\r\n  repository: x\r\n  tag: "v1"\r\n\r\nother: 1\r\n';
    const result = updateYaml(source, { path: 'image.tag', value: 'v2' });
    expect(result.text).toBe(source.replace('"v1"', '"v2"'));
  });
});

describe('getYamlValue', () => {
  const source =
    'image: &img\n  repository: x\n  tag: "1.20"\nsub:\n  image: *img\nlist:\n- name: a\n  v: 1\n';

  it('reads scalars, collections and selector paths, following aliases', () => {
    expect(getYamlValue(source, 'image.tag')).toBe('1.20');
    expect(getYamlValue(source, 'sub.image.repository')).toBe('x');
    expect(getYamlValue(source, 'list[name=a].v')).toBe(1);
    expect(getYamlValue(source, 'image')).toEqual({ repository: 'x', tag: '1.20' });
  });

  it('returns undefined for a missing path', () => {
    expect(getYamlValue(source, 'image.digest')).toBeUndefined();
    expect(getYamlValue('', 'a')).toBeUndefined();
  });
});
