import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createHealthAssessor, formatHealthResult, parseKubernetesYaml } from '@gitops-kit/argocd-health';
import { ValidationError } from '@gitops-kit/core';
import { parse } from 'yaml';
import { type CliIo, printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliCommand, CommandContext } from '../framework/cli-command.js';
import type { CommandSpec } from '../framework/command-spec.js';
import { HELP_FLAG } from '../framework/common-flags.js';
import { stringValue } from '../framework/parse-flags.js';

/** `gitops-flow health`: its flags and examples. */
export const HEALTH_SPEC: CommandSpec = {
  name: 'health',
  summary: "evaluate a resource's health like `argocd admin settings resource-overrides health`",
  usage: ['health RESOURCE.yaml [--argocd-cm argocd-cm.yaml]'],
  description: `Prints STATUS and MESSAGE the way \`argocd admin settings resource-overrides health\` does: argocd-cm Lua
scripts first, then Argo CD's built-in checks. Offline: nothing is contacted.`,
  positionals: { min: 1, max: 1, names: ['RESOURCE.yaml'], complete: 'file' },
  flags: [
    {
      name: 'argocd-cm',
      type: 'string',
      value: 'PATH',
      description: 'the argocd-cm ConfigMap whose health customisations apply',
      complete: 'file',
    },
    HELP_FLAG,
  ],
  examples: [
    { description: "Argo CD's verdict on an Ingress", command: 'gitops-flow health ingress.yaml' },
    {
      description: 'The same with your health scripts',
      command:
        'kubectl get cm argocd-cm -n argocd -o yaml > argocd-cm.yaml\n  gitops-flow health ingress.yaml --argocd-cm argocd-cm.yaml',
    },
  ],
};

async function readText(io: CliIo, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new ValidationError(
      `cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
}

async function runHealth({ io, values, positionals, problems }: CommandContext): Promise<ExitCodeValue> {
  problems.throwIfAny();
  const [resourcePath] = positionals as [string];
  const objects = parseKubernetesYaml(await readText(io, resourcePath, 'resource file'));
  if (objects.length === 0) throw new ValidationError('the resource file holds no object');
  const configMapPath = stringValue(values, 'argocd-cm');
  let data: Record<string, string> = {};
  if (configMapPath) {
    const configMap: unknown = parse(await readText(io, configMapPath, 'argocd-cm file'));
    const candidate = (configMap as { data?: unknown } | null)?.data;
    if (candidate && typeof candidate === 'object') data = candidate as Record<string, string>;
  }
  const assessor = await createHealthAssessor({ customizations: data });
  try {
    for (const object of objects)
      printLine(io, formatHealthResult(assessor.assess(object), object).trimEnd());
  } finally {
    await assessor.close();
  }
  return ExitCode.success;
}

/** `gitops-flow health`. */
export const HEALTH_COMMAND: CliCommand = { spec: HEALTH_SPEC, run: runHealth };
