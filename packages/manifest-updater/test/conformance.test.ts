import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConformance } from '../scripts/conformance.js';

const HEADER =
  'file\trepository\tpath\tcommit\tlast_commit_touching_file\tyaml_paths\tmissing_paths\tfeatures';
const root = mkdtempSync(join(tmpdir(), 'conformance-'));

function corpus(name: string, values: Record<string, [string, string, string]>): string {
  const directory = join(root, name);
  mkdirSync(join(directory, 'values'), { recursive: true });
  const rows = [HEADER];
  for (const [file, [text, paths, missing]] of Object.entries(values)) {
    writeFileSync(join(directory, 'values', file), text);
    rows.push(`${file}\towner/repo\tvalues.yaml\t0\t0\t${paths}\t${missing}\t`);
  }
  writeFileSync(join(directory, 'values', 'index.tsv'), `${rows.join('\n')}\n`);
  return directory;
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('scripts/conformance.ts', () => {
  it('passes on well-formed fixtures and reports the counts', () => {
    const directory = corpus('ok', {
      'a.yaml': [
        '# demo\nimage:\n  repository: x # r\n  tag: ""\n\nlist:\n- name: a\n  v: 1\n',
        'image.tag;list.0.v',
        '',
      ],
      'b.yaml': ['other: 1\r\n', 'image.tag', 'image.tag'],
      'empty.yaml': ['', 'image.tag', 'image.tag'],
    });
    const lines: string[] = [];
    expect(runConformance(directory, (line) => lines.push(line))).toBe(0);
    const report = lines.join('\n');
    expect(report).toContain('files 3, paths 4, edits 20');
    expect(report).toContain('misses: 0');
    expect(report).toMatch(/\(a\) existing key, exactly one line changed: 10/);
    expect(report).toMatch(/\(b\) missing key, only lines added: +10/);
  });

  it('fails with the miss listed when a path cannot be edited', () => {
    const directory = corpus('bad', { 'c.yaml': ['image:\n  tag: v1\n', 'image.digest', ''] });
    const lines: string[] = [];
    expect(runConformance(directory, (line) => lines.push(line))).toBe(1);
    expect(lines.join('\n')).toContain('MISS values/c.yaml image.digest');
  });

  it('skips, saying where the corpus comes from, when it is absent outside CI', () => {
    const lines: string[] = [];
    expect(runConformance(join(root, 'missing'), (line) => lines.push(line), false)).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`conformance skipped: corpus not found at ${join(root, 'missing')}`);
    expect(lines[0]).toContain('GITOPS_KIT_CORPUS');
  });

  it('fails when the corpus is absent in CI', () => {
    const lines: string[] = [];
    expect(runConformance(join(root, 'missing'), (line) => lines.push(line), true)).toBe(1);
    expect(lines[0]).toContain('conformance FAILED: corpus not found');
  });
});
