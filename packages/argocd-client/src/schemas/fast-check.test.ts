import { ResponseValidationError } from '@gitops-kit/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { realisticApplication } from '../../bench/realistic-applications.js';
import { applicationListSchema, applicationSchema } from './application-schema.js';
import { compileCheck, validateResponse } from './fast-check.js';
import { applicationWatchEventSchema } from './stream-schemas.js';

describe('compiled schema checks', () => {
  const samples: unknown[] = [
    realisticApplication(1),
    { metadata: {} },
    { metadata: { name: 1 } },
    { metadata: null },
    {},
    { metadata: { name: 'a', labels: { a: 1 } } },
    { metadata: { name: 'a' }, status: { history: [{ revision: 'x' }] } },
    { metadata: { name: 'a' }, status: { history: [{ id: 1 }], resources: null } },
    {
      metadata: { name: 'a' },
      operation: null,
      status: { sync: { status: 'Synced' }, health: { status: 7 } },
    },
    {
      metadata: { name: 'a' },
      spec: { source: { helm: { parameters: [{ name: 'x', forceString: 'yes' }] } } },
    },
    [],
    'text',
    null,
  ];

  it('agrees with zod on valid and invalid applications', () => {
    for (const sample of samples) {
      expect(compileCheck(applicationSchema)(sample)).toBe(applicationSchema.safeParse(sample).success);
    }
    const events = [
      { type: 'ADDED', application: realisticApplication(2) },
      { type: 'BOOKMARK', application: realisticApplication(2) },
      { type: 'ADDED' },
    ];
    for (const event of events) {
      expect(compileCheck(applicationWatchEventSchema)(event)).toBe(
        applicationWatchEventSchema.safeParse(event).success,
      );
    }
    const required = z.looseObject({ a: z.unknown(), b: z.string().nullish(), c: z.number() });
    for (const sample of [{ a: 1, c: 1 }, { c: 1 }, { a: 1, c: Number.NaN }, { a: 1, b: null, c: 2 }]) {
      expect(compileCheck(required)(sample)).toBe(required.safeParse(sample).success);
    }
  });

  it('returns the parsed JSON itself when valid and zod issues when not', () => {
    const body = { items: [realisticApplication(3)] };
    expect(validateResponse(applicationListSchema, body, 'GET /x')).toBe(body);
    expect(() =>
      validateResponse(applicationListSchema, { items: [{ metadata: { name: 5 } }] }, 'GET /x'),
    ).toThrow(ResponseValidationError);
  });
});
