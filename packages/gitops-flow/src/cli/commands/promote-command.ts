import { assertBranchName, assertRepoRelativePath, parseYamlPath } from '@gitops-kit/manifest-updater';
import { promote } from '../../promote/promote.js';
import type { FailurePolicy, PromotionChange } from '../../promote/promote-options.js';
import type { PromotionReport } from '../../promote/promotion-report.js';
import { argocdOptionsFromArguments } from '../argocd-connection.js';
import { printLine } from '../cli-io.js';
import { parseDurationMs } from '../duration.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatPromotionReport } from '../format-report.js';
import { formatTimeline, formatTimelineMermaid } from '../format-timeline.js';
import type { CliCommand, CommandContext } from '../framework/cli-command.js';
import type { CommandSpec } from '../framework/command-spec.js';
import {
  APPLICATION_FLAGS,
  ARGOCD_ENVIRONMENT,
  ARGOCD_FLAGS,
  GIT_ENVIRONMENT,
  GIT_FLAGS,
  HELP_FLAG,
  outputFlag,
  VERBOSITY_FLAGS,
} from '../framework/common-flags.js';
import { type FlagValues, listValue, stringValue } from '../framework/parse-flags.js';
import type { UsageProblems } from '../framework/usage-error.js';
import { gitAuthFromArguments } from '../git-credentials.js';
import { gitSshFromArguments } from '../git-ssh-flags.js';
import { outputSettings } from '../output-settings.js';
import { parseKustomizeImageFlag, parseSetExpression, type SetExpression } from '../set-expressions.js';

const WAIT_CONDITIONS = ['operation', 'sync', 'health'] as const;

/** `gitops-flow promote`: its flags, environment and examples. */
export const PROMOTE_SPEC: CommandSpec = {
  name: 'promote',
  summary: 'write values to the deploy repo, sync, wait, roll back on failure',
  usage: [
    'promote --repo URL --file PATH --set PATH=VALUE --app NAME [flags]',
    'promote --repo URL --file overlays/prod/kustomization.yaml --kustomize-image NAME=REPO:TAG --app NAME [flags]',
  ],
  description: `Writes the values into the deploy repo, syncs the Argo CD application to that commit and waits until it
is Synced and Healthy. On failure it explains why and applies --on-failure. Everything on the command line is
checked before any server is contacted.`,
  flags: [
    {
      name: 'repo',
      type: 'string',
      value: 'URL',
      description: 'deploy repository (no credentials in it)',
      group: 'Change',
    },
    {
      name: 'branch',
      type: 'string',
      value: 'NAME',
      description: 'branch Argo CD tracks',
      default: 'main',
      group: 'Change',
    },
    {
      name: 'file',
      type: 'string',
      value: 'PATH',
      description: 'values file or kustomization in the repo',
      complete: 'file',
      group: 'Change',
    },
    {
      name: 'set',
      type: 'string',
      multiple: true,
      value: 'PATH=VALUE',
      description: 'set a value, always as a string (like helm --set-string)',
      group: 'Change',
    },
    {
      name: 'set-json',
      type: 'string',
      multiple: true,
      value: 'PATH=JSON',
      description: 'set a typed value (number, boolean, null, list, map)',
      group: 'Change',
    },
    {
      name: 'kustomize-image',
      type: 'string',
      multiple: true,
      value: 'NAME[=NEWNAME][:TAG][@DIGEST]',
      description: 'set an images: entry of a kustomization (kustomize edit set image)',
      group: 'Change',
    },
    {
      name: 'create-missing',
      type: 'boolean',
      description: 'create keys that do not exist yet',
      group: 'Change',
    },
    {
      name: 'mode',
      type: 'string',
      value: 'MODE',
      description: 'write to git, or set Helm parameters on the Application (argocd app set -p)',
      choices: ['git', 'helm-parameters'],
      default: 'git',
      group: 'Change',
    },
    {
      name: 'dry-run',
      type: 'boolean',
      description: 'show the change (diff) without pushing or syncing',
      group: 'Change',
    },
    {
      name: 'author-name',
      type: 'string',
      value: 'NAME',
      description: 'commit author name',
      group: 'Change',
    },
    {
      name: 'author-email',
      type: 'string',
      value: 'EMAIL',
      description: 'commit author email',
      group: 'Change',
    },
    ...APPLICATION_FLAGS,
    {
      name: 'timeout',
      type: 'string',
      value: 'DURATION',
      description: 'how long to wait for the deployment (90s, 10m, or seconds)',
      default: '10m',
      group: 'Deployment',
    },
    {
      name: 'wait-for',
      type: 'string',
      value: 'LIST',
      description:
        'what the wait requires, comma-separated: operation,sync,health (like argocd app wait --operation --sync --health)',
      default: 'operation,sync,health',
      group: 'Deployment',
    },
    {
      name: 'refresh-timeout',
      type: 'string',
      value: 'DURATION',
      description: 'how long Argo CD may take to see the commit',
      default: '2m',
      group: 'Deployment',
    },
    {
      name: 'on-failure',
      type: 'string',
      value: 'POLICY',
      description: 'what to do when the deployment fails',
      choices: ['none', 'git-revert', 'argocd-rollback'],
      default: 'none',
      group: 'Deployment',
    },
    { name: 'prune', type: 'boolean', description: 'prune resources during the sync', group: 'Deployment' },
    ...GIT_FLAGS,
    ...ARGOCD_FLAGS,
    outputFlag(
      ['text', 'json', 'timeline', 'mermaid'],
      'text: progress and a summary with a timeline; json: the report; timeline: the steps on one time scale; mermaid: a gantt chart for Markdown',
    ),
    ...VERBOSITY_FLAGS,
    HELP_FLAG,
  ],
  environment: [...GIT_ENVIRONMENT, ...ARGOCD_ENVIRONMENT],
  examples: [
    {
      description: 'Set the image tag in a Helm values file, deploy it and revert the commit if it fails',
      command:
        'gitops-flow promote --repo https://git.example.com/team/deploy.git --file helm/values.yaml \\\n    --set image.tag=v1.4.2 --app web --project team --on-failure git-revert',
    },
    {
      description: 'Update a kustomization image; the report as JSON for the next pipeline step',
      command:
        'gitops-flow promote --repo https://git.example.com/team/deploy.git --file overlays/prod/kustomization.yaml \\\n    --kustomize-image web=registry.example.com/web:v1.4.2 --app web-prod -o json',
    },
    {
      description: 'Show the diff only',
      command:
        'gitops-flow promote --repo URL --file helm/values.yaml --set image.tag=v2 --app web --dry-run',
    },
  ],
};

