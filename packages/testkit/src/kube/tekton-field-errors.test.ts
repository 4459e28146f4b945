import { describe, expect, it } from 'vitest';
import { formatFieldErrors, invalidValue, missingOneOf, multipleOneOf } from './tekton-field-errors.js';

describe('formatFieldErrors (knative FieldError.Error)', () => {
  it('merges equal messages, sorts paths and errors, and puts details on their own line', () => {
    const text = formatFieldErrors([
      multipleOneOf('spec.tasks[2].name'),
      invalidValue('a', 'spec.steps[1].name'),
      multipleOneOf('spec.tasks[1].name'),
      { message: 'invalid key name "x y"', paths: ['spec.results[0].name'], details: 'Name must be simple' },
      missingOneOf('spec.tasks[0].taskRef', 'spec.tasks[0].taskSpec'),
    ]);
    expect(text).toBe(
      [
        'expected exactly one, got both: spec.tasks[1].name, spec.tasks[2].name',
        'expected exactly one, got neither: spec.tasks[0].taskRef, spec.tasks[0].taskSpec',
        'invalid key name "x y": spec.results[0].name\nName must be simple',
        'invalid value: a: spec.steps[1].name',
      ].join('\n'),
    );
  });
});
