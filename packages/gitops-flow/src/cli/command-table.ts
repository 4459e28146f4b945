import { HEALTH_COMMAND } from './commands/health-command.js';
import { PROMOTE_COMMAND } from './commands/promote-command.js';
import {
  RELEASE_GROUP,
  RELEASE_PROMOTE_COMMAND,
  RELEASE_STATUS_COMMAND,
} from './commands/release-command.js';
import { RENDER_GROUP, RENDER_TEKTON_COMMAND } from './commands/render-command.js';
import { ROLLBACK_COMMAND } from './commands/rollback-command.js';
import { VALUES_GET_COMMAND, VALUES_GROUP, VALUES_SET_COMMAND } from './commands/values-command.js';
import { WAIT_COMMAND } from './commands/wait-command.js';
import { ExitCode } from './exit-codes.js';
import type { CliCommand } from './framework/cli-command.js';
import type { CommandGroupSpec, CommandSpec } from './framework/command-spec.js';
import { HELP_FLAG } from './framework/common-flags.js';
import {
  bashCompletion,
  type CompletionEntry,
  fishCompletion,
  zshCompletion,
} from './framework/completion-scripts.js';

/** A top-level command: one command, or a group with sub-commands. */
export type CommandTableEntry =
  | { kind: 'command'; name: string; command: CliCommand }
  | { kind: 'group'; name: string; group: CommandGroupSpec; commands: Record<string, CliCommand> };

const COMPLETION_SPEC: CommandSpec = {
  name: 'completion',
  summary: 'print a shell completion script (bash, zsh, fish)',
  usage: ['completion bash|zsh|fish'],
  description: 'Prints a completion script for the shell, generated from the same flag tables as the help.',
  positionals: { min: 1, max: 1, names: ['SHELL'] },
  flags: [HELP_FLAG],
  examples: [
    { description: 'bash, this shell', command: 'source <(gitops-flow completion bash)' },
    {
      description: 'zsh, every shell',
      command: 'gitops-flow completion zsh > ~/.zfunc/_gitops-flow   # with fpath+=(~/.zfunc) in .zshrc',
    },
    {
      description: 'fish',
      command: 'gitops-flow completion fish > ~/.config/fish/completions/gitops-flow.fish',
    },
  ],
};

const COMPLETION_COMMAND: CliCommand = {
  spec: COMPLETION_SPEC,
  async run({ io, positionals, problems }) {
    const shell = positionals[0];
    if (shell !== undefined && !['bash', 'zsh', 'fish'].includes(shell)) {
      problems.add(`completion supports bash, zsh and fish (got "${shell}")`);
    }
    problems.throwIfAny();
    const entries = completionEntries();
    io.stdout.write(
      shell === 'zsh'
        ? zshCompletion(entries)
        : shell === 'fish'
          ? fishCompletion(entries)
          : bashCompletion(entries),
    );
    return ExitCode.success;
  },
};

/** Every command of the CLI, in the order of the help. */
export const COMMAND_TABLE: readonly CommandTableEntry[] = [
  { kind: 'command', name: 'promote', command: PROMOTE_COMMAND },
  {
    kind: 'group',
    name: 'values',
    group: VALUES_GROUP,
    commands: { set: VALUES_SET_COMMAND, get: VALUES_GET_COMMAND },
  },
  {
    kind: 'group',
    name: 'release',
    group: RELEASE_GROUP,
    commands: { promote: RELEASE_PROMOTE_COMMAND, status: RELEASE_STATUS_COMMAND },
  },
  { kind: 'command', name: 'wait', command: WAIT_COMMAND },
  { kind: 'command', name: 'rollback', command: ROLLBACK_COMMAND },
  { kind: 'command', name: 'health', command: HEALTH_COMMAND },
  { kind: 'group', name: 'render', group: RENDER_GROUP, commands: { tekton: RENDER_TEKTON_COMMAND } },
  { kind: 'command', name: 'completion', command: COMPLETION_COMMAND },
];

/** The table as completion scripts see it. */
export function completionEntries(): CompletionEntry[] {
  return COMMAND_TABLE.map((entry) =>
    entry.kind === 'command'
      ? { name: entry.name, summary: entry.command.spec.summary, spec: entry.command.spec }
      : { name: entry.name, summary: entry.group.summary, subcommands: entry.group.subcommands },
  );
}
