import {
  AbortError,
  AuthenticationError,
  GitOpsKitError,
  TimeoutError,
  ValidationError,
} from '@gitops-kit/core';
import { type CliIo, printError } from './cli-io.js';
import { HEALTH_USAGE, runHealthCommand } from './commands/health-command.js';
import { PROMOTE_USAGE, runPromoteCommand } from './commands/promote-command.js';
import { RENDER_USAGE, runRenderCommand } from './commands/render-command.js';
import { ROLLBACK_USAGE, runRollbackCommand } from './commands/rollback-command.js';
import { runValuesCommand, VALUES_USAGE } from './commands/values-command.js';
import { runWaitCommand, WAIT_USAGE } from './commands/wait-command.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

export const USAGE = `gitops-flow — GitOps promotions: values in git → Argo CD sync → wait → diagnose → roll back

Commands:
  promote     write values to the deploy repo, sync, wait, roll back on failure
  values      set or get values in a local YAML file (byte-minimal, prints a diff)
  wait        wait for an Argo CD application like \`argocd app wait\`, without its hangs
  rollback    Argo CD history rollback, waited on
  health      evaluate a resource's health like \`argocd admin settings resource-overrides health\`
  render      render Tekton resources (\`render tekton\`)

Run \`gitops-flow COMMAND --help\` for a command's flags.
Exit codes: 0 success · 1 deployment failed · 2 usage error · 3 timeout · 4 authentication · 5 other error · 130 interrupted
`;

const COMMANDS: Record<
  string,
  { run: (argv: readonly string[], io: CliIo) => Promise<ExitCodeValue>; usage: string }
> = {
  promote: { run: runPromoteCommand, usage: PROMOTE_USAGE },
  values: { run: runValuesCommand, usage: VALUES_USAGE },
  wait: { run: runWaitCommand, usage: WAIT_USAGE },
  rollback: { run: runRollbackCommand, usage: ROLLBACK_USAGE },
  health: { run: runHealthCommand, usage: HEALTH_USAGE },
  render: { run: runRenderCommand, usage: RENDER_USAGE },
};

/** Walks the cause chain for the first error of one of our classes that decides the exit code. */
function decisiveError(error: unknown): unknown {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth += 1) {
    if (
      AuthenticationError.isInstance(current) ||
      AbortError.isInstance(current) ||
      TimeoutError.isInstance(current) ||
      ValidationError.isInstance(current)
    ) {
      return current;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}

/** The exit code for an error a command threw. */
export function exitCodeForError(error: unknown): ExitCodeValue {
  const decisive = decisiveError(error);
  if (AbortError.isInstance(decisive) || (decisive instanceof Error && decisive.name === 'AbortError')) {
    return ExitCode.interrupted;
  }
  if (ValidationError.isInstance(decisive)) return ExitCode.usage;
  if (AuthenticationError.isInstance(decisive)) return ExitCode.authentication;
  if (TimeoutError.isInstance(decisive)) return ExitCode.timeout;
  if (GitOpsKitError.isInstance(decisive) && decisive.code === 'WAIT_TIMEOUT') return ExitCode.timeout;
  if (GitOpsKitError.isInstance(decisive) && decisive.code === 'WAIT_FAILED')
    return ExitCode.deploymentFailed;
  return ExitCode.error;
}

/**
 * Runs the `gitops-flow` CLI with the given arguments and I/O; returns the exit code. Every line written is
 * redacted; secrets are read from files or the environment, never from argv.
 *
 * @example
 * ```ts
 * const code = await runCli(['values', 'get', 'helm/my-values.yaml', 'image.tag'], { ...process, cwd: '.' });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return command === undefined ? ExitCode.usage : ExitCode.success;
  }
  if (command === '--version') {
    io.stdout.write(`${GITOPS_FLOW_VERSION}\n`);
    return ExitCode.success;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    printError(io, `gitops-flow: unknown command "${command}"\n`);
    io.stderr.write(USAGE);
    return ExitCode.usage;
  }
  try {
    return await entry.run(rest, io);
  } catch (error) {
    const code = exitCodeForError(error);
    const message = error instanceof Error ? error.message : String(error);
    printError(io, `gitops-flow ${command}: ${message}`);
    if (code === ExitCode.usage) printError(io, `Run \`gitops-flow ${command} --help\` for usage.`);
    return code;
  }
}

/** The CLI's version. */
export const GITOPS_FLOW_VERSION = '0.1.0';
