import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { ValidationError } from '@gitops-kit/core';
import { type ForgeClient, GitHubClient, GitLabClient } from '@gitops-kit/forge-client';
import { formatReleaseStatusTable } from '../../release/format-release-status.js';
import {
  type PromoteReleaseOptions,
  promoteRelease,
  type ReleaseEvent,
} from '../../release/promote-release.js';
import { parseStagesFile, type ReleaseStage } from '../../release/release-definition.js';
import { releaseStatus } from '../../release/release-status.js';
import { argocdOptionsFromArguments } from '../argocd-connection.js';
import { type CliIo, printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatReleaseReport } from '../format-release-report.js';
import type { CliCommand, CommandContext } from '../framework/cli-command.js';
import type { CommandGroupSpec, CommandSpec, FlagSpec } from '../framework/command-spec.js';
import {
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
import { outputSettings } from '../output-settings.js';
import {
  GIT_PASSWORD_FILE_FOR_FLAG,
  GIT_TOKEN_FILE_FOR_FLAG,
  releaseHttpAuthFromArguments,
} from '../release-http-flags.js';
import {
  GIT_SSH_KEY_FILE_FOR_FLAG,
  type ReleaseSshCredentials,
  releaseSshFromArguments,
} from '../release-ssh-flags.js';
import { readSecretEnvironment, readSecretFile } from '../secret-sources.js';

const STAGES_FLAG: FlagSpec = {
  name: 'stages',
  type: 'string',
  value: 'PATH',
  description: 'the stages file (YAML, schema: releaseStagesJsonSchema())',
  complete: 'file',
  group: 'Release',
};

/** Forge connections: a stage's `strategy.forge` names `gitlab` or `github`. */
const FORGE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'gitlab-url',
    type: 'string',
    value: 'URL',
    description: 'GitLab instance for change-request stages with forge: gitlab',
    env: 'GITLAB_URL',
    default: 'https://gitlab.com',
    group: 'Forges',
  },
  {
    name: 'gitlab-token-file',
    type: 'string',
    value: 'PATH',
    description: 'file holding a GitLab token (or set GITLAB_TOKEN)',
    complete: 'file',
    group: 'Forges',
  },
  {
    name: 'github-url',
    type: 'string',
    value: 'URL',
    description: 'GitHub API root for forge: github (GitHub Enterprise: https://HOST/api/v3)',
    env: 'GITHUB_API_URL',
    default: 'https://api.github.com',
    group: 'Forges',
  },
  {
    name: 'github-token-file',
    type: 'string',
    value: 'PATH',
    description: 'file holding a GitHub token (or set GITHUB_TOKEN)',
    complete: 'file',
    group: 'Forges',
  },
];

const FORGE_ENVIRONMENT = [
  { name: 'GITLAB_TOKEN', description: 'GitLab token (instead of --gitlab-token-file)' },
  { name: 'GITHUB_TOKEN', description: 'GitHub token (instead of --github-token-file)' },
] as const;

const SET_FLAG: FlagSpec = {
  name: 'set',
  type: 'string',
  multiple: true,
  value: 'NAME=VALUE',
  description: 'a value of the release, named as the stages file names it (image.tag=v2); repeatable',
  group: 'Release',
};

