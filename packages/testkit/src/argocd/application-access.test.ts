import { describe, expect, it } from 'vitest';
import { matchesLabelSelector } from './application-access.js';

describe('matchesLabelSelector', () => {
  const labels = { team: 'payments', tier: 'web' };
  it.each([
    ['team=payments', true],
    ['team==payments,tier=web', true],
    ['team!=payments', false],
    ['tier', true],
    ['!owner', true],
    ['team in (payments,search)', true],
    ['team notin (payments)', false],
    ['team=search', false],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabelSelector(labels, selector)).toBe(expected);
  });
});
