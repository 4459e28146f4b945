import { ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import type { Application } from '../schemas/application-schema.js';
import { helmParametersPatch, mergeHelmParameters } from './helm-parameters.js';

describe('Helm parameters (argocd app set -p)', () => {
  it('replaces same-named parameters in place and appends new ones', () => {
    expect(
      mergeHelmParameters(
        [
          { name: 'a', value: '1' },
          { name: 'b', value: '2' },
        ],
        { b: '3', c: '4' },
      ),
    ).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: '3' },
      { name: 'c', value: '4' },
    ]);
  });

  it('targets the right source and refuses non-Helm sources', () => {
    const single = {
      metadata: { name: 'x' },
      spec: { source: { repoURL: 'r', helm: { parameters: [] } } },
    } as Application;
    expect(helmParametersPatch(single, { a: '1' })).toEqual([
      { op: 'add', path: '/spec/source/helm/parameters', value: [{ name: 'a', value: '1' }] },
    ]);
    const chart = {
      metadata: { name: 'x' },
      spec: { source: { repoURL: 'r', chart: 'nginx' } },
    } as Application;
    expect(helmParametersPatch(chart, { a: '1' })[0]?.path).toBe('/spec/source/helm');
    const multi = {
      metadata: { name: 'x' },
      spec: {
        sources: [
          { repoURL: 'a', name: 'values' },
          { repoURL: 'b', name: 'chart', helm: {} },
        ],
      },
    } as Application;
    expect(() => helmParametersPatch(multi, { a: '1' })).toThrow(ValidationError);
    expect(helmParametersPatch(multi, { a: '1' }, { sourceName: 'chart' })[0]?.path).toBe(
      '/spec/sources/1/helm/parameters',
    );
    expect(() => helmParametersPatch(multi, { a: '1' }, { sourcePosition: 1 })).toThrow(
      /does not use a Helm source/,
    );
    const plain = {
      metadata: { name: 'x' },
      spec: { source: { repoURL: 'r', path: 'k8s' } },
      status: { sourceType: 'Directory' },
    } as Application;
    expect(() => helmParametersPatch(plain, { a: '1' })).toThrow(ValidationError);
  });
});
