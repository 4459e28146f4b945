import {
  AbortError,
  AuthenticationError,
  GitOpsKitError,
  TimeoutError,
  ValidationError,
} from '@gitops-kit/core';
import type { PromotionReport } from '../promote/promotion-report.js';
import { GITOPS_FLOW_VERSION } from '../version.js';
import { type CliIo, printError, printLine } from './cli-io.js';
import { COMMAND_TABLE, type CommandTableEntry } from './command-table.js';
import { formatReportOutput } from './commands/promote-command.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { formatReleaseReport, isReleaseReport } from './format-release-report.js';
import type { CliCommand } from './framework/cli-command.js';
import { toCliMessage } from './framework/cli-messages.js';
import { formatCommandHelp, formatGroupHelp } from './framework/format-help.js';
import { parseCommandLine, requestedOutput } from './framework/parse-flags.js';
import { closestMatch } from './framework/suggest.js';
import { CliUsageError, problemsOf, UsageProblems } from './framework/usage-error.js';

function rootHelp(): string {
  const width = Math.max(...COMMAND_TABLE.map((entry) => entry.name.length)) + 2;
  const summary = (entry: CommandTableEntry) =>
    entry.kind === 'command' ? entry.command.spec.summary : entry.group.summary;
  return `gitops-flow — GitOps promotions: values in git → Argo CD sync → wait → diagnose → roll back

Usage: gitops-flow COMMAND [flags]

Commands:
${COMMAND_TABLE.map((entry) => `  ${entry.name.padEnd(width)}${summary(entry)}`).join('\n')}

Run \`gitops-flow COMMAND --help\` for a command's flags, environment and examples.

Exit codes:
  0 success · 1 deployment failed · 2 usage error · 3 timeout · 4 authentication · 5 other error
  6 YAML path not found · 130 interrupted
`;
}

