import type { ZodType, z } from 'zod';
import { ResponseValidationError, type ValidationIssue } from '../errors/transport-errors.js';

/** The most issues a {@link ResponseValidationError} keeps; a broken list of 10 000 items should not make 10 000. */
const MAXIMUM_REPORTED_ISSUES = 20;

/**
 * Validates `value` against a zod schema and returns the parsed value (with the schema's types).
 *
 * On failure it throws a {@link ResponseValidationError} whose message and `issues` name the paths and zod's
 * generic messages only — never the values found there, so a token in a payload cannot leak through an error.
 *
 * @param schema - Any zod schema.
 * @param value - The untrusted value (a parsed response body).
 * @param context - What was being validated, for the message, e.g. `GET /api/v1/applications/demo`.
 * @returns The parsed value.
 * @throws {ResponseValidationError} when the value does not match.
 * @example
 * ```ts
 * const app = parseWithSchema(applicationSchema, body, 'GET /api/v1/applications/demo');
 * ```
 */
export function parseWithSchema<Schema extends ZodType>(
  schema: Schema,
  value: unknown,
  context: string,
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: ValidationIssue[] = result.error.issues.slice(0, MAXIMUM_REPORTED_ISSUES).map((issue) => ({
    path: issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment))),
    message: describeIssue(issue),
    code: issue.code,
  }));
  const summary = issues
    .slice(0, 5)
    .map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
    .join('; ');
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  return throwValidation(
    `${context}: the response does not have the expected shape: ${summary}${more}`,
    issues,
  );
}

function throwValidation(message: string, issues: ValidationIssue[]): never {
  throw new ResponseValidationError(message, { issues });
}

/** Formats a path like `items[3].metadata.name`; `(root)` for the value itself. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text.length === 0 ? segment : `.${segment}`;
  }
  return text;
}

/**
 * A message for one issue built from its code and expected type only. zod's own messages can quote the received
 * value (for example invalid enum or literal values), so they are not used.
 */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.length} allowed values`;
    case 'too_big':
      return `too big (maximum ${String(issue.maximum)})`;
    case 'too_small':
      return `too small (minimum ${String(issue.minimum)})`;
    case 'invalid_format':
      return `invalid ${issue.format}`;
    case 'unrecognized_keys':
      return `unexpected keys (${issue.keys.length})`;
    case 'invalid_union':
      return 'matches none of the allowed shapes';
    default:
      return issue.code.replaceAll('_', ' ');
  }
}
