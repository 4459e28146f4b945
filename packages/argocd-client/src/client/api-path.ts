import { ValidationError } from '@gitops-kit/core';

/**
 * Fills `{name}` placeholders in an API path template with `encodeURIComponent`-encoded values. Every path
 * parameter goes through here: repository URLs (`https://…`) and `ns/name` must arrive as one segment.
 *
 * @throws {ValidationError} when a placeholder has no value or a value is empty.
 * @example
 * ```ts
 * apiPath('/api/v1/repositories/{repo}', { repo: 'https://github.com/a/b.git' });
 * // '/api/v1/repositories/https%3A%2F%2Fgithub.com%2Fa%2Fb.git'
 * ```
 */
export function apiPath(template: string, parameters: Record<string, string | number> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = parameters[name];
    if (value === undefined || String(value) === '') {
      throw new ValidationError(`Missing path parameter "${name}" for ${template}`, { field: name });
    }
    return encodeURIComponent(String(value));
  });
}
