import { describe, expect, it } from 'vitest';
import { isScalar, parseDocument } from 'yaml';
import type { YamlScalarValue } from './scalar-style.js';
import { updateYaml } from './update-yaml.js';
import { YamlEditVerificationError } from './yaml-errors.js';

// The rule (README, "Explicit tags"): the tag stays; the value must be one the tag holds, written so it reads back
// under the tag; otherwise YamlEditVerificationError. Written independently of the implementation's tables.
const TAGS: Record<string, { source: string; uri: string; holds: (value: YamlScalarValue) => boolean }> = {
  '!!str': { source: '!!str', uri: 'tag:yaml.org,2002:str', holds: (v) => typeof v === 'string' },
  '!!int': { source: '!!int', uri: 'tag:yaml.org,2002:int', holds: (v) => Number.isInteger(v) },
  '!!float': { source: '!!float', uri: 'tag:yaml.org,2002:float', holds: (v) => typeof v === 'number' },
  '!!bool': { source: '!!bool', uri: 'tag:yaml.org,2002:bool', holds: (v) => typeof v === 'boolean' },
  '!!null': { source: '!!null', uri: 'tag:yaml.org,2002:null', holds: (v) => v === null },
  verbatim: {
    source: '!<tag:yaml.org,2002:int>',
    uri: 'tag:yaml.org,2002:int',
    holds: (v) => Number.isInteger(v),
  },
  local: { source: '!Ref', uri: '!Ref', holds: (v) => typeof v === 'string' },
  // Neither reads back as a string, whatever is written.
  '!!binary': { source: '!!binary', uri: 'tag:yaml.org,2002:binary', holds: () => false },
  '!!timestamp': { source: '!!timestamp', uri: 'tag:yaml.org,2002:timestamp', holds: () => false },
};

const OLD_TEXT: Record<string, string> = {
  '!!str': 'old',
  '!!int': '2',
  '!!float': '2.5',
  '!!bool': 'true',
  '!!null': 'null',
  verbatim: '2',
  local: 'MyBucket',
  '!!binary': 'aGVsbG8=',
  '!!timestamp': '2001-12-14',
};

const STYLES = {
  plain: (text: string) => text,
  double: (text: string) => `"${text}"`,
  single: (text: string) => `'${text}'`,
};
const VALUES: YamlScalarValue[] = ['v2', '3', '=', 7, 0, -12, 1.5, 3e21, true, false, null];

interface Combination {
  tag: string;
  style: keyof typeof STYLES;
  value: YamlScalarValue;
  validate: 'edit' | 'full';
  where: 'block' | 'flow';
}

function combinations(): Combination[] {
  const out: Combination[] = [];
  for (const tag of Object.keys(TAGS))
    for (const style of Object.keys(STYLES) as (keyof typeof STYLES)[])
      for (const value of VALUES)
        for (const validate of ['edit', 'full'] as const)
          for (const where of ['block', 'flow'] as const) out.push({ tag, style, value, validate, where });
  return out;
}

function sourceFor({ tag, style, where }: Combination): { text: string; path: (string | number)[] } {
  const scalar = `${TAGS[tag]!.source} ${STYLES[style](OLD_TEXT[tag]!)}`;
  if (where === 'flow') return { text: `list: [a, ${scalar}, c] # note\nother: 1\n`, path: ['list', 1] };
  return { text: `before: 1\nkey: ${scalar} # note\nafter: 2\n`, path: ['key'] };
}

function readBack(text: string, path: (string | number)[], version: '1.1' | '1.2') {
  const document = parseDocument(text, { version });
  expect(document.errors).toEqual([]);
  const node = document.getIn(path, true);
  if (!isScalar(node)) throw new Error(`no scalar at ${path.join('.')}`);
  return { tag: node.tag, value: node.value };
}

describe('explicit tags on the target', () => {
  it.each(
    combinations().map((c) => [
      `${c.tag} ${c.style} ← ${JSON.stringify(c.value)} (${c.validate}, ${c.where})`,
      c,
    ]),
  )('%s', (_name, combination) => {
    const { tag, value, validate } = combination as Combination;
    const { text, path } = sourceFor(combination as Combination);
    const before = readBack(text, path, '1.2');
    const unchanged = before.value === value || (before.value === null && value === null);
    let result: ReturnType<typeof updateYaml> | undefined;
    let failure: unknown;
    try {
      result = updateYaml(text, { path, value }, { validate });
    } catch (error) {
      failure = error;
    }
    if (!unchanged && !TAGS[tag]!.holds(value)) {
      expect(failure).toBeInstanceOf(YamlEditVerificationError);
      expect((failure as YamlEditVerificationError).code).toBe('YAML_EDIT_UNVERIFIED');
      return;
    }
    expect(failure).toBeUndefined();
    const edited = result!.text;
    for (const version of ['1.2', '1.1'] as const) {
      const read = readBack(edited, path, version);
      expect(read.tag).toBe(TAGS[tag]!.uri);
      expect(read.value).toBe(value);
    }
    // Only the scalar's own characters changed: the tag, its quotes, the comment and other lines stay.
    const tagSource = TAGS[tag]!.source;
    const scalar = `${tagSource} ${STYLES[(combination as Combination).style](OLD_TEXT[tag]!)}`;
    const at = text.indexOf(scalar);
    const head = text.slice(0, at + tagSource.length + 1);
    const tail = text.slice(at + scalar.length);
    expect(edited.startsWith(head)).toBe(true);
    expect(edited.endsWith(tail)).toBe(true);
    const quote = { plain: '', double: '"', single: "'" }[(combination as Combination).style];
    if (!unchanged && typeof value !== 'string') {
      expect(edited.slice(head.length, edited.length - tail.length)).toMatch(
        new RegExp(`^${quote}[^"']+${quote}$`),
      );
    }
  });

  it('a tag behind a %TAG handle is honoured too', () => {
    const text = '%TAG !e! tag:example.com,2000:\n---\nkey: !e!bucket old\n';
    const result = updateYaml(text, { path: 'key', value: 'new' });
    expect(result.text).toBe('%TAG !e! tag:example.com,2000:\n---\nkey: !e!bucket new\n');
    expect(() => updateYaml(text, { path: 'key', value: 3 })).toThrow(YamlEditVerificationError);
  });

  it('a block scalar under a tag is verified with its tag', () => {
    const text = 'key: !!binary |\n  aGVsbG8=\nother: 1\n';
    expect(() => updateYaml(text, { path: 'key', value: 'plain text' })).toThrow(YamlEditVerificationError);
    const literal = 'key: !!str |\n  line one\nother: 1\n';
    expect(updateYaml(literal, { path: 'key', value: 'two\nlines\n' }).text).toBe(
      'key: !!str |\n  two\n  lines\nother: 1\n',
    );
    expect(() => updateYaml(literal, { path: 'key', value: 5 })).toThrow(YamlEditVerificationError);
  });

  it('an empty tagged value takes only what the tag holds', () => {
    expect(updateYaml('key: !!str\nother: 1\n', { path: 'key', value: 'x' }).text).toBe(
      'key: !!str x\nother: 1\n',
    );
    expect(() => updateYaml('key: !!str\nother: 1\n', { path: 'key', value: 3 })).toThrow(
      YamlEditVerificationError,
    );
  });
});
