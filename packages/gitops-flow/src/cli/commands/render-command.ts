import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ValidationError } from '@gitops-kit/core';
import { renderTekton } from '../../render/render-tekton.js';
import { parseCommandArguments, stringFlag } from '../argument-parser.js';
import { type CliIo, printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export const RENDER_USAGE = `Usage: gitops-flow render tekton [--namespace NS] [--node-image IMAGE] [--pipeline-name NAME]
                                [--service-account NAME] [--git-secret NAME] [--argocd-secret NAME] [--out FILE]

Prints (or writes) the gitops-promote Task, the seed Pipeline (clone → test → build → docker → promote) and the
GitLab push TriggerBinding/TriggerTemplate, all validated.
`;

/** `gitops-flow render tekton`. */
export async function runRenderCommand(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const [target, ...rest] = argv;
  if (target === '--help' || target === '-h') {
    io.stdout.write(RENDER_USAGE);
    return ExitCode.success;
  }
  if (target !== 'tekton')
    throw new ValidationError('render: the only target is "tekton"', { field: 'render' });
  const { values } = parseCommandArguments(
    rest,
    {
      namespace: { type: 'string' },
      'node-image': { type: 'string' },
      'pipeline-name': { type: 'string' },
      'service-account': { type: 'string' },
      'git-secret': { type: 'string' },
      'argocd-secret': { type: 'string' },
      out: { type: 'string' },
    },
    'render tekton',
  );
  const option = (flag: string) => stringFlag(values, flag);
  const rendered = renderTekton({
    ...(option('namespace') ? { namespace: option('namespace') as string } : {}),
    ...(option('node-image') ? { nodeImage: option('node-image') as string } : {}),
    ...(option('pipeline-name') ? { pipelineName: option('pipeline-name') as string } : {}),
    ...(option('service-account') ? { serviceAccountName: option('service-account') as string } : {}),
    ...(option('git-secret') ? { gitSecretName: option('git-secret') as string } : {}),
    ...(option('argocd-secret') ? { argocdSecretName: option('argocd-secret') as string } : {}),
  });
  const out = option('out');
  if (out) {
    await writeFile(resolve(io.cwd, out), rendered.yaml);
    printLine(io, `wrote ${out}`);
  } else {
    io.stdout.write(rendered.yaml);
  }
  return ExitCode.success;
}
