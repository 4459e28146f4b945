import { describe, expect, it } from 'vitest';
import { projectFields } from './field-projection.js';

const list = {
  metadata: { resourceVersion: '9' },
  items: [
    {
      metadata: { name: 'a', labels: { x: '1' } },
      status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
    },
    { metadata: { name: 'b' }, status: { sync: { status: 'OutOfSync' } } },
  ],
};

describe('projectFields', () => {
  it('keeps only the listed dotted paths, walking arrays element-wise', () => {
    expect(projectFields(list, 'items.metadata.name,items.status.sync.status')).toEqual({
      items: [
        { metadata: { name: 'a' }, status: { sync: { status: 'Synced' } } },
        { metadata: { name: 'b' }, status: { sync: { status: 'OutOfSync' } } },
      ],
    });
  });

  it('excludes paths when the list starts with "-" and leaves the input untouched', () => {
    const projected = projectFields(list, '-items.status,-metadata') as typeof list;
    expect(projected).toEqual({
      items: [{ metadata: { name: 'a', labels: { x: '1' } } }, { metadata: { name: 'b' } }],
    });
    expect(JSON.stringify(list)).toContain('"health":{"status":"Healthy"}');
  });

  it('returns the value unchanged without a fields parameter', () => {
    expect(projectFields(list, undefined)).toBe(list);
  });
});
