import { ValidationError } from '@gitops-kit/core';

/** Kubernetes object names are DNS-1123 subdomains: at most 253 characters. */
export const MAXIMUM_NAME_LENGTH = 253;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** An application name split like Argo CD's `ParseFromQualifiedName`: `ns/name` or `name`. */
export interface QualifiedName {
  name: string;
  appNamespace: string | undefined;
}

/**
 * Checks that `value` is a valid Kubernetes object name (lowercase DNS-1123 subdomain, ≤ 253 characters) so it
 * can never smuggle a path (`a/b`, `..`, `%2F`) or a query (`x?y=1`) into a URL.
 *
 * @throws {ValidationError} when the name is empty, too long, or has characters outside `[a-z0-9.-]`.
 * @example
 * ```ts
 * assertResourceName('guestbook', 'application name'); // ok
 * assertResourceName('Guest Book', 'application name'); // throws ValidationError
 * ```
 */
export function assertResourceName(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`Invalid ${field}: it must be a non-empty string.`, { field });
  }
  if (value.length > MAXIMUM_NAME_LENGTH) {
    throw new ValidationError(`Invalid ${field}: it is longer than ${MAXIMUM_NAME_LENGTH} characters.`, {
      field,
    });
  }
  if (!DNS_SUBDOMAIN.test(value)) {
    throw new ValidationError(
      `Invalid ${field} ${JSON.stringify(value.slice(0, 80))}: use lowercase letters, digits, "-" and "." (a Kubernetes DNS-1123 name).`,
      { field },
    );
  }
}

/**
 * Parses `name` or `namespace/name` (apps in any namespace) and validates both parts.
 *
 * @throws {ValidationError} for anything else (`a/b/c`, empty parts, invalid characters).
 * @example
 * ```ts
 * parseApplicationName('team-a/guestbook'); // { name: 'guestbook', appNamespace: 'team-a' }
 * ```
 */
export function parseApplicationName(value: unknown, explicitNamespace?: string): QualifiedName {
  if (typeof value !== 'string') {
    throw new ValidationError('Invalid application name: it must be a string.', { field: 'name' });
  }
  const parts = value.split('/');
  if (parts.length > 2) {
    throw new ValidationError(
      `Invalid application name ${JSON.stringify(value.slice(0, 80))}: use "name" or "namespace/name".`,
      { field: 'name' },
    );
  }
  const [first, second] = parts as [string, string | undefined];
  const name = second ?? first;
  const appNamespace = second === undefined ? explicitNamespace : first;
  assertResourceName(name, 'application name');
  if (appNamespace !== undefined) assertResourceName(appNamespace, 'application namespace');
  if (second !== undefined && explicitNamespace !== undefined && explicitNamespace !== first) {
    throw new ValidationError(
      `Application "${value}" names namespace "${first}" but appNamespace "${explicitNamespace}" was given.`,
      { field: 'appNamespace' },
    );
  }
  return { name, appNamespace };
}

/**
 * Checks a free-form path parameter (a repository URL, a revision) is non-empty and bounded; it is always sent
 * `encodeURIComponent`-encoded.
 *
 * @throws {ValidationError} when the value is empty or over 4096 characters.
 * @example
 * ```ts
 * assertNonEmpty('https://github.com/org/repo.git', 'repository URL');
 * ```
 */
export function assertNonEmpty(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 4096) {
    throw new ValidationError(`Invalid ${field}: it must be a non-empty string of at most 4096 characters.`, {
      field,
    });
  }
}