/**
 * A repository URL must not carry credentials: they would be stored in Argo CD's view of the source, printed in
 * warnings (redacted, so the user would read a URL they did not type) and kept in shell history. `https://user@`
 * is refused too (forges accept a token as the user name); ssh's `git@` user is not a secret.
 */
function checkRepositoryUrl(url: string, problems: UsageProblems): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // scp-like (git@host:path) or a local path: nothing to check here; the transport validates it.
  }
  const http = parsed.protocol === 'http:' || parsed.protocol === 'https:';
  if (parsed.password !== '' || (http && parsed.username !== '')) {
    problems.add(
      '--repo must not contain credentials (user:password@ or token@): pass them with --git-username and --git-password-file, --git-token-file, or GIT_TOKEN',
    );
  }
}

/** Parses `--set`/`--set-json` and checks each path's syntax now, not after preflight. */
function parseChanges(values: FlagValues, problems: UsageProblems): SetExpression[] {
  const expressions = [
    ...listValue(values, 'set').map((text) => ({ text, kind: 'string' as const })),
    ...listValue(values, 'set-json').map((text) => ({ text, kind: 'json' as const })),
  ];
  return expressions.flatMap(({ text, kind }) => {
    const expression = problems.attempt(() => parseSetExpression(text, kind), undefined);
    if (!expression) return [];
    const flag = kind === 'json' ? '--set-json' : '--set';
    try {
      parseYamlPath(expression.path);
      return [expression];
    } catch (error) {
      problems.add(`${flag} ${text}: ${(error as Error).message}`);
      return [];
    }
  });
}

/**
 * Parses `--wait-for operation,sync,health` (any non-empty subset), adding a problem when it is not one.
 */
function parseWaitFor(
  text: string | undefined,
  problems: UsageProblems,
): Array<(typeof WAIT_CONDITIONS)[number]> | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !(WAIT_CONDITIONS as readonly string[]).includes(item));
  if (items.length === 0 || unknown.length > 0) {
    problems.add(
      `--wait-for takes a comma-separated list of ${WAIT_CONDITIONS.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`,
    );
    return undefined;
  }
  return [...new Set(items)] as Array<(typeof WAIT_CONDITIONS)[number]>;
}

/** Maps a report to the documented exit code. */
export function exitCodeForReport(report: PromotionReport): ExitCodeValue {
  switch (report.outcome) {
    case 'succeeded':
    case 'dry-run':
    case 'skipped':
      return ExitCode.success;
    case 'timed-out':
      return ExitCode.timeout;
    case 'interrupted':
      return ExitCode.interrupted;
    default:
      return ExitCode.deploymentFailed;
  }
}

/** The report in the chosen format: text (summary and timeline), json, timeline, or a Mermaid gantt chart. */
export function formatReportOutput(report: PromotionReport, format: string): string {
  switch (format) {
    case 'json':
      // The exit code travels in the document too, so a step that only keeps stdout still knows it.
      return JSON.stringify({ ...report, exitCode: exitCodeForReport(report) }, null, 2);
    case 'timeline':
      return `${formatPromotionReport(report).split('\n')[0]}\n${formatTimeline(report)}`;
    case 'mermaid':
      return formatTimelineMermaid(report);
    default:
      return `${formatPromotionReport(report)}\n\n${formatTimeline(report)}`;
  }
}

/** Runs a library check; any typed error it throws becomes a usage problem prefixed with the flag. */
function checkWith(problems: UsageProblems, flag: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    problems.add(message.startsWith(flag) ? message : `${flag}: ${message}`);
  }
}

