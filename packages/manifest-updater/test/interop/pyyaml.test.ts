import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { updateYaml } from '../../src/index.js';

/**
 * The quoting rule against PyYAML (Debian's python3-yaml), a YAML 1.1 implementation we did not write, and
 * against the `yaml` package in 1.2 and 1.1 modes: every string `updateYaml` writes must read back as exactly that
 * string, as a value, inside a flow sequence and as a new key.
 */

const PYTHON_READER = String.raw`
import json, sys
try:
    import yaml
except ImportError:
    sys.stderr.write("python3-yaml (PyYAML) is missing: apt-get install python3-yaml\n")
    sys.exit(3)
out = []
for case in json.load(sys.stdin):
    try:
        node = yaml.safe_load(case["text"])
        for segment in case["path"]:
            node = node[segment]
        if case.get("key") is not None:
            node = case["key"] if case["key"] in node and isinstance(list(node.keys())[0], str) else {"keys": [repr(k) for k in node.keys()]}
        out.append(node if isinstance(node, str) else {"type": type(node).__name__, "repr": repr(node)})
    except Exception as error:
        out.append({"error": type(error).__name__ + ": " + str(error)[:200]})
json.dump(out, sys.stdout)
`;

// Strings readers type in some way: words, numbers in every base and grouping, sexagesimal, timestamps, special
// floats, the 1.1 merge/value/yaml types, indicators and whitespace.
const NAMED = [
  ...['y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF'],
  ...['true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'null', 'Null', 'NULL', '~', 'yES', 'nULL', 'oN'],
  ...[
    '=',
    '<<',
    '!',
    '&',
    '*',
    '|',
    '>',
    '%',
    '@',
    '`',
    '#',
    '-',
    '?',
    ':',
    ',',
    '[',
    ']',
    '{',
    '}',
    "'",
    '"',
  ],
  ...[
    '0',
    '00',
    '012',
    '09',
    '0o12',
    '0O12',
    '0x1F',
    '0X1f',
    '0b101',
    '0B101',
    '-0b1',
    '+0x_1',
    '1_000',
    '1,000',
  ],
  ...['1e5', '1E5', '1e+5', '1.5e-3', '1.', '.5', '.', '-.5', '+1', '-1', '+.inf', '.inf', '-.Inf', '.INF'],
  ...['.NaN', '.nan', '.NAN', 'nan', 'NaN', 'inf', 'Inf', '+inf', '-Infinity', '+INFINITY', '1:20', '-1:20'],
  ...['190:20:30.15', '1:20:30', '12:30:45', '2001-12-14', '2001-1-2', '2001-12-14t21:59:43.10-05:00'],
  ...[
    '2001-12-14 21:59:43.10 -5',
    '2001-12-14T21:59:43Z',
    '2002-12-14',
    '0777',
    '0o777',
    '0x1p-2',
    '0x1.8p1',
  ],
  ...['1e', 'e5', '._', '_1', '1__', '1_', '-_1', '0x_', '1.2.3', 'v1.2.3', '1.20', '0.1', '1_0.5', '1,2,3'],
  ...['1.2.3-alpine', '2024-01-15-abc', 'sha256:abc', 'a: b', 'a #b', 'a#b', ' lead', 'trail ', '- x', '-x'],
  ...['? x', '?x', ':x', 'x:', 'x: ', 'tab\tin', 'line\nbreak', 'back\\slash', "it's", 'say "hi"', 'ünïcödé'],
  ...['%TAG', '@at', '!tag', '&anchor', '*alias', '|literal', '>folded', '---', '...', '[a, b]', '{a: b}'],
];

// Every string of up to three characters over an alphabet of number syntax.
function generated(): string[] {
  const alphabet = ['0', '1', '8', '.', '_', '-', '+', ':', 'e', 'x', 'b', 'o', 'n', ','];
  const out: string[] = [];
  for (const a of alphabet) {
    out.push(a);
    for (const b of alphabet) {
      out.push(a + b);
      for (const c of alphabet) out.push(a + b + c);
    }
  }
  return out;
}

const CANDIDATES = [...new Set([...NAMED, ...generated()])];

interface Case {
  readonly candidate: string;
  readonly form: string;
  readonly text: string;
  readonly path: (string | number)[];
  readonly key?: string;
}

type Edit = (candidate: string) => { text: string; path: (string | number)[]; key?: string };

const EDITS: Record<string, Edit> = {
  value: (candidate) => ({
    text: updateYaml('key: old # comment\nother: 1\n', { path: 'key', value: candidate }).text,
    path: ['key'],
  }),
  'flow item': (candidate) => ({
    text: updateYaml('list: [a, old, c]\n', { path: 'list.1', value: candidate }).text,
    path: ['list', 1],
  }),
  'created value': (candidate) => ({
    text: updateYaml('other: 1\n', { path: ['parent', 'leaf'], value: candidate }, { createMissing: true })
      .text,
    path: ['parent', 'leaf'],
  }),
  'created key': (candidate) => ({
    text: updateYaml('other: 1\n', { path: ['parent', candidate], value: 'v' }, { createMissing: true }).text,
    path: ['parent'],
    key: candidate,
  }),
};

function buildCases(): { cases: Case[]; failures: string[] } {
  const cases: Case[] = [];
  const failures: string[] = [];
  for (const candidate of CANDIDATES) {
    for (const [form, edit] of Object.entries(EDITS)) {
      if (form === 'created key' && (candidate === '' || /[\n\t]/.test(candidate))) continue;
      try {
        cases.push({ candidate, form, ...edit(candidate) });
      } catch (error) {
        failures.push(
          `${form} ${JSON.stringify(candidate)}: ${(error as Error).name}: ${(error as Error).message}`,
        );
      }
    }
  }
  return { cases, failures };
}

function describeMismatch(entry: Case, read: unknown): string {
  return `${entry.form} ${JSON.stringify(entry.candidate)} written as ${JSON.stringify(entry.text)} reads as ${JSON.stringify(read)}`;
}

let cases: Case[];
let failures: string[];

// Thousands of edits and one Python process reading them all: generous bounds for a loaded machine.
const SLOW_MS = 180_000;

beforeAll(() => {
  ({ cases, failures } = buildCases());
}, SLOW_MS);

describe('strings updateYaml writes read back as the same strings', () => {
  it('every string can be written', () => {
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(CANDIDATES.length * 3);
  });

  it(
    'in PyYAML (YAML 1.1)',
    () => {
      const python = spawnSync('python3', ['-c', PYTHON_READER], {
        input: JSON.stringify(cases.map(({ text, path, key }) => ({ text, path, key: key ?? null }))),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (python.error !== undefined || python.status !== 0) {
        throw new Error(
          `python3 with PyYAML is needed for this interop test (Debian: apt-get install python3 python3-yaml): ${python.error?.message ?? python.stderr}`,
        );
      }
      const results = JSON.parse(python.stdout) as unknown[];
      expect(results).toHaveLength(cases.length);
      const mismatches = cases.flatMap((entry, index) => {
        const read = results[index];
        const expected = entry.key ?? entry.candidate;
        return read === expected ? [] : [describeMismatch(entry, read)];
      });
      expect(mismatches).toEqual([]);
    },
    SLOW_MS,
  );

  it.each(['1.2', '1.1'] as const)(
    'in the yaml package (YAML %s)',
    (version) => {
      const mismatches = cases.flatMap((entry) => {
        let node: unknown = parse(entry.text, { version });
        for (const segment of entry.path) node = (node as Record<string | number, unknown>)[segment];
        const read = entry.key !== undefined ? Object.keys(node as object)[0] : node;
        const expected = entry.key ?? entry.candidate;
        return read === expected ? [] : [describeMismatch(entry, read)];
      });
      expect(mismatches).toEqual([]);
    },
    SLOW_MS,
  );

  it('keeps strings that no reader types plain (version tags, words, paths)', () => {
    for (const plain of [
      '1.2.3',
      'v1.2.3',
      '1.2.3-alpine',
      'nginx',
      'registry.example.com/app',
      '_1',
      'x5',
    ]) {
      expect(updateYaml('key: old\n', { path: 'key', value: plain }).text).toBe(`key: ${plain}\n`);
    }
  });

  it('files with lone CR or mixed line endings read back in PyYAML as edited', () => {
    const sources = [
      'image:\r  repository: nginx\r  tag: v1\rreplicas: 2\r',
      'image:\r\n  repository: nginx\r  tag: v1\nreplicas: 2\r\n',
    ];
    const edited = sources.map(
      (source) =>
        updateYaml(
          source,
          [
            { path: 'image.tag', value: '=' },
            { path: 'image.digest', value: '<<' },
            { path: 'replicas', value: 3 },
          ],
          { createMissing: true },
        ).text,
    );
    const python = spawnSync(
      'python3',
      ['-c', 'import json, sys, yaml\nprint(json.dumps([yaml.safe_load(t) for t in json.load(sys.stdin)]))'],
      { input: JSON.stringify(edited), encoding: 'utf8' },
    );
    expect(python.status, python.stderr).toBe(0);
    const expected = { image: { repository: 'nginx', tag: '=', digest: '<<' }, replicas: 3 };
    expect(JSON.parse(python.stdout)).toEqual([expected, expected]);
  });
});