/** `gitops-flow release promote`. */
export const RELEASE_PROMOTE_SPEC: CommandSpec = {
  name: 'release promote',
  summary: 'promote one release through the stages of a stages file',
  usage: ['release promote --stages stages.yaml --set NAME=VALUE [flags]'],
  description: `Writes the release's values to each stage in order (a push, or a merge request someone merges), syncs and
waits for the application, soaks and verifies it, then moves to the next stage. A failure stops at that stage and
applies its onFailure policy; later stages are not touched. Running the same release again resumes: stages that
already hold it are verified, not rewritten.

With --stage NAME only that stage is promoted (its change request, soak and checks included): every earlier stage
must already run the release (its branch holds the values, Argo CD reports it Synced and Healthy), which is
checked, not redone; otherwise the command fails (EARLIER_STAGE_NOT_AT_RELEASE) before writing anything. Later
stages are not touched.`,
  flags: [
    STAGES_FLAG,
    SET_FLAG,
    {
      name: 'stage',
      type: 'string',
      value: 'NAME',
      description:
        'promote this stage only (one Tekton task per stage): the earlier stages must run the release already',
      group: 'Release',
    },
    {
      name: 'release-id',
      type: 'string',
      value: 'ID',
      description: 'names the release in branches and commits (default: a hash of the values)',
      group: 'Release',
    },
    ...GIT_FLAGS,
    GIT_PASSWORD_FILE_FOR_FLAG,
    GIT_TOKEN_FILE_FOR_FLAG,
    GIT_SSH_KEY_FILE_FOR_FLAG,
    ...ARGOCD_FLAGS,
    ...FORGE_FLAGS,
    outputFlag(['text', 'json']),
    ...VERBOSITY_FLAGS,
    HELP_FLAG,
  ],
  environment: [...GIT_ENVIRONMENT, ...ARGOCD_ENVIRONMENT, ...FORGE_ENVIRONMENT],
  examples: [
    {
      description: 'Promote an image tag through dev, staging and prod',
      command: 'gitops-flow release promote --stages stages.yaml --set image.tag=v2.3.0',
    },
    {
      description: 'Promote staging only, once dev runs the release (a Tekton task per stage)',
      command: 'gitops-flow release promote --stages stages.yaml --set image.tag=v2.3.0 --stage staging',
    },
    {
      description: 'The same from a Tekton step, reading the report',
      command:
        'gitops-flow release promote --stages stages.yaml --set image.tag=$(params.tag) -o json > release.json',
    },
  ],
};

/** `gitops-flow release status`. */
export const RELEASE_STATUS_SPEC: CommandSpec = {
  name: 'release status',
  summary: 'show where every stage stands: values in git, sync, health, open merge requests',
  usage: ['release status --stages stages.yaml [--set NAME=VALUE] [flags]'],
  description: `Reads every stage in parallel (git, Argo CD, the forges) and prints one row per stage. With --set, values
that differ from the release are marked. Nothing is written.`,
  flags: [
    STAGES_FLAG,
    {
      ...SET_FLAG,
      description: 'compare the stages with these release values (marks stages not at the release)',
    },
    ...GIT_FLAGS,
    GIT_PASSWORD_FILE_FOR_FLAG,
    GIT_TOKEN_FILE_FOR_FLAG,
    GIT_SSH_KEY_FILE_FOR_FLAG,
    ...ARGOCD_FLAGS,
    ...FORGE_FLAGS,
    outputFlag(['text', 'json']),
    ...VERBOSITY_FLAGS,
    HELP_FLAG,
  ],
  environment: [...GIT_ENVIRONMENT, ...ARGOCD_ENVIRONMENT, ...FORGE_ENVIRONMENT],
  examples: [
    {
      description: 'Where is my release?',
      command: 'gitops-flow release status --stages stages.yaml --set image.tag=v2.3.0',
    },
    {
      description: 'As JSON for a dashboard',
      command: 'gitops-flow release status --stages stages.yaml -o json',
    },
  ],
};

/** `gitops-flow release`. */
export const RELEASE_GROUP: CommandGroupSpec = {
  name: 'release',
  summary: 'releases through environments (dev → staging → prod)',
  subcommands: [RELEASE_PROMOTE_SPEC, RELEASE_STATUS_SPEC],
};

/** `--set NAME=VALUE` pairs (values stay strings, as `helm --set-string`). */
function releaseValues(values: FlagValues, problems: UsageProblems): Record<string, string> {
  // No prototype: `--set __proto__=x` names a value like any other instead of vanishing.
  const result = Object.create(null) as Record<string, string>;
  for (const text of listValue(values, 'set')) {
    const equals = text.indexOf('=');
    if (equals <= 0) {
      problems.add(`--set ${text}: expected NAME=VALUE`);
      continue;
    }
    result[text.slice(0, equals)] = text.slice(equals + 1);
  }
  return result;
}

/** A stages file is a few screens of YAML; anything larger is a mistake (or `/dev/zero`), not a release. */
const MAXIMUM_STAGES_FILE_BYTES = 1024 * 1024;

/**
 * Reads and validates a stages file (at most 1 MiB) relative to the CLI's working directory.
 *
 * @throws {ValidationError} when it cannot be read, is too large or is not a valid stages file.
 */
