import { createRedactingLogger, defaultLogger, ValidationError } from '@gitops-kit/core';
import type { WriteBackAuth } from '@gitops-kit/manifest-updater';
import { promote } from '../../promote/promote.js';
import type { FailurePolicy, PromotionChange } from '../../promote/promote-options.js';
import type { PromotionReport } from '../../promote/promotion-report.js';
import { ARGOCD_FLAGS, argocdOptionsFromArguments } from '../argocd-connection.js';
import {
  choiceFlag,
  listFlag,
  type ParsedArguments,
  parseCommandArguments,
  requiredFlag,
  stringFlag,
} from '../argument-parser.js';
import { type CliIo, printLine } from '../cli-io.js';
import { parseDurationMs } from '../duration.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatPromotionReport } from '../format-report.js';
import { GIT_SSH_FLAGS, GIT_SSH_USAGE, gitSshFromArguments } from '../git-ssh-flags.js';
import { ProgressPrinter } from '../progress-printer.js';
import { readSecretEnvironment, readSecretFile } from '../secret-sources.js';
import { parseKustomizeImageFlag, parseSetExpression } from '../set-expressions.js';

export const PROMOTE_USAGE = `Usage: gitops-flow promote --repo URL --branch BRANCH --file PATH --set PATH=VALUE --app NAME [options]
       gitops-flow promote --repo URL --file overlays/prod/kustomization.yaml --kustomize-image web=REPO:TAG --app NAME

Writes the values into the deploy repo, syncs the Argo CD application to that commit and waits until it is
Synced and Healthy. On failure it explains why and applies --on-failure.

  --repo URL                 deploy repository (https, no credentials in it; or SSH: git@host:path, ssh://…)
  --branch NAME              branch Argo CD tracks (default main)
  --file PATH                values file in the repo, e.g. helm/my-values.yaml
  --set PATH=VALUE           set a value (always a string); repeatable
  --set-json PATH=JSON       set a typed value (number, boolean, …); repeatable
  --kustomize-image NAME[=NEWNAME][:TAG][@DIGEST]
                             set an images: entry of a kustomization (kustomize edit set image); repeatable
  --create-missing           create keys that do not exist yet
  --app NAME                 Argo CD application
  --project NAME             its AppProject (recommended)
  --app-namespace NS         the application's namespace (apps in any namespace)
  --mode git|helm-parameters git (default) or Helm parameters on the Application (argocd app set -p)
  --timeout DURATION         wait limit, e.g. 10m (default 10m)
  --wait-for LIST            what the wait requires, comma-separated: operation,sync,health (default all three;
                             like argocd app wait --operation --sync --health)
  --refresh-timeout DURATION how long Argo CD may take to see the commit (default 2m)
  --on-failure POLICY        git-revert | argocd-rollback | none (default none)
  --prune                    prune resources during the sync
  --dry-run                  show the change (diff) without pushing or syncing
  --output text|json         output format (default text)
  --author-name, --author-email   commit author
  --git-username NAME        git user (or GIT_USERNAME); password from GIT_PASSWORD or --git-password-file
  --git-password-file PATH   git password file; --git-token-file PATH or GIT_TOKEN for a token
${GIT_SSH_USAGE}  --argocd-server URL        Argo CD (or ARGOCD_SERVER)
  --argocd-token-file PATH   token file (or ARGOCD_AUTH_TOKEN)
  --argocd-username NAME --argocd-password-file PATH   session login
  --argocd-ca-file PATH | --argocd-insecure-skip-verify | --argocd-plaintext
`;

const OPTIONS = {
  repo: { type: 'string' },
  branch: { type: 'string' },
  file: { type: 'string' },
  set: { type: 'string', multiple: true },
  'set-json': { type: 'string', multiple: true },
  'kustomize-image': { type: 'string', multiple: true },
  'create-missing': { type: 'boolean' },
  app: { type: 'string' },
  project: { type: 'string' },
  'app-namespace': { type: 'string' },
  mode: { type: 'string' },
  timeout: { type: 'string' },
  'wait-for': { type: 'string' },
  'refresh-timeout': { type: 'string' },
  'on-failure': { type: 'string' },
  prune: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  output: { type: 'string' },
  'author-name': { type: 'string' },
  'author-email': { type: 'string' },
  'git-username': { type: 'string' },
  'git-password-file': { type: 'string' },
  'git-token-file': { type: 'string' },
  ...GIT_SSH_FLAGS,
  help: { type: 'boolean', short: 'h' },
  ...ARGOCD_FLAGS,
} as const;

/** Git credentials from files or the environment, never from argv. */
export function gitAuthFromArguments(
  values: ParsedArguments['values'],
  env: NodeJS.ProcessEnv,
): WriteBackAuth | undefined {
  const username = stringFlag(values, 'git-username') ?? env.GIT_USERNAME;
  const tokenFile = stringFlag(values, 'git-token-file');
  const passwordFile = stringFlag(values, 'git-password-file');
  const token = tokenFile
    ? readSecretFile(tokenFile, '--git-token-file')
    : readSecretEnvironment(env, 'GIT_TOKEN');
  if (token) return username ? { token, username } : { token };
  const password = passwordFile
    ? readSecretFile(passwordFile, '--git-password-file')
    : readSecretEnvironment(env, 'GIT_PASSWORD');
  if (password) {
    if (!username) {
      throw new ValidationError('A git password needs a username: --git-username or GIT_USERNAME', {
        field: 'git-username',
      });
    }
    return { username, password };
  }
  return undefined;
}

