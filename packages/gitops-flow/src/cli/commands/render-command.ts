import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { formatPipelineGraphDot, formatPipelineGraphMermaid, pipelineGraph } from '@gitops-kit/tekton-client';
import { renderTekton } from '../../render/render-tekton.js';
import { printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliCommand, CommandContext } from '../framework/cli-command.js';
import type { CommandGroupSpec, CommandSpec } from '../framework/command-spec.js';
import { HELP_FLAG } from '../framework/common-flags.js';
import { stringValue } from '../framework/parse-flags.js';

const NAMED_FLAGS = [
  ['namespace', 'NS', 'namespace of the rendered resources', 'namespace'],
  ['node-image', 'IMAGE', 'image of the test and build steps', 'nodeImage'],
  ['pipeline-name', 'NAME', 'name of the Pipeline', 'pipelineName'],
  ['service-account', 'NAME', 'service account of the PipelineRuns', 'serviceAccountName'],
  ['git-secret', 'NAME', 'Secret with the git credentials', 'gitSecretName'],
  ['argocd-secret', 'NAME', 'Secret with the Argo CD credentials', 'argocdSecretName'],
] as const;

/** `gitops-flow render tekton`: its flags and examples. */
export const RENDER_TEKTON_SPEC: CommandSpec = {
  name: 'render tekton',
  summary: 'render the promote Task, the seed Pipeline and the GitLab trigger, or the Pipeline as a graph',
  usage: [
    'render tekton [--namespace NS] [--pipeline-name NAME] [--format yaml|mermaid|dot] [--out FILE] [flags]',
  ],
  description: `Prints (or writes) the gitops-promote Task, the seed Pipeline (clone → test → build → docker → promote) and the
GitLab push TriggerBinding/TriggerTemplate, all validated. --format mermaid or dot draws the Pipeline's DAG instead
(runAfter, result and workspace edges, finally), for Markdown or Graphviz.`,
  flags: [
    ...NAMED_FLAGS.map(([name, value, description]) => ({
      name,
      type: 'string' as const,
      value,
      description,
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

async function runRenderTekton({ io, values, problems }: CommandContext): Promise<ExitCodeValue> {
  problems.throwIfAny();
  const options = Object.fromEntries(
    NAMED_FLAGS.flatMap(([flag, , , option]) => {
      const value = stringValue(values, flag);
      return value ? [[option, value]] : [];
    }),
  );
  const rendered = renderTekton(options);
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
