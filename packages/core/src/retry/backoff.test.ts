import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/helpers/seeded-random.js';
import { computeBackoffDelayMs } from './backoff.js';

describe('computeBackoffDelayMs', () => {
  it('draws each delay from [0, min(cap, base × 2^(n−1)))', () => {
    const random = seededRandom(42);
    for (let retryNumber = 1; retryNumber <= 12; retryNumber++) {
      const ceilingMs = Math.min(20_000, 500 * 2 ** (retryNumber - 1));
      for (let sample = 0; sample < 50; sample++) {
        const delayMs = computeBackoffDelayMs(retryNumber, { baseDelayMs: 500, maxDelayMs: 20_000, random });
        expect(delayMs).toBeGreaterThanOrEqual(0);
        expect(delayMs).toBeLessThanOrEqual(ceilingMs);
        expect(Number.isInteger(delayMs)).toBe(true);
      }
    }
  });

  it('scales linearly with the random draw (full jitter)', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 20_000 };
    expect(computeBackoffDelayMs(1, { ...options, random: () => 0 })).toBe(0);
    expect(computeBackoffDelayMs(1, { ...options, random: () => 0.5 })).toBe(50);
    expect(computeBackoffDelayMs(3, { ...options, random: () => 0.5 })).toBe(200);
    expect(computeBackoffDelayMs(3, { ...options, random: () => 0.999 })).toBe(399);
  });

  it('never exceeds the cap, even for huge attempt numbers or a broken random source', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 20_000 };
    expect(computeBackoffDelayMs(1000, { ...options, random: () => 0.999_999 })).toBe(19_999);
    expect(computeBackoffDelayMs(5, { ...options, random: () => 7 })).toBe(1600);
    expect(computeBackoffDelayMs(5, { ...options, random: () => Number.NaN })).toBe(0);
  });

  it('spreads seeded draws across the range', () => {
    const random = seededRandom(7);
    const delays = Array.from({ length: 1000 }, () =>
      computeBackoffDelayMs(4, { baseDelayMs: 100, maxDelayMs: 20_000, random }),
    );
    const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
    expect(mean).toBeGreaterThan(300);
    expect(mean).toBeLessThan(500);
    expect(Math.max(...delays)).toBeGreaterThan(700);
  });

  it('rejects nonsense input', () => {
    expect(() => computeBackoffDelayMs(0, { baseDelayMs: 1, maxDelayMs: 1 })).toThrow(RangeError);
    expect(() => computeBackoffDelayMs(1.5, { baseDelayMs: 1, maxDelayMs: 1 })).toThrow(RangeError);
    expect(() => computeBackoffDelayMs(1, { baseDelayMs: -1, maxDelayMs: 1 })).toThrow(RangeError);
  });
});
