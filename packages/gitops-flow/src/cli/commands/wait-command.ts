import { ArgoCDClient, type WaitCondition } from '@gitops-kit/argocd-client';
import { createRedactingLogger, defaultLogger } from '@gitops-kit/core';
import { progressForwarder } from '../../promote/sync-and-wait.js';
import { ARGOCD_FLAGS, argocdOptionsFromArguments } from '../argocd-connection.js';
import { choiceFlag, parseCommandArguments, requiredFlag, stringFlag } from '../argument-parser.js';
import { type CliIo, printLine } from '../cli-io.js';
import { parseDurationMs } from '../duration.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { ProgressPrinter } from '../progress-printer.js';

export const WAIT_USAGE = `Usage: gitops-flow wait --app NAME [--project P] [--sync] [--health] [--operation] [--suspended]
                        [--degraded] [--revision SHA] [--timeout 10m] [--output text|json]

Waits like \`argocd app wait\` (no condition flag = sync, health and operation), without its hangs: an
already-ready app returns at once, streams reconnect, a Degraded transition or failed operation ends the wait.
`;

/** `gitops-flow wait`. */
export async function runWaitCommand(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArguments(
    argv,
    {
      app: { type: 'string' },
      project: { type: 'string' },
      'app-namespace': { type: 'string' },
      sync: { type: 'boolean' },
      health: { type: 'boolean' },
      operation: { type: 'boolean' },
      suspended: { type: 'boolean' },
      degraded: { type: 'boolean' },
      revision: { type: 'string' },
      timeout: { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...ARGOCD_FLAGS,
    },
    'wait',
  );
  if (values.help) {
    io.stdout.write(WAIT_USAGE);
    return ExitCode.success;
  }
  const output = choiceFlag(values, 'output', ['text', 'json'] as const, 'text');
  const name = requiredFlag(values, 'app', 'wait');
  const conditions = (['sync', 'health', 'operation', 'suspended', 'degraded'] as const).filter(
    (condition) => values[condition] === true,
  ) as WaitCondition[];
  const timeoutText = stringFlag(values, 'timeout');
  const revision = stringFlag(values, 'revision');
  const project = stringFlag(values, 'project');
  const appNamespace = stringFlag(values, 'app-namespace');
  const client = new ArgoCDClient(
    argocdOptionsFromArguments(values, io.env, createRedactingLogger(defaultLogger)),
  );
  const printer = output === 'text' ? new ProgressPrinter(io) : undefined;
  const result = await client.applications.wait(name, {
    ...(conditions.length > 0 ? { conditions } : {}),
    timeoutMs: timeoutText ? parseDurationMs(timeoutText, '--timeout') : 600_000,
    ...(revision ? { expectRevision: revision } : {}),
    ...(project ? { project } : {}),
    ...(appNamespace ? { appNamespace } : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    ...(printer ? { onProgress: progressForwarder(printer.handle, 'wait') } : {}),
  });
  const status = result.application.status;
  const summary = {
    application: name,
    syncStatus: status?.sync?.status,
    healthStatus: status?.health?.status,
    revision: status?.sync?.revision,
    operationPhase: status?.operationState?.phase,
    elapsedMs: result.elapsedMs,
  };
  printLine(
    io,
    output === 'json'
      ? JSON.stringify(summary, null, 2)
      : `${name}: ${summary.syncStatus ?? '-'} ${summary.healthStatus ?? '-'} at ${summary.revision?.slice(0, 12) ?? '-'}`,
  );
  return ExitCode.success;
}
