/**
 * The declarative description of a command: every flag is declared once, here, and help, parsing, validation
 * messages and shell completion all read from it (the way cobra's flag sets drive kubectl's, argocd's and tkn's
 * help and completion). Adding a flag to a command is adding one entry to its table.
 */

/** How a shell should complete a flag's value. */
export type FlagCompletion = 'file' | 'directory' | 'none';

/** One flag of one command. */
export interface FlagSpec {
  /** The long name without dashes: `argocd-server`. */
  name: string;
  /** A one-letter alias: `o` for `--output`. */
  short?: string;
  type: 'string' | 'boolean';
  /** Repeatable (`--set a=1 --set b=2`). */
  multiple?: boolean;
  /** The placeholder shown in help: `URL`, `PATH`, `DURATION`. */
  value?: string;
  description: string;
  /** The allowed values; help lists them, parsing enforces them, completion offers them. */
  choices?: readonly string[];
  /** The default, as shown in help. */
  default?: string;
  /** The environment variable read when the flag is absent. */
  env?: string;
  /** Completion for the value (choices complete themselves). */
  complete?: FlagCompletion;
  /** The help section the flag is listed under. */
  group?: string;
}

/** An environment variable a command reads that no single flag stands for. */
export interface EnvironmentSpec {
  name: string;
  description: string;
}

/** One command (`promote`) or sub-command (`values set`). */
export interface CommandSpec {
  /** The words after `gitops-flow`: `promote`, `values set`, `render tekton`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Synopsis lines, without the leading `gitops-flow `. */
  usage: readonly string[];
  /** What it does, a short paragraph. */
  description: string;
  flags: readonly FlagSpec[];
  /** Environment variables read without a flag of their own (flags' `env` are listed automatically). */
  environment?: readonly EnvironmentSpec[];
  examples: ReadonlyArray<{ description: string; command: string }>;
  /** Positional arguments: how many are allowed, and how to complete them. */
  positionals?: { min: number; max: number; names: readonly string[]; complete?: FlagCompletion };
}

/** A command with sub-commands (`values set|get`). */
export interface CommandGroupSpec {
  name: string;
  summary: string;
  subcommands: readonly CommandSpec[];
}
