import { describe, expect, it } from 'vitest';
import { validatePipelineGraph } from './pipeline-graph.js';
import {
  evaluateWhen,
  paramResolver,
  resolveParams,
  resultReferences,
  substituteVariables,
} from './tekton-substitution.js';

describe('substituteVariables', () => {
  const resolve = paramResolver(
    { image: 'app:1', flags: ['-a', '-b'], config: { mode: 'fast' } },
    { 'tasks.clone.results.commit': 'abc' },
  );

  it('substitutes strings in place and whole array/object references', () => {
    expect(
      substituteVariables(
        { args: ['--image=$(params.image)', '$(params.flags[*])', '$(params["image"])'] },
        resolve,
      ),
    ).toEqual({ args: ['--image=app:1', '-a', '-b', 'app:1'] });
    expect(substituteVariables('$(params.config)', resolve)).toEqual({ mode: 'fast' });
    expect(substituteVariables('$(params.config.mode) at $(tasks.clone.results.commit)', resolve)).toBe(
      'fast at abc',
    );
    expect(substituteVariables('$(params.unknown)', resolve)).toBe('$(params.unknown)');
  });

  it('finds result references and evaluates when expressions', () => {
    expect([...resultReferences([{ value: '$(tasks.a.results.x) $(tasks.b-c.results.y)' }])]).toEqual([
      'a',
      'b-c',
    ]);
    expect(evaluateWhen([{ input: 'main', operator: 'in', values: ['main', 'dev'] }])).toBe(true);
    expect(evaluateWhen([{ input: 'main', operator: 'notin', values: ['main'] }])).toBe(false);
    expect(evaluateWhen([])).toBe(true);
  });

  it('overlays given params on defaults and reports the missing ones', () => {
    expect(
      resolveParams([{ name: 'a', default: '1' }, { name: 'b' }, { name: 'c' }], [{ name: 'b', value: '2' }]),
    ).toEqual({ values: { a: '1', b: '2' }, missing: ['c'] });
  });
});

describe('validatePipelineGraph', () => {
  it('accepts a DAG and reports unknown targets, finally runAfter and cycles', () => {
    expect(
      validatePipelineGraph([{ name: 'a' }, { name: 'b', runAfter: ['a'] }], [{ name: 'f' }]),
    ).toBeUndefined();
    expect(validatePipelineGraph([{ name: 'a', runAfter: ['x'] }], [])).toContain('unknown task "x"');
    expect(validatePipelineGraph([{ name: 'a' }], [{ name: 'f', runAfter: ['a'] }])).toContain(
      'no runAfter allowed under spec.finally',
    );
    expect(
      validatePipelineGraph(
        [
          { name: 'a', runAfter: ['b'] },
          { name: 'b', params: [{ name: 'p', value: '$(tasks.a.results.r)' }] },
        ],
        [],
      ),
    ).toContain('cycle detected');
    expect(validatePipelineGraph([{ name: 'a' }, { name: 'a' }], [])).toContain('duplicate');
  });
});
