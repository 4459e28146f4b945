import { ValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { apiPath } from '../client/api-path.js';
import { assertResourceName, parseApplicationName } from './names.js';

describe('application names (X13)', () => {
  it.each([
    '',
    '..',
    'a/b/c',
    'name?x=1',
    '%2F',
    ' web',
    'web\n',
    'Web',
    'x'.repeat(254),
    'wéb',
    '-web',
    'web-',
  ])('rejects %j', (name) => {
    expect(() => parseApplicationName(name)).toThrow(ValidationError);
  });

  it('accepts DNS-1123 names and ns/name', () => {
    expect(parseApplicationName('guest-book.v2')).toEqual({ name: 'guest-book.v2', appNamespace: undefined });
    expect(parseApplicationName('team-a/web')).toEqual({ name: 'web', appNamespace: 'team-a' });
    expect(parseApplicationName('web', 'team-b')).toEqual({ name: 'web', appNamespace: 'team-b' });
    expect(() => parseApplicationName('team-a/web', 'team-b')).toThrow(ValidationError);
    expect(() => assertResourceName('x'.repeat(253), 'name')).not.toThrow();
  });

  it('encodes every path parameter', () => {
    expect(apiPath('/api/v1/repositories/{repo}', { repo: 'https://h/a b.git' })).toBe(
      '/api/v1/repositories/https%3A%2F%2Fh%2Fa%20b.git',
    );
    expect(() => apiPath('/api/v1/projects/{name}', {})).toThrow(ValidationError);
  });
});
