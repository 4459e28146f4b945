import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { progressForwarder } from '../../promote/sync-and-wait.js';
import { argocdOptionsFromArguments } from '../argocd-connection.js';
import { printLine } from '../cli-io.js';
import { parseDurationMs } from '../duration.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliCommand, CommandContext } from '../framework/cli-command.js';
import type { CommandSpec } from '../framework/command-spec.js';
import {
  APPLICATION_FLAGS,
  ARGOCD_ENVIRONMENT,
  ARGOCD_FLAGS,
  HELP_FLAG,
  outputFlag,
  VERBOSITY_FLAGS,
} from '../framework/common-flags.js';
import { stringValue } from '../framework/parse-flags.js';
import { outputSettings } from '../output-settings.js';

/** `gitops-flow rollback`: its flags, environment and examples. */
export const ROLLBACK_SPEC: CommandSpec = {
  name: 'rollback',
  summary: "roll back with Argo CD's history and wait for it",
  usage: ['rollback --app NAME [--id HISTORY_ID] [flags]'],
  description: `Rolls back with Argo CD's history (default: the previous entry, like \`argocd app rollback\`) and waits for the
operation and health. Argo CD refuses this while auto-sync is on: revert the commit in git instead
(\`gitops-flow promote --on-failure git-revert\` does that for you).`,
  flags: [
    ...APPLICATION_FLAGS,
    {
      name: 'id',
      type: 'string',
      value: 'HISTORY_ID',
      description: 'the history entry to roll back to (default: the previous one)',
      group: 'Rollback',
    },
    {
      name: 'timeout',
      type: 'string',
      value: 'DURATION',
      description: 'how long to wait for the rollback (90s, 10m, or seconds)',
      default: '10m',
      group: 'Rollback',
    },
    ...ARGOCD_FLAGS,
    outputFlag(['text', 'json']),
    ...VERBOSITY_FLAGS,
    HELP_FLAG,
  ],
  environment: ARGOCD_ENVIRONMENT,
  examples: [
    {
      description: 'Roll web back to the previous deployment',
      command: 'gitops-flow rollback --app web --project team',
    },
    { description: 'Roll back to history entry 4', command: 'gitops-flow rollback --app web --id 4' },
  ],
};

async function runRollback({ io, values, problems }: CommandContext): Promise<ExitCodeValue> {
  const name = stringValue(values, 'app');
  if (!name && !problems.mentions('--app')) problems.add('missing required flag: --app');
  const idText = stringValue(values, 'id');
  const id = idText === undefined ? undefined : Number(idText);
  if (id !== undefined && (!Number.isInteger(id) || id < 0)) {
    problems.add(`--id must be a history id (a whole number), got "${idText}"`);
  }
  const timeoutText = stringValue(values, 'timeout');
  const timeoutMs = timeoutText
    ? problems.attempt(() => parseDurationMs(timeoutText, '--timeout'), undefined)
    : 600_000;
  const output = outputSettings(values, io);
  const connection = argocdOptionsFromArguments(values, io.env, output.logger, problems);
  try {
    problems.throwIfAny();
    const project = stringValue(values, 'project');
    const appNamespace = stringValue(values, 'app-namespace');
    const scope = {
      ...(project ? { project } : {}),
      ...(appNamespace ? { appNamespace } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
    };
    const client = new ArgoCDClient(connection as NonNullable<typeof connection>);
    output.printer.handle({
      type: 'step',
      step: 'rollback',
      status: 'started',
      message: `rolling back ${name}`,
    });
    await client.applications.rollback(name as string, { ...scope, ...(id !== undefined ? { id } : {}) });
    const result = await client.applications.wait(name as string, {
      ...scope,
      conditions: ['operation', 'health'],
      timeoutMs: timeoutMs as number,
      onProgress: progressForwarder(output.printer.handle, 'rollback-wait'),
    });
    output.close();
    const status = result.application.status;
    const summary = {
      outcome: 'succeeded',
      application: name,
      revision: status?.operationState?.syncResult?.revision,
      syncStatus: status?.sync?.status,
      healthStatus: status?.health?.status,
      elapsedMs: result.elapsedMs,
    };
    printLine(
      io,
      output.format === 'json'
        ? JSON.stringify(summary, null, 2)
        : `${name}: rolled back to ${summary.revision?.slice(0, 12) ?? '-'}, ${summary.healthStatus ?? 'Unknown'}`,
    );
    return ExitCode.success;
  } finally {
    output.close();
  }
}

/** `gitops-flow rollback`. */
export const ROLLBACK_COMMAND: CliCommand = { spec: ROLLBACK_SPEC, run: runRollback };
