import { describe, expect, it } from 'vitest';
import { changedLineNumbers, readAt } from './test-helpers.test-util.js';
import { updateYaml } from './update-yaml.js';

const SOURCE = 'image:\n  repository: x # repo\n  tag: v1 # tag\nlist: [a, b]\nmap: {k: v}\n';

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const HAZARDS = [
  '1.20',
  '0755',
  '0o17',
  '0x1F',
  'true',
  'True',
  'on',
  'On',
  'ON',
  'off',
  'no',
  'No',
  'NO',
  'yes',
  'y',
  'Y',
  'n',
  'null',
  'Null',
  '~',
  '1e3',
  '1E3',
  '12345',
  '-1',
  '+1',
  '.5',
  '.inf',
  '-.Inf',
  '.nan',
  '1_000',
  '1:20',
  '',
  ' ',
  'a: b',
  'a #b',
  '#a',
  '- x',
  '-',
  '?',
  ':',
  '@x',
  '`x',
  '*x',
  '&x',
  '!x',
  '%x',
  '|',
  '>',
  '[x]',
  '{x}',
  'x,y',
  "'q'",
  '"q"',
  'tab\there',
  'line1\nline2',
  'trailing ',
  ' leading',
  '2001-12-14',
  'v1.2.3',
  'sha256:abc',
  'ünïcödé',
  '\u0007bell',
  'a\\b',
];

describe('updateYaml: types survive under YAML 1.2 and 1.1', () => {
  it.each(HAZARDS)('writes the string %j so both versions read it back as that string', (value) => {
    const result = updateYaml(SOURCE, { path: 'image.tag', value });
    expect(changedLineNumbers(SOURCE, result.text)).toEqual([3]);
    expect(result.text).toContain('# tag\n');
    expect(readAt(result.text, ['image', 'tag'], '1.2')).toBe(value);
    expect(readAt(result.text, ['image', 'tag'], '1.1')).toBe(value);
  });

  it('quotes exactly the strings that would change type', () => {
    const written = (value: string) => updateYaml(SOURCE, { path: 'image.tag', value }).text.split('\n')[2];
    expect(written('1.20')).toBe('  tag: "1.20" # tag');
    expect(written('on')).toBe('  tag: "on" # tag');
    expect(written('')).toBe('  tag: "" # tag');
    expect(written('v1.2.3')).toBe('  tag: v1.2.3 # tag');
    expect(written('1.2.3')).toBe('  tag: 1.2.3 # tag');
  });

  it('writes numbers, booleans and null plain, and they read back as such', () => {
    for (const value of [42, 1.5, -3, 0, 1e21, true, false, null]) {
      const result = updateYaml(SOURCE, { path: 'image.tag', value });
      expect(readAt(result.text, ['image', 'tag'], '1.2')).toBe(value);
      expect(readAt(result.text, ['image', 'tag'], '1.1')).toBe(value);
      expect(result.text).not.toMatch(/tag: "/);
    }
    const quoted = 'a: "5"\n';
    expect(updateYaml(quoted, { path: 'a', value: 6 }).text).toBe('a: 6\n');
  });

  it('keeps types inside flow collections', () => {
    for (const value of ['x, y', 'true', '[z]', '{z}', 'a: b']) {
      const inSequence = updateYaml(SOURCE, { path: 'list.0', value });
      expect(readAt(inSequence.text, ['list', 0], '1.2')).toBe(value);
      expect(readAt(inSequence.text, ['list', 0], '1.1')).toBe(value);
      expect(readAt(inSequence.text, ['list', 1], '1.2')).toBe('b');
      const inMap = updateYaml(SOURCE, { path: 'map.k', value });
      expect(readAt(inMap.text, ['map', 'k'], '1.1')).toBe(value);
    }
  });

  it('property: random strings read back unchanged under both versions, one line changed', () => {
    const next = random(20261127);
    const alphabet = [
      'a',
      'Z',
      '0',
      '9',
      '.',
      '-',
      '_',
      ':',
      ' ',
      '#',
      '"',
      "'",
      '\\',
      '@',
      '/',
      '\n',
      '\t',
      'é',
      '[',
      '{',
      ',',
      '!',
      '&',
      '*',
      '?',
      '|',
      '>',
      '%',
      '~',
    ];
    for (let round = 0; round < 300; round += 1) {
      const length = Math.floor(next() * 12);
      let value = '';
      for (let index = 0; index < length; index += 1) value += alphabet[Math.floor(next() * alphabet.length)];
      if (next() < 0.3) value = HAZARDS[Math.floor(next() * HAZARDS.length)]!;
      const result = updateYaml(SOURCE, { path: 'image.tag', value });
      const changed = changedLineNumbers(SOURCE, result.text);
      expect(changed === -1 ? value : changed).toEqual(value === 'v1' ? [] : [3]);
      expect(readAt(result.text, ['image', 'tag'], '1.2')).toBe(value);
      expect(readAt(result.text, ['image', 'tag'], '1.1')).toBe(value);
      expect(readAt(result.text, ['image', 'repository'], '1.2')).toBe('x');
    }
  });

  it('property: random numbers and booleans read back with their type under both versions', () => {
    const next = random(7);
    for (let round = 0; round < 200; round += 1) {
      const pick = next();
      const value =
        pick < 0.3
          ? Math.floor((next() - 0.5) * 1e9)
          : pick < 0.6
            ? (next() - 0.5) * 10 ** Math.floor(next() * 30 - 10)
            : pick < 0.8
              ? next() < 0.5
              : null;
      const result = updateYaml(SOURCE, { path: 'image.tag', value });
      expect(readAt(result.text, ['image', 'tag'], '1.2')).toBe(value);
      expect(readAt(result.text, ['image', 'tag'], '1.1')).toBe(value);
    }
  });
});
