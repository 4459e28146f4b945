import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDurationMs, SimulatedClock, toKubeTime } from './simulated-clock.js';

describe('Go durations', () => {
  it.each([
    ['1h0m0s', 3_600_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['0', 0],
  ])('parses %s', (text, expected) => {
    expect(parseGoDurationMs(text)).toBe(expected);
  });

  it('rejects text that is not a duration', () => {
    expect(() => parseGoDurationMs('1 hour')).toThrow(RangeError);
    expect(() => parseGoDurationMs('')).toThrow(RangeError);
  });

  it.each([
    [3_600_000, '1h0m0s'],
    [240_000, '4m0s'],
    [1_500, '1.5s'],
    [0, '0s'],
    [500, '500ms'],
  ])('formats %d ms as %s', (milliseconds, expected) => {
    expect(formatGoDuration(milliseconds)).toBe(expected);
  });
});

describe('SimulatedClock', () => {
  it('runs faster by timeScale and fires scaled timers', async () => {
    const clock = new SimulatedClock({ timeScale: 1000, start: new Date('1984-04-04T00:00:00Z') });
    const startedAt = Date.now();
    await clock.sleep(60_000);
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(clock.now() - Date.parse('1984-04-04T00:00:00Z')).toBeGreaterThanOrEqual(60_000);
    expect(toKubeTime(Date.parse('1984-04-04T00:00:01.999Z'))).toBe('1984-04-04T00:00:01Z');
    expect(() => new SimulatedClock({ timeScale: 0 })).toThrow(RangeError);
  });

  it('resolves pending sleeps on abort and on clearAll, so nothing hangs after stop', async () => {
    const clock = new SimulatedClock();
    const controller = new AbortController();
    const aborted = clock.sleep(3_600_000, controller.signal);
    controller.abort();
    await aborted;
    const cleared = clock.sleep(3_600_000);
    clock.clearAll();
    await expect(
      Promise.race([
        cleared.then(() => 'resolved'),
        new Promise((resolve) => setTimeout(resolve, 500, 'hung')),
      ]),
    ).resolves.toBe('resolved');
  });
});
