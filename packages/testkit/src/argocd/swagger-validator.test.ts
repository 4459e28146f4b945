import { describe, expect, it } from 'vitest';
import { createArgoCDSwaggerValidator } from './swagger-validator.js';

const validator = createArgoCDSwaggerValidator();

describe('createArgoCDSwaggerValidator', () => {
  it('accepts a wire-accurate sync request (syncOptions as {items}, hook strategy inline, numeric positions)', () => {
    const result = validator.validateRequest({
      method: 'POST',
      path: '/api/v1/applications/guestbook/sync',
      body: {
        name: 'guestbook',
        revision: 'abc',
        prune: true,
        strategy: { hook: { force: true } },
        syncOptions: { items: ['ServerSideApply=true'] },
        sourcePositions: [1],
        infos: [{ name: 'by', value: 'ci' }],
      },
    });
    expect(result.issues).toEqual([]);
    expect(result.operation?.operationId).toBe('ApplicationService_Sync');
  });

  it('rejects syncOptions sent as an array with a Go-style decode message', () => {
    const result = validator.validateRequest({
      method: 'POST',
      path: '/api/v1/applications/guestbook/sync',
      body: { syncOptions: ['Prune=true'] },
    });
    expect(result.valid).toBe(false);
    expect(result.issues[0]?.message).toBe(
      'json: cannot unmarshal array into Go struct field ApplicationSyncRequest.syncOptions of type object',
    );
  });

  it('rejects unknown body fields unless told not to', () => {
    const request = { method: 'POST', path: '/api/v1/applications/a/sync', body: { prunne: true } };
    expect(validator.validateRequest(request).issues[0]?.message).toBe('json: unknown field "prunne"');
    expect(createArgoCDSwaggerValidator({ rejectUnknownFields: false }).validateRequest(request).valid).toBe(
      true,
    );
  });

  it('prefers literal path segments and checks query parameter names and repetition', () => {
    expect(validator.matchOperation('PUT', '/api/v1/applications/a/spec')?.operationId).toBe(
      'ApplicationService_UpdateSpec',
    );
    expect(
      validator.validateRequest({
        method: 'GET',
        path: '/api/v1/applications',
        query: new URLSearchParams([
          ['projects', 'a'],
          ['projects', 'b'],
          ['fields', 'items.metadata.name'],
        ]),
      }).valid,
    ).toBe(true);
    const bad = validator.validateRequest({
      method: 'GET',
      path: '/api/v1/applications',
      query: { search: 'x' },
    });
    expect(bad.issues).toEqual([
      { location: 'query', field: 'search', message: 'unknown query parameter "search"' },
    ]);
  });

  it('reports unknown paths and methods', () => {
    expect(validator.validateRequest({ method: 'GET', path: '/api/v1/nope' }).issues[0]?.location).toBe(
      'path',
    );
    expect(validator.validateRequest({ method: 'PATCH', path: '/api/v1/session' }).issues[0]?.location).toBe(
      'method',
    );
  });

  it('accepts a percent-encoded repository URL as one path segment', () => {
    const path = `/api/v1/repositories/${encodeURIComponent('https://git.example/org/repo.git')}`;
    expect(validator.matchOperation('GET', path)?.operationId).toBe('RepositoryService_Get');
  });

  it('accepts JSON null wherever Go encoding/json ignores it, and decodes it like the gateway', () => {
    const body = {
      resources: null,
      prune: null,
      syncOptions: { items: null },
      strategy: null,
      infos: [null, { name: 'by', value: null }],
    };
    const result = validator.validateRequest({ method: 'POST', path: '/api/v1/applications/a/sync', body });
    expect(result.issues).toEqual([]);
    // Struct fields: gone; slice elements: the zero value of the element type (an empty struct).
    expect(validator.decodeBody('POST', '/api/v1/applications/a/sync', body)).toEqual({
      syncOptions: {},
      infos: [{}, { name: 'by' }],
    });
    // Map values stay as keys with the zero value, as encoding/json does for map[string]string.
    expect(
      validator.decodeBody('POST', '/api/v1/applications', {
        metadata: { name: 'a', labels: { team: null } },
      }),
    ).toEqual({ metadata: { name: 'a', labels: { team: '' } } });
    // A null body decodes to nothing; a null string body (RunResourceAction's action) likewise.
    expect(validator.decodeBody('POST', '/api/v1/applications/a/sync', null)).toBeUndefined();
    expect(
      validator.validateRequest({ method: 'POST', path: '/api/v1/applications/a/sync', body: null }).valid,
    ).toBe(true);
  });
});
