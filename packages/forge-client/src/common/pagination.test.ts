import { describe, expect, it } from 'vitest';
import { forgeMessage } from './forge-transport.js';
import { nextPageUrl, rateLimitDelayMs } from './pagination.js';

describe('nextPageUrl', () => {
  it('finds rel="next" among several relations, in any order and quoting', () => {
    expect(
      nextPageUrl(
        '<https://api.github.com/repos/a/b/pulls?page=3>; rel="last", <https://api.github.com/repos/a/b/pulls?page=2>; rel="next"',
      ),
    ).toBe('https://api.github.com/repos/a/b/pulls?page=2');
    expect(nextPageUrl('<https://gitlab.example.com/api/v4/x?page=2>; rel=next')).toBe(
      'https://gitlab.example.com/api/v4/x?page=2',
    );
    expect(nextPageUrl(['<https://h/x?page=1>; rel="prev"', '<https://h/x?page=3>; rel="next"'])).toBe(
      'https://h/x?page=3',
    );
  });

  it('is undefined on the last page or without a header', () => {
    expect(
      nextPageUrl('<https://h/x?page=1>; rel="first", <https://h/x?page=4>; rel="last"'),
    ).toBeUndefined();
    expect(nextPageUrl(undefined)).toBeUndefined();
    expect(nextPageUrl('')).toBeUndefined();
  });
});

describe('rateLimitDelayMs', () => {
  const now = 1_700_000_000_000;
  it('prefers Retry-After', () => {
    expect(
      rateLimitDelayMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000100' }, 2_000, now),
    ).toBe(2_000);
  });
  it('waits until the reset when nothing remains (GitHub X-RateLimit-*, GitLab RateLimit-*)', () => {
    expect(
      rateLimitDelayMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000060' }, undefined, now),
    ).toBe(60_000);
    expect(
      rateLimitDelayMs({ 'ratelimit-remaining': '0', 'ratelimit-reset': '1700000005' }, undefined, now),
    ).toBe(5_000);
  });
  it('is undefined while requests remain or the headers are absent or malformed', () => {
    expect(
      rateLimitDelayMs({ 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': '1700000060' }, undefined, now),
    ).toBeUndefined();
    expect(rateLimitDelayMs({}, undefined, now)).toBeUndefined();
    expect(
      rateLimitDelayMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': 'soon' }, undefined, now),
    ).toBeUndefined();
  });
});

describe('forgeMessage', () => {
  it('reads GitLab and GitHub error bodies', () => {
    expect(forgeMessage({ message: '405 Method Not Allowed' })).toBe('405 Method Not Allowed');
    expect(forgeMessage({ message: ['Another open merge request already exists'] })).toBe(
      'Another open merge request already exists',
    );
    expect(forgeMessage({ message: { title: ["can't be blank"] } })).toBe("title can't be blank");
    expect(forgeMessage({ error: 'title is missing' })).toBe('title is missing');
    expect(
      forgeMessage({
        message: 'Validation Failed',
        errors: [{ message: 'A pull request already exists for a:b.' }],
      }),
    ).toBe('Validation Failed; A pull request already exists for a:b.');
    expect(forgeMessage('text')).toBeUndefined();
    expect(forgeMessage(null)).toBeUndefined();
  });
});
