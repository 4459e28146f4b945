import { ArgoCDClient, type WaitCondition } from '@gitops-kit/argocd-client';
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

const CONDITIONS = ['sync', 'health', 'operation', 'suspended', 'degraded'] as const;

/** `gitops-flow wait`: its flags, environment and examples. */
export const WAIT_SPEC: CommandSpec = {
  name: 'wait',
  summary: 'wait for an Argo CD application like `argocd app wait`, without its hangs',
  usage: ['wait --app NAME [--sync] [--health] [--operation] [--suspended] [--degraded] [flags]'],
  description: `Waits like \`argocd app wait\` (no condition flag = sync, health and operation), without its hangs: an
already-ready app returns at once, streams reconnect, a Degraded transition or failed operation ends the wait.`,
  flags: [
    ...APPLICATION_FLAGS,
    ...CONDITIONS.map((condition) => ({
      name: condition,
      type: 'boolean' as const,
      description: `wait for ${condition === 'operation' ? 'the operation to finish' : condition === 'sync' ? 'Synced' : condition === 'health' ? 'Healthy' : condition === 'suspended' ? 'Suspended' : 'Degraded'}`,
      group: 'Conditions',
    })),
    {
      name: 'revision',
      type: 'string',
      value: 'SHA',
      description: 'wait until this revision is synced',
      group: 'Conditions',
    },
    {
      name: 'timeout',
      type: 'string',
      value: 'DURATION',
      description: 'give up after this long (90s, 10m, or seconds)',
      default: '10m',
      group: 'Conditions',
    },
    ...ARGOCD_FLAGS,
    outputFlag(['text', 'json']),
    ...VERBOSITY_FLAGS,
    HELP_FLAG,
  ],
  environment: ARGOCD_ENVIRONMENT,
  examples: [
    {
      description: 'Wait until web is Synced and Healthy and its operation finished',
      command: 'gitops-flow wait --app web --project team',
    },
    {
      description: 'Wait for health only, at most 5 minutes, and print JSON',
      command: 'gitops-flow wait --app web --health --timeout 5m -o json',
    },
  ],
};

async function runWait({ io, values, problems }: CommandContext): Promise<ExitCodeValue> {
  const name = stringValue(values, 'app');
  if (!name && !problems.mentions('--app')) problems.add('missing required flag: --app');
  const timeoutText = stringValue(values, 'timeout');
  const timeoutMs = timeoutText
    ? problems.attempt(() => parseDurationMs(timeoutText, '--timeout'), undefined)
    : 600_000;
  const output = outputSettings(values, io);
  const connection = argocdOptionsFromArguments(values, io.env, output.logger, problems);
  try {
    problems.throwIfAny();
    const conditions = CONDITIONS.filter((condition) => values[condition] === true) as WaitCondition[];
    const revision = stringValue(values, 'revision');
    const project = stringValue(values, 'project');
    const appNamespace = stringValue(values, 'app-namespace');
    const client = new ArgoCDClient(connection as NonNullable<typeof connection>);
    output.printer.handle({ type: 'step', step: 'wait', status: 'started', message: `waiting for ${name}` });
    const result = await client.applications.wait(name as string, {
      ...(conditions.length > 0 ? { conditions } : {}),
      timeoutMs: timeoutMs as number,
      ...(revision ? { expectRevision: revision } : {}),
      ...(project ? { project } : {}),
      ...(appNamespace ? { appNamespace } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: progressForwarder(output.printer.handle, 'wait'),
    });
    output.close();
    const status = result.application.status;
    const summary = {
      outcome: 'succeeded',
      application: name,
      syncStatus: status?.sync?.status,
      healthStatus: status?.health?.status,
      revision: status?.sync?.revision,
      operationPhase: status?.operationState?.phase,
      elapsedMs: result.elapsedMs,
    };
    printLine(
      io,
      output.format === 'json'
        ? JSON.stringify(summary, null, 2)
        : `${name}: ${summary.syncStatus ?? '-'} ${summary.healthStatus ?? '-'} at ${summary.revision?.slice(0, 12) ?? '-'}`,
    );
    return ExitCode.success;
  } finally {
    output.close();
  }
}

/** `gitops-flow wait`. */
export const WAIT_COMMAND: CliCommand = { spec: WAIT_SPEC, run: runWait };
