import { describe, expect, it } from 'vitest';
import { updateYaml } from '../yaml/update-yaml.js';
import { diffText } from './diff-text.js';

describe('diffText', () => {
  it('gives a unified diff of one changed line', () => {
    const before = 'a: 1\nimage:\n  tag: v1\nz: 2\n';
    const { text } = updateYaml(before, { path: 'image.tag', value: 'v2' });
    const patch = diffText(before, text, { fileName: 'values.yaml' });
    expect(patch).toContain('--- values.yaml');
    expect(patch).toContain('+++ values.yaml');
    expect(patch).toContain('-  tag: v1\n+  tag: v2\n');
    expect(patch.split('\n').filter((line) => /^[-+][^-+]/.test(line))).toEqual(['-  tag: v1', '+  tag: v2']);
  });

  it('is empty for equal texts and honours contextLines', () => {
    expect(diffText('a: 1\n', 'a: 1\n')).toBe('');
    const before = Array.from({ length: 20 }, (_, index) => `k${index}: ${index}`).join('\n');
    const after = before.replace('k10: 10', 'k10: x');
    expect(diffText(before, after, { contextLines: 0 })).not.toContain('k9: 9');
    expect(diffText(before, after)).toContain(' k9: 9');
  });
});
