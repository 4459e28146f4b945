import { parseArgs } from 'node:util';
import type { CommandSpec, FlagSpec } from './command-spec.js';
import { closestMatch } from './suggest.js';

/** The values of a command line, keyed by long flag name. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** A parsed command line and everything wrong with it. */
export interface ParsedCommandLine {
  values: FlagValues;
  positionals: string[];
  /** Usage problems in our own words (never node's parseArgs text), each naming the flag. */
  problems: string[];
}

function flagLabel(flag: FlagSpec): string {
  return `--${flag.name}`;
}

/**
 * Parses a command line against the command's flag table. Never throws: every problem (unknown flag, missing
 * value, value on a boolean, a value outside the choices, too many positionals) is collected, so all of them are
 * reported at once. Tokenising is node's `parseArgs` in non-strict mode (it knows `--x=y`, `-ojson`, `--`); the
 * checks and the words are ours, so node's messages never reach the user.
 */
export function parseCommandLine(argv: readonly string[], spec: CommandSpec): ParsedCommandLine {
  const byName = new Map(spec.flags.map((flag) => [flag.name, flag]));
  const options = Object.fromEntries(
    spec.flags.map((flag) => [
      flag.name,
      {
        type: flag.type,
        ...(flag.short ? { short: flag.short } : {}),
        ...(flag.multiple ? { multiple: true } : {}),
      },
    ]),
  );
  const { tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: FlagValues = {};
  const positionals: string[] = [];
  const problems: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const flag = byName.get(token.name);
    if (!flag) {
      const suggestion = closestMatch(
        token.name,
        spec.flags.map((candidate) => candidate.name),
      );
      problems.push(`unknown flag ${token.rawName}${suggestion ? ` (did you mean --${suggestion}?)` : ''}`);
      continue;
    }
    if (flag.type === 'boolean') {
      if (token.value !== undefined)
        problems.push(`${flagLabel(flag)} takes no value (got "${token.value}")`);
      else values[flag.name] = true;
      continue;
    }
    const value = token.value;
    // parseArgs (non-strict) takes the next word even when it is another flag: `--app --set x` would make
    // "--set" the app name. A value that starts with "-" must be written --flag=-value.
    if (value === undefined || (!token.inlineValue && value.startsWith('-'))) {
      problems.push(
        `${flagLabel(flag)} needs a value${flag.value ? ` (${flag.value})` : ''}${value !== undefined ? `; to pass one that starts with "-", write ${flagLabel(flag)}=${value}` : ''}`,
      );
      continue;
    }
    if (flag.choices && !flag.choices.includes(value)) {
      problems.push(`${flagLabel(flag)} must be one of ${flag.choices.join(', ')} (got "${value}")`);
    }
    if (flag.multiple) {
      values[flag.name] = [...((values[flag.name] as string[] | undefined) ?? []), value];
    } else {
      if (values[flag.name] !== undefined && values[flag.name] !== value) {
        problems.push(`${flagLabel(flag)} is given twice with different values`);
      }
      values[flag.name] = value;
    }
  }
  const allowed = spec.positionals ?? { min: 0, max: 0, names: [] };
  if (!values.help) {
    if (positionals.length > allowed.max) {
      const extra = positionals.slice(allowed.max);
      problems.push(
        allowed.max === 0
          ? `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((word) => `"${word}"`).join(' ')} (this command takes flags only)`
          : `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((word) => `"${word}"`).join(' ')} (expected ${allowed.names.join(' ')})`,
      );
    } else if (positionals.length < allowed.min) {
      const missing = allowed.names.slice(positionals.length, allowed.min);
      problems.push(`missing ${missing.join(' and ')}`);
    }
  }
  return { values, positionals, problems };
}

/** A string flag's value, or undefined (an empty value counts as absent). */
export function stringValue(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A repeatable flag's values. */
export function listValue(values: FlagValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** The output format chosen with `-o`, even on a command line with other problems (errors then follow it). */
export function requestedOutput(argv: readonly string[]): string | undefined {
  let output: string | undefined;
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index] as string;
    if (word === '--') break;
    if (word === '-o' || word === '--output') output = argv[index + 1];
    else if (word.startsWith('--output=')) output = word.slice('--output='.length);
    else if (word.startsWith('-o') && word.length > 2 && !word.startsWith('--'))
      output = word.slice(2).replace(/^=/, '');
  }
  return output;
}
