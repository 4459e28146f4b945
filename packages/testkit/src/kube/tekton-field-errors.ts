/**
 * Field errors as Tekton's webhook reports them: knative's `apis.FieldError` (knative.dev/pkg `apis/field_error.go`).
 * Each error has a message, the paths it applies to and optional details; when printed, errors with the same message
 * and details are merged (their paths joined by ", "), sorted by message, and each is rendered as
 * `<message>: <paths>` plus `\n<details>` when there are details; the errors are joined by newlines.
 */
export interface TektonFieldError {
  message: string;
  paths: string[];
  details?: string;
}

/** `expected exactly one, got both` (knative `ErrMultipleOneOf`). */
export function multipleOneOf(...paths: string[]): TektonFieldError {
  return { message: 'expected exactly one, got both', paths };
}

/** `expected exactly one, got neither` (knative `ErrMissingOneOf`). */
export function missingOneOf(...paths: string[]): TektonFieldError {
  return { message: 'expected exactly one, got neither', paths };
}

/** `invalid value: <value>` (knative `ErrInvalidValue`). */
export function invalidValue(value: string, path: string, details?: string): TektonFieldError {
  return details === undefined
    ? { message: `invalid value: ${value}`, paths: [path] }
    : { message: `invalid value: ${value}`, paths: [path], details };
}

/** `missing field(s)` (knative `ErrMissingField`). */
export function missingField(...paths: string[]): TektonFieldError {
  return { message: 'missing field(s)', paths };
}

/** `non-existent variable in "<value>"` (Tekton `substitution.ValidateNoReferencesToUnknownVariables`). */
export function nonExistentVariable(value: string, path: string): TektonFieldError {
  return { message: `non-existent variable in ${JSON.stringify(value)}`, paths: [path] };
}

/** Renders field errors the way `FieldError.Error()` does. */
export function formatFieldErrors(errors: readonly TektonFieldError[]): string {
  const merged = new Map<string, TektonFieldError>();
  for (const error of errors) {
    const key = `${error.message}\u0000${error.details ?? ''}`;
    const existing = merged.get(key);
    if (existing === undefined) merged.set(key, { ...error, paths: [...error.paths] });
    else existing.paths.push(...error.paths.filter((path) => !existing.paths.includes(path)));
  }
  return [...merged.values()]
    .sort((left, right) => {
      const byMessage = left.message < right.message ? -1 : left.message > right.message ? 1 : 0;
      if (byMessage !== 0) return byMessage;
      const [a, b] = [left.details ?? '', right.details ?? ''];
      return a < b ? -1 : a > b ? 1 : 0;
    })
    .map((error) => {
      const paths = [...error.paths].sort().join(', ');
      return error.details === undefined
        ? `${error.message}: ${paths}`
        : `${error.message}: ${paths}\n${error.details}`;
    })
    .join('\n');
}