/** Walks the cause chain for the first error of one of our classes that decides the exit code. */
function decisiveError(error: unknown): unknown {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth += 1) {
    if (
      AuthenticationError.isInstance(current) ||
      AbortError.isInstance(current) ||
      TimeoutError.isInstance(current) ||
      ValidationError.isInstance(current) ||
      (GitOpsKitError.isInstance(current) && current.code === 'YAML_PATH_NOT_FOUND')
    ) {
      return current;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}

/**
 * The exit code for an error a command threw.
 *
 * @example exitCodeForError(new ValidationError('bad')) // 2
 */
export function exitCodeForError(error: unknown): ExitCodeValue {
  const decisive = decisiveError(error);
  if (AbortError.isInstance(decisive) || (decisive instanceof Error && decisive.name === 'AbortError')) {
    return ExitCode.interrupted;
  }
  if (ValidationError.isInstance(decisive)) return ExitCode.usage;
  if (AuthenticationError.isInstance(decisive)) return ExitCode.authentication;
  if (TimeoutError.isInstance(decisive)) return ExitCode.timeout;
  if (GitOpsKitError.isInstance(decisive) && decisive.code === 'YAML_PATH_NOT_FOUND')
    return ExitCode.pathNotFound;
  if (GitOpsKitError.isInstance(decisive) && decisive.code === 'WAIT_TIMEOUT') return ExitCode.timeout;
  if (GitOpsKitError.isInstance(decisive) && decisive.code === 'WAIT_FAILED')
    return ExitCode.deploymentFailed;
  // A change request's checks failed: the release failed at a gate, as a failed verify() does (never a usage,
  // connection or server problem).
  if (GitOpsKitError.isInstance(decisive) && decisive.code === 'RELEASE_CHECKS_FAILED')
    return ExitCode.deploymentFailed;
  return ExitCode.error;
}

function reportOf(error: unknown): PromotionReport | undefined {
  const report = (error as { report?: unknown } | null)?.report;
  return report && typeof report === 'object' && 'outcome' in report
    ? (report as PromotionReport)
    : undefined;
}

const OUTCOME_BY_CODE: Partial<Record<ExitCodeValue, string>> = {
  [ExitCode.usage]: 'usage-error',
  [ExitCode.interrupted]: 'interrupted',
  [ExitCode.timeout]: 'timed-out',
  [ExitCode.authentication]: 'error',
};

/** The one JSON document an error prints with `-o json`: the report when there is one, else outcome and error. */
function errorDocument(
  error: unknown,
  code: ExitCodeValue,
  command: string | undefined,
  messages: readonly string[],
): unknown {
  const report = reportOf(error);
  const summary = {
    name: error instanceof Error ? error.name : 'Error',
    code: GitOpsKitError.isInstance(error) ? error.code : 'UNKNOWN',
    message: messages.join('\n'),
    ...(Array.isArray((error as { problems?: unknown }).problems) || messages.length > 1
      ? { problems: messages }
      : {}),
  };
  if (report)
    return {
      ...report,
      exitCode: code,
      error: report.error ? { ...report.error, message: toCliMessage(report.error.message) } : summary,
    };
  return {
    outcome: OUTCOME_BY_CODE[code] ?? 'error',
    command: command ?? null,
    exitCode: code,
    error: summary,
  };
}

/** Prints an error in one convention: `gitops-flow COMMAND: message`, problems one per line, then where to look. */
function reportError(
  io: CliIo,
  argv: readonly string[],
  command: string | undefined,
  error: unknown,
): ExitCodeValue {
  const code = exitCodeForError(error);
  const messages = problemsOf(error).map(toCliMessage);
  const prefix = `gitops-flow${command ? ` ${command}` : ''}`;
  const output = requestedOutput(argv);
  const report = reportOf(error);
  if (output === 'json') {
    printLine(io, JSON.stringify(errorDocument(error, code, command, messages), null, 2));
  } else if (isReleaseReport(report)) {
    // A release that stopped (a stage's error, an abort, SIGINT): its stages, not one promotion's report.
    printLine(io, formatReleaseReport(report));
  } else if (report && output !== undefined && ['text', 'timeline', 'mermaid'].includes(output)) {
    printLine(io, formatReportOutput(report, output));
  } else if (report) {
    printLine(io, formatReportOutput(report, 'text'));
  }
  if (messages.length === 1) printError(io, `${prefix}: ${messages[0]}`);
  else
    printError(
      io,
      `${prefix}: ${messages.length} problems:\n${messages.map((line) => `  - ${line}`).join('\n')}`,
    );
  if (code === ExitCode.usage)
    printError(io, `Run \`gitops-flow${command ? ` ${command}` : ''} --help\` for usage.`);
  return code;
}

async function runCommand(
  name: string,
  command: CliCommand,
  argv: readonly string[],
  io: CliIo,
): Promise<ExitCodeValue> {
  if (argv.length === 0 && !command.runsWithoutArguments) {
    // kubectl's convention: a command that needs arguments and got none prints its help and succeeds.
    io.stdout.write(formatCommandHelp(command.spec));
    return ExitCode.success;
  }
  const parsed = parseCommandLine(argv, command.spec);
  if (parsed.values.help === true) {
    io.stdout.write(formatCommandHelp(command.spec));
    return ExitCode.success;
  }
  const problems = new UsageProblems(name);
  for (const problem of parsed.problems) problems.add(problem);
  try {
    return await command.run({ io, values: parsed.values, positionals: parsed.positionals, problems });
  } catch (error) {
    return reportError(io, argv, name, error);
  }
}

function unknown(
  io: CliIo,
  argv: readonly string[],
  what: string,
  word: string,
  candidates: readonly string[],
  scope?: string,
): ExitCodeValue {
  const suggestion = closestMatch(word, candidates);
  const error = new CliUsageError([
    `unknown ${what} "${word}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ${what === 'command' ? 'commands' : 'choose one of'}: ${candidates.join(', ')}`,
  ]);
  return reportError(io, argv, scope, error);
}

/**
 * Runs the `gitops-flow` CLI with the given arguments and I/O; returns the exit code. Every line written is
 * redacted; secrets are read from files or the environment, never from argv. With `-o json` stdout holds exactly
 * one JSON document, errors included.
 *
 * @throws never: every failure becomes an exit code and a message.
 * @example
 * ```ts
 * const code = await runCli(['values', 'get', 'helm/my-values.yaml', 'image.tag'], { ...process, cwd: '.' });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(rootHelp());
    return ExitCode.success;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`${GITOPS_FLOW_VERSION}\n`);
    return ExitCode.success;
  }
  if (name === 'help') return runCli([...rest, '--help'].slice(rest.length === 0 ? 1 : 0), io);
  const entry = COMMAND_TABLE.find((candidate) => candidate.name === name);
  if (!entry) {
    return unknown(
      io,
      argv,
      'command',
      name,
      COMMAND_TABLE.map((candidate) => candidate.name),
    );
  }
  if (entry.kind === 'command') return runCommand(name, entry.command, rest, io);
  const [subName, ...subArgv] = rest;
  if (subName === undefined || subName === '--help' || subName === '-h') {
    io.stdout.write(formatGroupHelp(entry.group));
    return ExitCode.success;
  }
  const sub = entry.commands[subName];
  if (!sub) return unknown(io, argv, `${name} command`, subName, Object.keys(entry.commands), name);
  return runCommand(`${name} ${subName}`, sub, subArgv, io);
}
