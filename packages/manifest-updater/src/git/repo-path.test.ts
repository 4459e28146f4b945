import { ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { PathOutsideRepoError } from './errors.js';
import { assertBranchName, assertRepoRelativePath } from './repo-path.js';

describe('assertRepoRelativePath', () => {
  it.each([
    '',
    '/etc/passwd',
    'C:/x',
    '../x',
    'a/../../x',
    'a/./b',
    'a//b',
    'a\\b',
    'a\0b',
    '.git/config',
    'sub/.GIT/hooks/x',
    'trailing/',
  ])('rejects %j', (file) => {
    expect(() => assertRepoRelativePath(file)).toThrow(PathOutsideRepoError);
  });

  it('accepts plain relative paths and splits them', () => {
    expect(assertRepoRelativePath('helm/my-values.yaml')).toEqual(['helm', 'my-values.yaml']);
    expect(assertRepoRelativePath('.github/x..y/.gitignore')).toEqual(['.github', 'x..y', '.gitignore']);
  });
});

describe('assertBranchName', () => {
  it.each([
    '',
    'a..b',
    'a b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    '-a',
    '/a',
    'a/',
    'a.',
    'a//b',
    'a@{1}',
    '@',
    '.a',
    'a/.b',
    'a.lock',
    'refs/heads/main',
    'a\tb',
  ])('rejects %j', (branch) => {
    expect(() => assertBranchName(branch)).toThrow(ValidationError);
  });
  it.each(['main', 'release/1.2', 'update/my-app-v2', 'feature_x', 'a-b.c'])('accepts %j', (branch) => {
    expect(() => assertBranchName(branch)).not.toThrow();
  });
});
