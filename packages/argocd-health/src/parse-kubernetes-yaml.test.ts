import { describe, expect, it } from 'vitest';
import { HealthConfigurationError } from './errors.js';
import { indentQuotedContinuations, parseKubernetesYaml } from './parse-kubernetes-yaml.js';

describe('parseKubernetesYaml', () => {
  it('reads YAML 1.1 booleans and keeps timestamps as strings', () => {
    const [object] = parseKubernetesYaml(
      'kind: X\nspec:\n  enabled: on\n  off: no\n  at: 2024-01-02T03:04:05Z\n',
    );
    expect(object).toEqual({ kind: 'X', spec: { enabled: true, false: false, at: '2024-01-02T03:04:05Z' } });
  });

  it('reads every document and lets a duplicate key win', () => {
    const objects = parseKubernetesYaml('kind: A\nkind: B\n---\n---\nkind: C\n');
    expect(objects).toEqual([{ kind: 'B' }, { kind: 'C' }]);
  });

  it('accepts a quoted scalar continued at its key indentation, as go-yaml does', () => {
    const text =
      "status:\n  conditions:\n    - type: Ready\n      message: 'first line\n      second line'\n      reason: Done\n";
    expect(indentQuotedContinuations(text)).toContain("       second line'");
    expect(parseKubernetesYaml(text)).toEqual([
      { status: { conditions: [{ type: 'Ready', message: 'first line second line', reason: 'Done' }] } },
    ]);
  });

  it('rejects invalid YAML and non-mapping documents', () => {
    expect(() => parseKubernetesYaml('a: [')).toThrow(HealthConfigurationError);
    expect(() => parseKubernetesYaml('- a\n- b\n')).toThrow(/mapping/);
  });
});