function durationFlag(values: FlagValues, name: string, problems: UsageProblems): number | undefined {
  const text = stringValue(values, name);
  return text === undefined
    ? undefined
    : problems.attempt(() => parseDurationMs(text, `--${name}`), undefined);
}

async function runPromote({ io, values, problems }: CommandContext): Promise<ExitCodeValue> {
  const mode = (stringValue(values, 'mode') ?? 'git') as 'git' | 'helm-parameters';
  const onFailure = (stringValue(values, 'on-failure') ?? 'none') as FailurePolicy;
  const app = stringValue(values, 'app');
  const url = stringValue(values, 'repo');
  const file = stringValue(values, 'file');
  const sets = parseChanges(values, problems);
  const images = listValue(values, 'kustomize-image').flatMap((text) => {
    const image = problems.attempt(() => parseKustomizeImageFlag(text), undefined);
    return image ? [image] : [];
  });
  const missing = [
    ...(app || problems.mentions('--app') ? [] : ['--app']),
    ...(mode === 'git' && !url && !problems.mentions('--repo') ? ['--repo'] : []),
    ...(mode === 'git' && !file && !problems.mentions('--file') ? ['--file'] : []),
    ...(listValue(values, 'set').length +
      listValue(values, 'set-json').length +
      listValue(values, 'kustomize-image').length ===
    0
      ? ['--set PATH=VALUE (or --set-json, --kustomize-image)']
      : []),
  ];
  if (missing.length > 0)
    problems.add(`missing required flag${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
  if (url) checkRepositoryUrl(url, problems);
  // The branch and the file are checked again at write-back; checking them here makes them usage errors before
  // preflight instead of failures after it.
  const branch = stringValue(values, 'branch');
  if (mode === 'git' && branch) checkWith(problems, '--branch', () => assertBranchName(branch, '--branch'));
  if (mode === 'git' && file) checkWith(problems, '--file', () => assertRepoRelativePath(file));
  if (mode === 'helm-parameters' && images.length > 0) {
    problems.add('--kustomize-image needs --mode git (it edits a kustomization in the repository)');
  }
  const waitFor = parseWaitFor(stringValue(values, 'wait-for'), problems);
  const timeoutMs = durationFlag(values, 'timeout', problems);
  const refreshTimeoutMs = durationFlag(values, 'refresh-timeout', problems);
  const output = outputSettings(values, io);
  const argocd = argocdOptionsFromArguments(values, io.env, output.logger, problems);
  const ssh =
    mode === 'git' && url
      ? problems.attempt(() => gitSshFromArguments(values, io.env, url), undefined)
      : undefined;
  // An SSH remote authenticates with its key; HTTP credentials in the environment are for other repositories.
  const auth = mode === 'git' && !ssh ? gitAuthFromArguments(values, io.env, problems) : undefined;
  try {
    problems.throwIfAny();
    const project = stringValue(values, 'project');
    const appNamespace = stringValue(values, 'app-namespace');
    let changes: PromotionChange[] | undefined;
    let repository: Parameters<typeof promote>[0]['repository'];
    let helmParameters: Record<string, string> | undefined;
    if (mode === 'git') {
      const authorName = stringValue(values, 'author-name');
      const authorEmail = stringValue(values, 'author-email');
      repository = {
        url: url as string,
        branch: stringValue(values, 'branch') ?? 'main',
        ...(auth ? { auth } : {}),
        ...(ssh ? { ssh } : {}),
        ...(authorName && authorEmail ? { author: { name: authorName, email: authorEmail } } : {}),
      };
      changes = [
        {
          file: file as string,
          set: sets.map((expression) => ({ path: expression.path, value: expression.value as string })),
          ...(images.length > 0 ? { kustomizeImages: images } : {}),
          createMissing: values['create-missing'] === true,
        },
      ];
    } else {
      helmParameters = Object.fromEntries(
        sets.map((expression) => [expression.path, String(expression.value)]),
      );
    }
    const report = await promote({
      mode,
      ...(repository ? { repository } : {}),
      ...(changes ? { changes } : {}),
      ...(helmParameters ? { helmParameters } : {}),
      application: {
        name: app as string,
        ...(project ? { project } : {}),
        ...(appNamespace ? { appNamespace } : {}),
      },
      argocd: argocd as NonNullable<typeof argocd>,
      ...(values.prune ? { sync: { prune: true } } : {}),
      wait: { timeoutMs: timeoutMs ?? 600_000, ...(waitFor ? { conditions: waitFor } : {}) },
      ...(refreshTimeoutMs !== undefined ? { refreshTimeoutMs } : {}),
      onFailure,
      dryRun: values['dry-run'] === true,
      ...(io.signal ? { signal: io.signal } : {}),
      onEvent: output.printer.handle,
      logger: output.logger,
    });
    output.close();
    printLine(io, formatReportOutput(report, output.format));
    return exitCodeForReport(report);
  } finally {
    output.close();
  }
}

/** `gitops-flow promote`. */
export const PROMOTE_COMMAND: CliCommand = { spec: PROMOTE_SPEC, run: runPromote };
