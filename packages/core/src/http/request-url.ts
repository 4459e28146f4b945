import { ValidationError } from '../errors/transport-errors.js';
import { registerSecret } from '../redaction/redactor.js';
import type { HttpQueryValue } from './http-types.js';

/**
 * Parses and checks a client's base URL: http(s) only, no credentials (they would travel in every error), no
 * query or fragment, no whitespace. Returns the origin plus the path prefix without a trailing slash. The messages
 * never repeat the URL: a malformed one may hold a password that no pattern can find.
 *
 * @param field - The option's name as the caller knows it (`server`, `baseUrl`), for the message and `field`.
 * @throws {ValidationError} when the URL is unusable.
 * @example
 * ```ts
 * parseBaseUrl('https://example.com/argocd/'); // { origin: 'https://example.com', pathPrefix: '/argocd' }
 * ```
 */
export function parseBaseUrl(
  baseUrl: string | URL,
  field = 'baseUrl',
): { origin: string; pathPrefix: string } {
  const text = String(baseUrl).trim();
  if (/\s/.test(text)) {
    throw new ValidationError(`${field} must not contain whitespace`, { field });
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    // Node's TypeError carries the input (`error.input`): it is not kept as the cause.
    throw new ValidationError(
      `${field} is not a valid URL; expected http(s)://host[:port][/path], e.g. https://argocd.example.com`,
      { field },
    );
  }
  if (parsed.password) registerSecret(decodeURIComponent(parsed.password));
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError(`${field} must use http or https, not ${parsed.protocol}`, { field });
  }
  if (parsed.username || parsed.password) {
    throw new ValidationError(
      `${field} must not contain credentials; pass them through tokenProvider or headers`,
      { field },
    );
  }
  if (parsed.search || parsed.hash) {
    throw new ValidationError(`${field} must not contain a query or fragment`, { field });
  }
  if (parsed.hostname === '') throw new ValidationError(`${field} has no host`, { field });
  return { origin: parsed.origin, pathPrefix: parsed.pathname.replace(/\/+$/, '') };
}

/**
 * Joins the base URL's prefix, a request path and query parameters. Arrays become repeated parameters; `null` and
 * `undefined` are left out. Absolute URLs and protocol-relative paths are refused so a token is never sent to
 * another host.
 *
 * @throws {ValidationError} when `path` is absolute.
 */
export function buildRequestUrl(
  base: { origin: string; pathPrefix: string },
  path: string,
  query: Record<string, HttpQueryValue> | undefined,
): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) {
    throw new ValidationError('path must be relative to baseUrl, not an absolute URL', { field: 'path' });
  }
  const url = new URL(`${base.origin}${base.pathPrefix}${path.startsWith('/') ? path : `/${path}`}`);
  if (query) {
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) url.searchParams.append(name, String(item));
    }
  }
  return url;
}
