import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { createRedactingLogger, defaultLogger, ValidationError } from '@gitops-kit/core';
import { progressForwarder } from '../../promote/sync-and-wait.js';
import { ARGOCD_FLAGS, argocdOptionsFromArguments } from '../argocd-connection.js';
import { parseCommandArguments, requiredFlag, stringFlag } from '../argument-parser.js';
import { type CliIo, printLine } from '../cli-io.js';
import { parseDurationMs } from '../duration.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { ProgressPrinter } from '../progress-printer.js';

export const ROLLBACK_USAGE = `Usage: gitops-flow rollback --app NAME [--project P] [--id HISTORY_ID] [--timeout 10m]

Rolls back with Argo CD's history (default: the previous entry, like \`argocd app rollback\`) and waits for the
operation and health. Argo CD refuses this while auto-sync is on: revert the commit in git instead
(\`gitops-flow promote --on-failure git-revert\` does that for you).
`;

/** `gitops-flow rollback`. */
export async function runRollbackCommand(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArguments(
    argv,
    {
      app: { type: 'string' },
      project: { type: 'string' },
      'app-namespace': { type: 'string' },
      id: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...ARGOCD_FLAGS,
    },
    'rollback',
  );
  if (values.help) {
    io.stdout.write(ROLLBACK_USAGE);
    return ExitCode.success;
  }
  const name = requiredFlag(values, 'app', 'rollback');
  const idText = stringFlag(values, 'id');
  const id = idText === undefined ? undefined : Number(idText);
  if (id !== undefined && (!Number.isInteger(id) || id < 0)) {
    throw new ValidationError(`--id must be a history id (a whole number), got "${idText}"`, { field: 'id' });
  }
  const project = stringFlag(values, 'project');
  const appNamespace = stringFlag(values, 'app-namespace');
  const scope = {
    ...(project ? { project } : {}),
    ...(appNamespace ? { appNamespace } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
  };
  const timeoutText = stringFlag(values, 'timeout');
  const client = new ArgoCDClient(
    argocdOptionsFromArguments(values, io.env, createRedactingLogger(defaultLogger)),
  );
  await client.applications.rollback(name, { ...scope, ...(id !== undefined ? { id } : {}) });
  const printer = new ProgressPrinter(io);
  const result = await client.applications.wait(name, {
    ...scope,
    conditions: ['operation', 'health'],
    timeoutMs: timeoutText ? parseDurationMs(timeoutText, '--timeout') : 600_000,
    onProgress: progressForwarder(printer.handle, 'rollback-wait'),
  });
  printLine(
    io,
    `${name}: rolled back to ${result.application.status?.operationState?.syncResult?.revision?.slice(0, 12) ?? '-'}, ${result.application.status?.health?.status ?? 'Unknown'}`,
  );
  return ExitCode.success;
}