const WAIT_CONDITIONS = ['operation', 'sync', 'health'] as const;

/**
 * Parses `--wait-for operation,sync,health` (any non-empty subset).
 *
 * @throws {ValidationError} for an empty list or an unknown condition.
 */
export function parseWaitFor(text: string | undefined): Array<(typeof WAIT_CONDITIONS)[number]> | undefined {
  if (text === undefined) return undefined;
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const unknown = items.filter((item) => !(WAIT_CONDITIONS as readonly string[]).includes(item));
  if (items.length === 0 || unknown.length > 0) {
    throw new ValidationError(
      `--wait-for takes a comma-separated list of ${WAIT_CONDITIONS.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}`,
      { field: 'wait-for' },
    );
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
    default:
      return ExitCode.deploymentFailed;
  }
}

/** `gitops-flow promote`. */
export async function runPromoteCommand(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values } = parseCommandArguments(argv, OPTIONS, 'promote');
  if (values.help) {
    io.stdout.write(PROMOTE_USAGE);
    return ExitCode.success;
  }
  const output = choiceFlag(values, 'output', ['text', 'json'] as const, 'text');
  const mode = choiceFlag(values, 'mode', ['git', 'helm-parameters'] as const, 'git');
  const onFailure = choiceFlag<FailurePolicy>(
    values,
    'on-failure',
    ['git-revert', 'argocd-rollback', 'none'],
    'none',
  );
  const app = requiredFlag(values, 'app', 'promote', 'the Argo CD application');
  const sets = [
    ...listFlag(values, 'set').map((expression) => parseSetExpression(expression, 'string')),
    ...listFlag(values, 'set-json').map((expression) => parseSetExpression(expression, 'json')),
  ];
  const images = listFlag(values, 'kustomize-image').map(parseKustomizeImageFlag);
  if (sets.length === 0 && images.length === 0) {
    throw new ValidationError('promote: give at least one --set PATH=VALUE or --kustomize-image', {
      field: 'set',
    });
  }
  if (mode === 'helm-parameters' && images.length > 0) {
    throw new ValidationError(
      'promote: --kustomize-image needs git mode (it edits a kustomization in the repo)',
      {
        field: 'kustomize-image',
      },
    );
  }
  const waitFor = parseWaitFor(stringFlag(values, 'wait-for'));
  const timeoutText = stringFlag(values, 'timeout');
  const refreshText = stringFlag(values, 'refresh-timeout');
  const logger = createRedactingLogger(
    output === 'json' ? { ...defaultLogger, warn: () => {} } : defaultLogger,
  );
  const argocd = argocdOptionsFromArguments(values, io.env, logger);
  const project = stringFlag(values, 'project');
  const appNamespace = stringFlag(values, 'app-namespace');

  let changes: PromotionChange[] | undefined;
  let repository: Parameters<typeof promote>[0]['repository'];
  let helmParameters: Record<string, string> | undefined;
  if (mode === 'git') {
    const url = requiredFlag(values, 'repo', 'promote', 'the deploy repository URL');
    const file = requiredFlag(values, 'file', 'promote', 'the values file in the repository');
    const ssh = gitSshFromArguments(values, io.env, url);
    // An SSH remote authenticates with its key; HTTP credentials in the environment are for other repositories.
    const auth = ssh ? undefined : gitAuthFromArguments(values, io.env);
    const authorName = stringFlag(values, 'author-name');
    const authorEmail = stringFlag(values, 'author-email');
    repository = {
      url,
      branch: stringFlag(values, 'branch') ?? 'main',
      ...(auth ? { auth } : {}),
      ...(ssh ? { ssh } : {}),
      ...(authorName && authorEmail ? { author: { name: authorName, email: authorEmail } } : {}),
    };
    changes = [
      {
        file,
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
  const printer = output === 'text' ? new ProgressPrinter(io) : undefined;
  const report = await promote({
    mode,
    ...(repository ? { repository } : {}),
    ...(changes ? { changes } : {}),
    ...(helmParameters ? { helmParameters } : {}),
    application: {
      name: app,
      ...(project ? { project } : {}),
      ...(appNamespace ? { appNamespace } : {}),
    },
    argocd,
    ...(values.prune ? { sync: { prune: true } } : {}),
    wait: {
      timeoutMs: timeoutText ? parseDurationMs(timeoutText, '--timeout') : 600_000,
      ...(waitFor ? { conditions: waitFor } : {}),
    },
    ...(refreshText ? { refreshTimeoutMs: parseDurationMs(refreshText, '--refresh-timeout') } : {}),
    onFailure,
    dryRun: values['dry-run'] === true,
    ...(io.signal ? { signal: io.signal } : {}),
    ...(printer ? { onEvent: printer.handle } : {}),
    logger,
  });
  printLine(io, output === 'json' ? JSON.stringify(report, null, 2) : formatPromotionReport(report));
  return exitCodeForReport(report);
}
