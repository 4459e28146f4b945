import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createHealthAssessor, formatHealthResult, parseKubernetesYaml } from '@gitops-kit/argocd-health';
import { ValidationError } from '@gitops-kit/core';
import { parse } from 'yaml';
import { parseCommandArguments, stringFlag } from '../argument-parser.js';
import { type CliIo, printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';

export const HEALTH_USAGE = `Usage: gitops-flow health RESOURCE.yaml [--argocd-cm argocd-cm.yaml]

Prints STATUS and MESSAGE the way \`argocd admin settings resource-overrides health\` does: argocd-cm Lua
scripts first, then Argo CD's built-in checks. Offline: nothing is contacted.
`;

async function readText(io: CliIo, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new ValidationError(
      `Cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
}

/** `gitops-flow health`. */
export async function runHealthCommand(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const { values, positionals } = parseCommandArguments(
    argv,
    { 'argocd-cm': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    'health',
  );
  if (values.help) {
    io.stdout.write(HEALTH_USAGE);
    return ExitCode.success;
  }
  const [resourcePath] = positionals;
  if (!resourcePath || positionals.length !== 1)
    throw new ValidationError('health: expected one RESOURCE.yaml');
  const objects = parseKubernetesYaml(await readText(io, resourcePath, 'resource file'));
  if (objects.length === 0) throw new ValidationError('health: the resource file holds no object');
  const configMapPath = stringFlag(values, 'argocd-cm');
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