export async function readStages(io: CliIo, path: string, flag = '--stages'): Promise<ReleaseStage[]> {
  let bytes: Buffer;
  try {
    // Read at most one byte more than the cap, so an endless or huge file is refused without reading it whole.
    const file = await open(resolve(io.cwd, path), 'r');
    try {
      bytes = Buffer.alloc(MAXIMUM_STAGES_FILE_BYTES + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await file.read(bytes, length, bytes.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === bytes.length) break;
      }
      bytes = bytes.subarray(0, length);
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new ValidationError(
      `cannot read ${flag} ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  if (bytes.length > MAXIMUM_STAGES_FILE_BYTES) {
    throw new ValidationError(`${flag} ${path} is larger than ${MAXIMUM_STAGES_FILE_BYTES} bytes`);
  }
  return parseStagesFile(bytes.toString('utf8'));
}

/** The forge clients the stages name, from flags and environment; a missing token is a usage problem. */
function forgesFor(
  stages: readonly ReleaseStage[],
  values: FlagValues,
  env: NodeJS.ProcessEnv,
  problems: UsageProblems,
) {
  const needed = new Set(
    stages.flatMap((stage) => (stage.strategy.type === 'change-request' ? [stage.strategy.forge] : [])),
  );
  const forges: Record<string, ForgeClient> = {};
  for (const name of needed) {
    if (name !== 'gitlab' && name !== 'github') {
      problems.add(`stages name the forge "${name}": the CLI knows gitlab and github`);
      continue;
    }
    const tokenFile = stringValue(values, `${name}-token-file`);
    const token = tokenFile
      ? problems.attempt(() => readSecretFile(tokenFile, `--${name}-token-file`), undefined)
      : readSecretEnvironment(env, name === 'gitlab' ? 'GITLAB_TOKEN' : 'GITHUB_TOKEN');
    if (!token) {
      problems.add(
        `a stage goes through ${name}: give its token with --${name}-token-file or ${name === 'gitlab' ? 'GITLAB_TOKEN' : 'GITHUB_TOKEN'}`,
      );
      continue;
    }
    const url =
      stringValue(values, `${name}-url`) ?? env[name === 'gitlab' ? 'GITLAB_URL' : 'GITHUB_API_URL'];
    forges[name] =
      name === 'gitlab'
        ? new GitLabClient({ token, ...(url ? { url } : {}) })
        : new GitHubClient({ token, ...(url ? { url } : {}) });
  }
  return forges;
}

function describeEvent(event: ReleaseEvent): string | undefined {
  switch (event.type) {
    case 'stage':
      return event.status === 'started'
        ? `▶ ${event.message}`
        : `${event.status === 'failed' ? '✗' : '✓'} ${event.stage}: ${event.status} — ${event.message}`;
    case 'change-request':
      return `  ${event.stage}: merge request !${event.number} ${event.action} ${event.webUrl}`;
    case 'gate':
      return `  ${event.stage}: ${event.message}`;
    case 'promotion':
      return event.event.type === 'step' && event.event.status !== 'started'
        ? `  ${event.stage}: ${event.event.step} ${event.event.status} — ${event.event.message}`
        : undefined;
  }
}

interface Prepared {
  stages: ReleaseStage[];
  release: Record<string, string>;
  argocd: ArgoCDClient;
  gitAuth: PromoteReleaseOptions['gitAuth'];
  gitAuthByUrl: PromoteReleaseOptions['gitAuthByUrl'];
  ssh: ReleaseSshCredentials;
  forges: Record<string, ForgeClient>;
  output: ReturnType<typeof outputSettings>;
}

async function prepare(
  { io, values, problems }: CommandContext,
  releaseRequired: boolean,
): Promise<Prepared> {
  const stagesPath = stringValue(values, 'stages');
  if (!stagesPath) problems.add('missing required flag: --stages');
  const release = releaseValues(values, problems);
  if (releaseRequired && Object.keys(release).length === 0 && !problems.mentions('--set')) {
    problems.add('missing required flag: --set NAME=VALUE (the release values)');
  }
  const output = outputSettings(values, io);
  const argocdOptions = argocdOptionsFromArguments(values, io.env, output.logger, problems);
  const gitAuth = gitAuthFromArguments(values, io.env, problems);
  // Given but empty (`--release-id ""`, an unset variable in a script): never fall back to the default id silently,
  // or a re-run under the intended id would not resume this release.
  if (values['release-id'] === '') {
    problems.add(
      '--release-id needs a value (letters, digits, ., _ or -); leave the flag out for the default id',
    );
  }
  // The same for `--stage ""` (an empty Tekton param): it would otherwise promote every stage.
  if (values.stage === '') {
    problems.add('--stage needs a stage name; leave the flag out to promote every stage');
  }
  // Everything on the command line is checked before the stages file is even read.
  problems.throwIfAny();
  const stages = await readStages(io, stagesPath as string);
  // `--stage NAME` reaches that stage and reads the earlier ones; the later ones' keys and forge tokens are not
  // needed (a per-stage task gets the same flags as every other, so the flags may still name them).
  const onlyIndex = stages.findIndex((stage) => stage.name === values.stage);
  const ssh = releaseSshFromArguments(
    values,
    io.env,
    stages.map((stage) => stage.repository.url),
    problems,
    (onlyIndex < 0 ? stages : stages.slice(0, onlyIndex + 1)).map((stage) => stage.repository.url),
  );
  const forges = forgesFor(
    onlyIndex < 0 ? stages : stages.slice(onlyIndex, onlyIndex + 1),
    values,
    io.env,
    problems,
  );
  const gitAuthByUrl = releaseHttpAuthFromArguments(
    values,
    io.env,
    stages.map((stage) => stage.repository.url),
    problems,
  );
  problems.throwIfAny();
  return {
    stages,
    release,
    argocd: new ArgoCDClient(argocdOptions as NonNullable<typeof argocdOptions>),
    gitAuth,
    gitAuthByUrl,
    ssh,
    forges,
    output,
  };
}

async function runReleasePromote(context: CommandContext): Promise<ExitCodeValue> {
  const prepared = await prepare(context, true);
  const { io } = context;
  try {
    const report = await promoteRelease({
      values: prepared.release,
      ...(typeof context.values['release-id'] === 'string'
        ? { releaseId: context.values['release-id'] }
        : {}),
      stages: prepared.stages,
      ...(typeof context.values.stage === 'string' ? { onlyStage: context.values.stage } : {}),
      argocd: prepared.argocd,
      ...(prepared.gitAuth ? { gitAuth: prepared.gitAuth } : {}),
      ...(prepared.gitAuthByUrl ? { gitAuthByUrl: prepared.gitAuthByUrl } : {}),
      ...prepared.ssh,
      forges: prepared.forges,
      ...(io.signal ? { signal: io.signal } : {}),
      logger: prepared.output.logger,
      onEvent: (event) => {
        if (prepared.output.format !== 'text' || context.values.quiet === true) return;
        const line = describeEvent(event);
        if (line) io.stderr.write(`${line}\n`);
      },
    });
    prepared.output.close();
    printLine(
      io,
      prepared.output.format === 'json' ? JSON.stringify(report, null, 2) : formatReleaseReport(report),
    );
    return report.outcome === 'succeeded' ? ExitCode.success : ExitCode.deploymentFailed;
  } finally {
    prepared.output.close();
    await Promise.all(Object.values(prepared.forges).map((forge) => forge.close()));
  }
}

async function runReleaseStatus(context: CommandContext): Promise<ExitCodeValue> {
  const prepared = await prepare(context, false);
  try {
    const statuses = await releaseStatus({
      stages: prepared.stages,
      argocd: prepared.argocd,
      ...(prepared.gitAuth ? { gitAuth: prepared.gitAuth } : {}),
      ...(prepared.gitAuthByUrl ? { gitAuthByUrl: prepared.gitAuthByUrl } : {}),
      ...prepared.ssh,
      forges: prepared.forges,
      ...(Object.keys(prepared.release).length > 0 ? { values: prepared.release } : {}),
      ...(context.io.signal ? { signal: context.io.signal } : {}),
    });
    prepared.output.close();
    printLine(
      context.io,
      prepared.output.format === 'json'
        ? JSON.stringify({ stages: statuses }, null, 2)
        : formatReleaseStatusTable(statuses),
    );
    return statuses.some((status) => status.errors.length > 0) ? ExitCode.error : ExitCode.success;
  } finally {
    prepared.output.close();
    await Promise.all(Object.values(prepared.forges).map((forge) => forge.close()));
  }
}

/** `gitops-flow release promote`. */
export const RELEASE_PROMOTE_COMMAND: CliCommand = { spec: RELEASE_PROMOTE_SPEC, run: runReleasePromote };
/** `gitops-flow release status`. */
export const RELEASE_STATUS_COMMAND: CliCommand = { spec: RELEASE_STATUS_SPEC, run: runReleaseStatus };
