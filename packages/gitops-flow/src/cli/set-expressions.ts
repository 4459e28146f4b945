import { ValidationError } from '@gitops-kit/core';
import { type KustomizeImage, parseKustomizeImage } from '@gitops-kit/manifest-updater';

/** One `--set path=value` (always a string, like `helm --set-string`) or `--set-json path=<json>`. */
export interface SetExpression {
  path: string;
  value: unknown;
}

/**
 * Parses `--set image.tag=1.20` (the value stays the string "1.20": image tags must never turn into numbers) and
 * `--set-json replicaCount=3` (the value is JSON: numbers, booleans, null, arrays, objects).
 *
 * @throws {ValidationError} when the expression has no `=`, an empty path, or invalid JSON.
 */
export function parseSetExpression(expression: string, kind: 'string' | 'json' = 'string'): SetExpression {
  const separator = expression.indexOf('=');
  const flag = kind === 'json' ? '--set-json' : '--set';
  if (separator <= 0) {
    throw new ValidationError(
      `${flag} expects PATH=VALUE (for example image.tag=v1.2.3), got "${expression}"`,
      {
        field: flag,
      },
    );
  }
  const path = expression.slice(0, separator).trim();
  const raw = expression.slice(separator + 1);
  if (path.length === 0)
    throw new ValidationError(`${flag} has an empty path in "${expression}"`, { field: flag });
  if (kind === 'string') return { path, value: raw };
  try {
    return { path, value: JSON.parse(raw) };
  } catch {
    throw new ValidationError(`${flag} ${path}: the value is not valid JSON`, { field: flag });
  }
}

/**
 * Parses `--kustomize-image NAME[=NEWNAME][:TAG][@DIGEST]` (the syntax of `kustomize edit set image`).
 *
 * @throws {ValidationError} (a usage error) when the expression names no image or sets nothing.
 */
export function parseKustomizeImageFlag(expression: string): KustomizeImage {
  try {
    return parseKustomizeImage(expression);
  } catch (error) {
    throw new ValidationError(`--kustomize-image: ${(error as Error).message}`, {
      field: '--kustomize-image',
      cause: error,
    });
  }
}
