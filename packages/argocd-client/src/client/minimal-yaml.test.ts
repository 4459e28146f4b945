import { describe, expect, it } from 'vitest';
import { parseMinimalYaml } from './minimal-yaml.js';

describe('parseMinimalYaml', () => {
  it('reads the argocd CLI config layout', () => {
    const text = [
      'contexts:',
      '- name: argocd.example.com',
      '  server: argocd.example.com',
      '  user: argocd.example.com',
      'current-context: argocd.example.com',
      'prompts-enabled: false',
      'servers:',
      '- grpc-web-root-path: "/argo"',
      '  insecure: true',
      '  server: argocd.example.com',
      'users:',
      "- auth-token: 'abc:def'",
      '  name: argocd.example.com',
      '',
    ].join('\n');
    expect(parseMinimalYaml(text)).toEqual({
      contexts: [{ name: 'argocd.example.com', server: 'argocd.example.com', user: 'argocd.example.com' }],
      'current-context': 'argocd.example.com',
      'prompts-enabled': false,
      servers: [{ 'grpc-web-root-path': '/argo', insecure: true, server: 'argocd.example.com' }],
      users: [{ 'auth-token': 'abc:def', name: 'argocd.example.com' }],
    });
  });

  it('accepts nested mappings, indented sequences and JSON', () => {
    expect(parseMinimalYaml('a:\n  b: 1\n  c:\n    - x\n    - "y"\nd: ~\n')).toEqual({
      a: { b: 1, c: ['x', 'y'] },
      d: null,
    });
    expect(parseMinimalYaml('{"a": [1]}')).toEqual({ a: [1] });
  });

  it('rejects constructs it does not understand', () => {
    expect(() => parseMinimalYaml('a: &anchor 1\n')).toThrow(SyntaxError);
    expect(() => parseMinimalYaml('a: 1\n   b: 2\n')).toThrow(SyntaxError);
  });
});
