import { readFileSync } from 'node:fs';
import { registerSecret, ValidationError } from '@gitops-kit/core';

/**
 * Reads a secret from a file as Tekton and Kubernetes mount them (`/var/secret/password`): the whole file, one
 * trailing newline removed. The value is registered for redaction before it is returned.
 *
 * @throws {ValidationError} when the file cannot be read or is empty (the path is named, never the content).
 */
export function readSecretFile(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError(`${flag}: cannot read the secret file (${code})`, { field: flag });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.length === 0) throw new ValidationError(`${flag}: the secret file is empty`, { field: flag });
  registerSecret(value);
  return value;
}

/** Reads an environment variable that holds a secret, registering it for redaction. */
export function readSecretEnvironment(environment: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = environment[name];
  if (value === undefined || value === '') return undefined;
  registerSecret(value);
  return value;
}
