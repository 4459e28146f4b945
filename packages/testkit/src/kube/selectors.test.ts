import { describe, expect, it } from 'vitest';
import { KubeEmulatorStatusError } from './kube-status.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('parseLabelSelector', () => {
  const labels = { app: 'web', 'tekton.dev/pipelineRun': 'run-1', tier: 'front' };

  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app in (api, web)', true],
    ['app notin (api,web)', false],
    ['tier', true],
    ['!tier', false],
    ['missing!=x', true],
    ['missing in (x)', false],
    ['tekton.dev/pipelineRun=run-1,app in (web)', true],
    ['tekton.dev/pipelineRun=run-2,app in (web)', false],
  ])('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector)(labels)).toBe(expected);
  });

  it('rejects invalid keys with a 400 Status', () => {
    expect(() => parseLabelSelector('bad key=x')).toThrow(KubeEmulatorStatusError);
    expect(() => parseLabelSelector('-x=y')).toThrow(/invalid label key/);
  });
});

describe('parseFieldSelector', () => {
  it('matches supported fields and rejects others', () => {
    const selector = parseFieldSelector('metadata.name=a,metadata.namespace!=kube-system', [
      'metadata.name',
      'metadata.namespace',
    ]);
    expect(selector({ 'metadata.name': 'a', 'metadata.namespace': 'ci' })).toBe(true);
    expect(selector({ 'metadata.name': 'a', 'metadata.namespace': 'kube-system' })).toBe(false);
    expect(() => parseFieldSelector('spec.x=1', ['metadata.name'])).toThrow(
      'field label not supported: spec.x',
    );
  });
});
