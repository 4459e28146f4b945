import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatPipelineGraphDot, formatPipelineGraphMermaid, pipelineGraph } from '@gitops-kit/tekton-client';
import { renderReleaseTekton } from '../../render/render-release-tekton.js';
import { renderTekton } from '../../render/render-tekton.js';
import { printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliCommand, CommandContext } from '../framework/cli-command.js';
import type { CommandGroupSpec, CommandSpec } from '../framework/command-spec.js';
import { HELP_FLAG } from '../framework/common-flags.js';
import { listValue, stringValue } from '../framework/parse-flags.js';
import { readStages } from './release-command.js';

const NAMED_FLAGS = [
  ['namespace', 'NS', 'namespace of the rendered resources', 'namespace'],
  ['node-image', 'IMAGE', 'image of the test and build steps', 'nodeImage'],
  ['pipeline-name', 'NAME', 'name of the Pipeline', 'pipelineName'],
  ['service-account', 'NAME', 'service account of the PipelineRuns', 'serviceAccountName'],
  ['git-secret', 'NAME', 'Secret with the git credentials', 'gitSecretName'],
  ['argocd-secret', 'NAME', 'Secret with the Argo CD credentials', 'argocdSecretName'],
] as const;

/** Flags of the release Pipeline (`--release`), by option of `renderReleaseTekton`. */
const RELEASE_FLAGS = [
  ['stages-configmap', 'NAME', 'ConfigMap holding the stages file (default: a workspace)', 'stagesConfigMap'],
  [
    'stages-configmap-key',
    'KEY',
    'key of the stages file in that ConfigMap (default stages.yaml)',
    'stagesConfigMapKey',
  ],
  ['stages-path', 'PATH', 'path of the stages file in its workspace (default stages.yaml)', 'stagesPath'],
  [
    'gitlab-secret',
    'NAME',
    'Secret with the GitLab token (key token; default gitlab-token)',
    'gitlabSecretName',
  ],
  [
    'github-secret',
    'NAME',
    'Secret with the GitHub token (key token; default github-token)',
    'githubSecretName',
  ],
  [
    'git-ssh-secret',
    'NAME',
    'Secret with an SSH key for SSH deploy repositories (keys ssh-privatekey, known_hosts, passphrase?)',
    'gitSshSecretName',
  ],
] as const;

/** `gitops-flow render tekton`: its flags and examples. */
export const RENDER_TEKTON_SPEC: CommandSpec = {
  name: 'render tekton',
  summary:
    'render the promote Task, the seed Pipeline and the GitLab trigger (or the release Pipeline), or a graph',
  usage: [
    'render tekton [--namespace NS] [--pipeline-name NAME] [--format yaml|mermaid|dot] [--out FILE] [flags]',
    'render tekton --release [--standalone] [--stages-configmap NAME | --stages-path PATH] [--value NAME]... [flags]',
  ],
  description: `Prints (or writes) the gitops-promote Task, the seed Pipeline (clone → test → build → docker → promote) and the
GitLab push TriggerBinding/TriggerTemplate, all validated. --format mermaid or dot draws the Pipeline's DAG instead
(runAfter, result and workspace edges, finally), for Markdown or Graphviz.

With --release: the gitops-release Task (one step running \`gitops-flow release promote\`) and a release Pipeline
running it after the build (clone → test → build → docker → release, the built commit being the first value) or,
with --standalone, alone with one param per release value (image.tag → image_tag). With --layout per-stage the
Pipeline has one task per stage (release-<stage>, running \`release promote --stage\`) chained in stage order and a
finally task (status) printing where every stage stands; the stage names come from --stages-from FILE or --stage.`,
  flags: [
    ...NAMED_FLAGS.map(([name, value, description]) => ({
      name,
      type: 'string' as const,
      value,
      description,
    })),
    {
      name: 'release',
      type: 'boolean',
      description: 'render the release Task and Pipeline instead',
      group: 'Release',
    },
    {
      name: 'standalone',
      type: 'boolean',
      description: 'the release Pipeline without the build (values as params)',
      group: 'Release',
    },
    {
      name: 'layout',
      type: 'string',
      value: 'LAYOUT',
      description:
        'single-step: one task runs the whole release; per-stage: one task per stage (the graph shows each stage)',
      choices: ['single-step', 'per-stage'],
      default: 'single-step',
      group: 'Release',
    },
    {
      name: 'stages-from',
      type: 'string',
      value: 'PATH',
      description: 'per-stage: take the stage names, in order, from this stages file',
      complete: 'file',
      group: 'Release',
    },
    {
      name: 'stage',
      type: 'string',
      multiple: true,
      value: 'NAME',
      description: 'per-stage: a stage name, in stage order (instead of --stages-from); repeatable',
      group: 'Release',
    },
    {
      name: 'value',
      type: 'string',
      multiple: true,
      value: 'NAME',
      description: 'a release value as the stages file names it (default image.tag)',
      group: 'Release',
    },
    ...RELEASE_FLAGS.map(([name, value, description]) => ({
      name,
      type: 'string' as const,
      value,
      description,
      group: 'Release',
    })),
    {
      name: 'format',
      type: 'string',
      value: 'FORMAT',
      description: 'YAML resources, or the Pipeline graph as Mermaid flowchart or Graphviz DOT',
      choices: ['yaml', 'mermaid', 'dot'],
      default: 'yaml',
    },
    {
      name: 'out',
      type: 'string',
      value: 'FILE',
      description: 'write to FILE instead of stdout',
      complete: 'file',
    },
    HELP_FLAG,
  ],
  examples: [
    {
      description: 'Install the Task, Pipeline and trigger',
      command: 'gitops-flow render tekton --namespace ci | kubectl apply -f -',
    },
    {
      description: 'Install the release Task and a Pipeline promoting a given tag through the stages',
      command:
        'gitops-flow render tekton --release --standalone --stages-configmap release-stages | kubectl apply -f -',
    },
    {
      description: 'One Tekton task per stage, the stage names read from the stages file',
      command:
        'gitops-flow render tekton --release --standalone --layout per-stage --stages-from stages.yaml --stages-configmap release-stages',
    },
    { description: 'Draw the Pipeline for a README', command: 'gitops-flow render tekton --format mermaid' },
    {
      description: 'Draw it with Graphviz',
      command: 'gitops-flow render tekton --format dot | dot -Tsvg > pipeline.svg',
    },
  ],
};

