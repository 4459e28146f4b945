import { describe, expect, it } from 'vitest';
import { parseRetryAfterMs } from './retry-after.js';

const nowMs = Date.parse('2026-03-01T12:00:00Z');

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('0', nowMs)).toBe(0);
    expect(parseRetryAfterMs('3', nowMs)).toBe(3000);
    expect(parseRetryAfterMs(' 120 ', nowMs)).toBe(120_000);
    expect(parseRetryAfterMs(['5', '9'], nowMs)).toBe(5000);
  });

  it('reads the three HTTP-date forms', () => {
    expect(parseRetryAfterMs('Sun, 01 Mar 2026 12:00:30 GMT', nowMs)).toBe(30_000);
    expect(parseRetryAfterMs('Sunday, 01-Mar-26 12:00:10 GMT', nowMs)).toBe(10_000);
    expect(parseRetryAfterMs(new Date(nowMs + 4500).toUTCString(), nowMs)).toBe(4000);
  });

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfterMs('Sun, 01 Mar 2026 11:00:00 GMT', nowMs)).toBe(0);
  });

  it('returns undefined for garbage', () => {
    for (const value of ['', '   ', 'soon', '-1', '1.5', '1e3', '0x10', 'Fri, 99 Foo 2026', 'Sunday', '5s']) {
      expect(parseRetryAfterMs(value, nowMs), value).toBeUndefined();
    }
    expect(parseRetryAfterMs(undefined, nowMs)).toBeUndefined();
    expect(parseRetryAfterMs(null, nowMs)).toBeUndefined();
    expect(parseRetryAfterMs([], nowMs)).toBeUndefined();
  });

  it('returns undefined for hints beyond a day (absurd values are not trusted)', () => {
    expect(parseRetryAfterMs('86400', nowMs)).toBe(86_400_000);
    expect(parseRetryAfterMs('86401', nowMs)).toBeUndefined();
    expect(parseRetryAfterMs('99999999999999999999', nowMs)).toBeUndefined();
    expect(parseRetryAfterMs('Mon, 01 Mar 2027 12:00:00 GMT', nowMs)).toBeUndefined();
  });
});
