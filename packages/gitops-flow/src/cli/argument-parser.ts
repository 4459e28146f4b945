import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ValidationError } from '@gitops-kit/core';

/** Parsed flags and positionals of one command. */
export interface ParsedArguments {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses a command's arguments strictly (unknown flags are usage errors, never ignored).
 *
 * @throws {ValidationError} on an unknown flag or a missing value; the message names the flag only.
 */
export function parseCommandArguments(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
  command: string,
): ParsedArguments {
  try {
    const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedArguments['values'], positionals: parsed.positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // node's messages quote the offending flag; keep them, they never contain a value.
    throw new ValidationError(`${command}: ${message.split('\n')[0]}`, { field: command });
  }
}

/** A string flag's value, or undefined. */
export function stringFlag(values: ParsedArguments['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A repeatable string flag's values. */
export function listFlag(values: ParsedArguments['values'], name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/**
 * A required string flag.
 *
 * @throws {ValidationError} when missing.
 */
export function requiredFlag(
  values: ParsedArguments['values'],
  name: string,
  command: string,
  hint = '',
): string {
  const value = stringFlag(values, name);
  if (value === undefined) {
    throw new ValidationError(`${command}: --${name} is required${hint ? ` (${hint})` : ''}`, {
      field: name,
    });
  }
  return value;
}

/**
 * A flag restricted to a set of values.
 *
 * @throws {ValidationError} when the value is not allowed.
 */
export function choiceFlag<T extends string>(
  values: ParsedArguments['values'],
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = stringFlag(values, name);
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ValidationError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`, {
      field: name,
    });
  }
  return value as T;
}
