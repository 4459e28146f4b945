import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { makeCanary } from '../../test/helpers/seeded-random.js';
import { ResponseValidationError } from '../errors/transport-errors.js';
import { formatPath, parseWithSchema } from './parse-with-schema.js';

describe('parseWithSchema', () => {
  const schema = z.object({
    metadata: z.object({ name: z.string().min(1) }),
    spec: z.object({ replicas: z.number().int().max(10), mode: z.literal('auto') }),
    phase: z.enum(['Running', 'Succeeded']),
  });

  it('returns the parsed value and keeps unknown fields out of the way', () => {
    const value = parseWithSchema(
      schema,
      {
        metadata: { name: 'a' },
        spec: { replicas: 2, mode: 'auto' },
        phase: 'Running',
        extra: true,
      },
      'GET /x',
    );
    expect(value.spec.replicas).toBe(2);
  });

  it('reports every failing path without any payload value', () => {
    const canary = makeCanary();
    let error: unknown;
    try {
      parseWithSchema(
        schema,
        { metadata: { name: 7 }, spec: { replicas: 99, mode: canary }, phase: canary },
        'GET /apps/demo',
      );
    } catch (caught) {
      error = caught;
    }
    expect(ResponseValidationError.isInstance(error)).toBe(true);
    const validation = error as ResponseValidationError;
    expect(validation.issues.map((issue) => formatPath(issue.path))).toEqual([
      'metadata.name',
      'spec.replicas',
      'spec.mode',
      'phase',
    ]);
    expect(validation.message).toContain('GET /apps/demo');
    expect(JSON.stringify(validation) + validation.stack + JSON.stringify(validation.issues)).not.toContain(
      canary,
    );
  });

  it('caps the number of issues kept', () => {
    const items = z.array(z.string());
    let error: ResponseValidationError | undefined;
    try {
      parseWithSchema(
        items,
        Array.from({ length: 500 }, (_, index) => index),
        'list',
      );
    } catch (caught) {
      error = caught as ResponseValidationError;
    }
    expect(error?.issues.length).toBe(20);
    expect(error?.message).toContain('and 495 more');
  });

  it('formats root and index paths', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['items', 3, 'name'])).toBe('items[3].name');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });
});
