import type { CliIo } from '../cli-io.js';
import type { ExitCodeValue } from '../exit-codes.js';
import type { CommandSpec } from './command-spec.js';
import type { FlagValues } from './parse-flags.js';
import type { UsageProblems } from './usage-error.js';

/** What a command receives: its parsed flags, the problems found so far, and the I/O. */
export interface CommandContext {
  io: CliIo;
  values: FlagValues;
  positionals: string[];
  /** The parser's findings; the command adds its own and throws them all before contacting anything. */
  problems: UsageProblems;
}

/** A runnable command and its declaration. */
export interface CliCommand {
  spec: CommandSpec;
  /** Runs even without arguments (otherwise no arguments prints the help, as kubectl does). */
  runsWithoutArguments?: boolean;
  run(context: CommandContext): Promise<ExitCodeValue>;
}
