import { type ForgeDialect, ForgeHttpError, type ForgeRequestContext } from './forge-http.js';
import type { ForgeSpecIssue } from './forge-spec-validator.js';

/** Where GitHub's error bodies point. */
export const DOCUMENTATION_URL = 'https://docs.github.com/rest';

/** Ruby's rendering of a JSON value in GitHub's schema messages (`nil`, `"text"`, `42`). */
function rubyValue(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  return typeof value === 'object' ? (Array.isArray(value) ? '[]' : '{}') : JSON.stringify(value);
}

/** `a string`, `an integer`, `an object`: the article GitHub's messages use. */
function withArticle(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function valueAt(body: Record<string, unknown>, pointer: string): unknown {
  let current: unknown = body;
  for (const key of pointer.split('/').slice(1)) {
    current =
      typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/**
 * GitHub's words for a request its JSON schema refuses: 422 `Invalid request.` followed by `"title" wasn't
 * supplied.` or `For 'properties/body', nil is not a string.` (the `validation-error` shape).
 */
function gitHubRejection(issues: readonly ForgeSpecIssue[], body: Record<string, unknown>): ForgeHttpError {
  const lines = issues.map((issue) => {
    const name = issue.field.replace(/^\//, '');
    if (issue.kind === 'missing') return `"${name}" wasn't supplied.`;
    const value = issue.location === 'query' ? name : rubyValue(valueAt(body, issue.field));
    const expected = issue.expected;
    const wanted =
      expected === undefined
        ? 'valid'
        : 'oneOf' in expected
          ? `a member of ${JSON.stringify(expected.oneOf)}`
          : withArticle([expected.type].flat().join(' or '));
    return `For 'properties/${name}', ${value} is not ${wanted}.`;
  });
  return new ForgeHttpError(422, {
    message: `Invalid request.\n\n${lines.join('\n')}`,
    documentation_url: DOCUMENTATION_URL,
    status: '422',
  });
}

/** How GitHub words errors, rate limits and refused requests. */
export const gitHubDialect: ForgeDialect = {
  errorBody: (status: number, message: string) => ({
    message,
    documentation_url: DOCUMENTATION_URL,
    status: String(status),
  }),
  // GitHub reports an exhausted primary rate limit as 403 with the X-RateLimit headers.
  rateLimited: (retryAfterSeconds: number) => ({
    status: 403,
    message: 'API rate limit exceeded',
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfterSeconds),
      'x-ratelimit-resource': 'core',
    },
  }),
  authorized: (headers: ForgeRequestContext['headers'], token: string) =>
    headers.authorization === `Bearer ${token}` || headers.authorization === `token ${token}`,
  rejectRequest: gitHubRejection,
  malformedJsonMessage: 'Problems parsing JSON',
};
