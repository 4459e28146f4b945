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

  it.each([
    ['.5s', 500],
    ['1.s', 1000],
    ['-2m', -120_000],
    ['+0', 0],
    ['1h2m3.5s', 3_723_500],
    ['1500us', 1.5],
    ['1500\u00b5s', 1.5],
  ])('parses %s with Go’s grammar', (text, expected) => {
    expect(parseGoDurationMs(text)).toBe(expected);
  });

  it.each([
    ['1 hour', 'time: unknown unit " hour" in duration "1 hour"'],
    ['', 'time: invalid duration ""'],
    ['10', 'time: missing unit in duration "10"'],
    ['5min', 'time: unknown unit "min" in duration "5min"'],
    ['.s', 'time: invalid duration ".s"'],
    ['soon', 'time: invalid duration "soon"'],
  ])('rejects %j with Go’s message', (text, message) => {
    expect(() => parseGoDurationMs(text)).toThrow(new RangeError(message));
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

  it('hands what a timer callback throws to onCallbackError instead of throwing it into the process', async () => {
    const errors: unknown[] = [];
    const clock = new SimulatedClock({ timeScale: 1000, onCallbackError: (error) => errors.push(error) });
    const boom = new Error('boom');
    clock.setTimeout(() => {
      throw boom;
    }, 10);
    await clock.sleep(1000);
    expect(errors).toEqual([boom]);
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
