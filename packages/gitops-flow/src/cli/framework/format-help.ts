import type { CommandGroupSpec, CommandSpec, FlagSpec } from './command-spec.js';

function flagSynopsis(flag: FlagSpec): string {
  const long = `--${flag.name}${flag.type === 'string' ? ` ${flag.value ?? 'VALUE'}` : ''}`;
  return flag.short ? `-${flag.short}, ${long}` : `    ${long}`;
}

function flagDetails(flag: FlagSpec): string {
  const extras = [
    flag.choices ? `one of ${flag.choices.join('|')}` : undefined,
    flag.default !== undefined ? `default ${flag.default}` : undefined,
    flag.env ? `env ${flag.env}` : undefined,
    flag.multiple ? 'repeatable' : undefined,
  ].filter(Boolean);
  return `${flag.description}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`;
}

/** Help lines stay within 100 columns, as kubectl's do. */
const HELP_WIDTH = 100;

/** Splits text into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Every environment variable a command reads: the flags' own and the extra ones. */
export function commandEnvironment(spec: CommandSpec): Array<{ name: string; description: string }> {
  const fromFlags = spec.flags
    .filter((flag) => flag.env)
    .map((flag) => ({ name: flag.env as string, description: `default for --${flag.name}` }));
  return [...fromFlags, ...(spec.environment ?? [])];
}

/**
 * A command's help, in the layout kubectl and tkn use: synopsis, description, flags by group (each with its
 * choices, default and environment variable), environment, examples.
 */
export function formatCommandHelp(spec: CommandSpec): string {
  const lines: string[] = [];
  lines.push(
    `Usage: ${spec.usage.map((line, index) => `${index === 0 ? '' : '       '}gitops-flow ${line}`).join('\n')}`,
  );
  lines.push('', spec.description.trimEnd());
  const groups = new Map<string, FlagSpec[]>();
  for (const flag of spec.flags) {
    const group = flag.group ?? 'Flags';
    groups.set(group, [...(groups.get(group) ?? []), flag]);
  }
  const width = Math.min(40, Math.max(...spec.flags.map((flag) => flagSynopsis(flag).length)) + 2);
  for (const [group, flags] of groups) {
    lines.push('', `${group}:`);
    for (const flag of flags) {
      const synopsis = flagSynopsis(flag);
      const details = wrap(flagDetails(flag), HELP_WIDTH - width - 2).join(`\n  ${' '.repeat(width)}`);
      lines.push(
        synopsis.length + 2 > width
          ? `  ${synopsis}\n  ${' '.repeat(width)}${details}`
          : `  ${synopsis.padEnd(width)}${details}`,
      );
    }
  }
  const environment = commandEnvironment(spec);
  if (environment.length > 0) {
    lines.push('', 'Environment:');
    const nameWidth = Math.max(...environment.map((variable) => variable.name.length)) + 2;
    for (const variable of environment)
      lines.push(`  ${variable.name.padEnd(nameWidth)}${variable.description}`);
  }
  if (spec.examples.length > 0) {
    lines.push('', 'Examples:');
    for (const example of spec.examples) lines.push(`  # ${example.description}`, `  ${example.command}`, '');
    lines.pop();
  }
  return `${lines.join('\n')}\n`;
}

/** A group's help: its sub-commands. */
export function formatGroupHelp(group: CommandGroupSpec): string {
  const width = Math.max(...group.subcommands.map((command) => command.name.length)) + 2;
  return [
    `Usage: gitops-flow ${group.name} ${group.subcommands.map((command) => command.name.split(' ')[1]).join('|')} [flags]`,
    '',
    group.summary,
    '',
    'Commands:',
    ...group.subcommands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    `Run \`gitops-flow ${group.name} COMMAND --help\` for its flags.`,
    '',
  ].join('\n');
}