/** `gitops-flow render`. */
export const RENDER_GROUP: CommandGroupSpec = {
  name: 'render',
  summary: 'render Tekton resources (or their graph) for this workflow',
  subcommands: [RENDER_TEKTON_SPEC],
};

/** The named flags that were given, as options. */
function namedOptions(
  values: CommandContext['values'],
  flags: ReadonlyArray<readonly [string, string, string, string]>,
): Record<string, string> {
  return Object.fromEntries(
    flags.flatMap(([flag, , , option]) => {
      const value = stringValue(values, flag);
      return value ? [[option, value]] : [];
    }),
  );
}

/** The stage names of a per-stage release Pipeline, from `--stages-from` or `--stage` (checked for usage). */
function stageNamesFlags(
  values: CommandContext['values'],
  problems: CommandContext['problems'],
): { perStage: boolean; stagesFrom: string | undefined; stages: string[] } {
  const perStage = stringValue(values, 'layout') === 'per-stage';
  const stagesFrom = stringValue(values, 'stages-from');
  const stages = listValue(values, 'stage');
  if (!perStage) {
    if (stagesFrom) problems.add('--stages-from needs --layout per-stage');
    if (stages.length > 0) problems.add('--stage needs --layout per-stage');
  } else if (stagesFrom && stages.length > 0) {
    problems.add('--stages-from and --stage exclude each other (the stage names from a file, or listed)');
  } else if (!stagesFrom && stages.length === 0) {
    problems.add(
      '--layout per-stage needs the stage names: --stages-from stages.yaml or --stage NAME (repeatable)',
    );
  }
  return { perStage, stagesFrom, stages };
}

/** The Pipeline (to draw) and the YAML of what `render tekton` renders. */
async function render(
  io: CommandContext['io'],
  values: CommandContext['values'],
  problems: CommandContext['problems'],
) {
  const release = values['release'] === true;
  const layout = release ? stageNamesFlags(values, problems) : undefined;
  if (!release) {
    const releaseOnly = [
      ...(values['standalone'] === true ? ['--standalone'] : []),
      ...(stringValue(values, 'layout') ? ['--layout'] : []),
      ...(stringValue(values, 'stages-from') ? ['--stages-from'] : []),
      ...(listValue(values, 'stage').length > 0 ? ['--stage'] : []),
      ...(listValue(values, 'value').length > 0 ? ['--value'] : []),
      ...RELEASE_FLAGS.flatMap(([flag]) => (stringValue(values, flag) ? [`--${flag}`] : [])),
    ];
    for (const flag of releaseOnly) problems.add(`${flag} needs --release`);
  }
  if (release && stringValue(values, 'service-account')) {
    problems.add("--service-account is for the seed trigger's PipelineRuns; --release renders no trigger");
  }
  if (stringValue(values, 'stages-configmap') && stringValue(values, 'stages-path')) {
    problems.add('--stages-configmap and --stages-path exclude each other (a ConfigMap or a workspace)');
  }
  problems.throwIfAny();
  const options = namedOptions(values, NAMED_FLAGS);
  if (!release) return renderTekton(options);
  const { nodeImage, namespace, pipelineName, gitSecretName, argocdSecretName } = options;
  const valueNames = listValue(values, 'value');
  const stageNames = layout?.stagesFrom
    ? (await readStages(io, layout.stagesFrom, '--stages-from')).map((stage) => stage.name)
    : (layout?.stages ?? []);
  return renderReleaseTekton({
    ...(nodeImage ? { nodeImage } : {}),
    ...(namespace ? { namespace } : {}),
    ...(pipelineName ? { pipelineName } : {}),
    ...(gitSecretName ? { gitSecretName } : {}),
    ...(argocdSecretName ? { argocdSecretName } : {}),
    ...namedOptions(values, RELEASE_FLAGS),
    ...(valueNames.length > 0 ? { values: valueNames } : {}),
    mode: values['standalone'] === true ? 'standalone' : 'after-build',
    ...(layout?.perStage ? { layout: 'per-stage' as const, stageNames } : {}),
  });
}

async function runRenderTekton({ io, values, problems }: CommandContext): Promise<ExitCodeValue> {
  const rendered = await render(io, values, problems);
  const format = stringValue(values, 'format') ?? 'yaml';
  const text =
    format === 'mermaid'
      ? formatPipelineGraphMermaid(pipelineGraph(rendered.pipeline))
      : format === 'dot'
        ? formatPipelineGraphDot(pipelineGraph(rendered.pipeline))
        : rendered.yaml;
  const out = stringValue(values, 'out');
  if (out) {
    await writeFile(resolve(io.cwd, out), text);
    printLine(io, `wrote ${out}`);
  } else {
    io.stdout.write(text);
  }
  return ExitCode.success;
}

/** `gitops-flow render tekton`. */
export const RENDER_TEKTON_COMMAND: CliCommand = {
  spec: RENDER_TEKTON_SPEC,
  runsWithoutArguments: true,
  run: runRenderTekton,
};
