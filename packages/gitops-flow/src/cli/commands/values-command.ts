import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError } from '@gitops-kit/core';
import {
  diffText,
  formatYamlPath,
  getYamlValue,
  PathNotFoundError,
  parseYamlPath,
  setKustomizeImage,
  updateYaml,
  type YamlUpdate,
} from '@gitops-kit/manifest-updater';
import { printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import type { CliCommand, CommandContext } from '../framework/cli-command.js';
import type { CommandGroupSpec, CommandSpec } from '../framework/command-spec.js';
import { HELP_FLAG, outputFlag } from '../framework/common-flags.js';
import { listValue } from '../framework/parse-flags.js';
import { parseKustomizeImageFlag, parseSetExpression } from '../set-expressions.js';

/** `gitops-flow values set`: its flags and examples. */
export const VALUES_SET_SPEC: CommandSpec = {
  name: 'values set',
  summary: 'change values in a local YAML file, byte-minimal, and print the diff',
  usage: [
    'values set FILE --set PATH=VALUE [--set-json PATH=JSON] [--create-missing] [--dry-run]',
    'values set kustomization.yaml --kustomize-image NAME[=NEWNAME][:TAG][@DIGEST] [--dry-run]',
  ],
  description: `Changes only the given values (comments, order and quoting stay as they are) and prints the diff; the file
is replaced atomically. --dry-run prints the diff without writing.`,
  positionals: { min: 1, max: 1, names: ['FILE'], complete: 'file' },
  flags: [
    {
      name: 'set',
      type: 'string',
      multiple: true,
      value: 'PATH=VALUE',
      description: 'set a value, always as a string',
    },
    {
      name: 'set-json',
      type: 'string',
      multiple: true,
      value: 'PATH=JSON',
      description: 'set a typed value',
    },
    {
      name: 'kustomize-image',
      type: 'string',
      multiple: true,
      value: 'NAME[=NEWNAME][:TAG][@DIGEST]',
      description: 'set an images: entry of a kustomization',
    },
    { name: 'create-missing', type: 'boolean', description: 'create keys that do not exist yet' },
    { name: 'dry-run', type: 'boolean', description: 'print the diff, do not write' },
    HELP_FLAG,
  ],
  examples: [
    {
      description: 'Set the image tag',
      command: 'gitops-flow values set helm/values.yaml --set image.tag=v1.4.2',
    },
    {
      description: 'Set a number and create the key if needed',
      command: 'gitops-flow values set values.yaml --set-json replicaCount=3 --create-missing',
    },
    {
      description: 'Point a kustomization at a new image',
      command: 'gitops-flow values set kustomization.yaml --kustomize-image web=registry.example.com/web:v2',
    },
  ],
};

/** `gitops-flow values get`: its flags and examples. */
export const VALUES_GET_SPEC: CommandSpec = {
  name: 'values get',
  summary: 'print a value from a local YAML file',
  usage: ['values get FILE PATH [-o text|json]'],
  description: `Prints the value at PATH: a string as is, anything else as JSON (-o json: always JSON). A path that does not
exist exits 6.`,
  positionals: { min: 2, max: 2, names: ['FILE', 'PATH'], complete: 'file' },
  flags: [outputFlag(['text', 'json']), HELP_FLAG],
  examples: [
    {
      description: 'Read the deployed image tag',
      command: 'gitops-flow values get helm/values.yaml image.tag',
    },
    {
      description: 'Read a list entry by key',
      command: "gitops-flow values get kustomization.yaml 'images[name=web].newTag'",
    },
  ],
};

/** `gitops-flow values`. */
export const VALUES_GROUP: CommandGroupSpec = {
  name: 'values',
  summary: 'set or get values in a local YAML file',
  subcommands: [VALUES_SET_SPEC, VALUES_GET_SPEC],
};

async function readLocalFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError(`cannot read ${basename(path)} (${code})`, { field: 'FILE' });
  }
}

/** Writes beside the file, then renames over it: readers see the old bytes or the new, never a mix. */
async function replaceFileAtomically(path: string, text: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = (await stat(path)).mode;
  try {
    await writeFile(temporary, text, { mode });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The longest prefix of the path that exists, to say where a missing path stops. */
function missingSegment(text: string, path: string): { found: string; missing: string } {
  const segments = parseYamlPath(path);
  for (let length = segments.length - 1; length >= 1; length -= 1) {
    if (getYamlValue(text, segments.slice(0, length)) !== undefined) {
      return {
        found: formatYamlPath(segments.slice(0, length)),
        missing: formatYamlPath(segments.slice(0, length + 1)),
      };
    }
  }
  return { found: '', missing: formatYamlPath(segments.slice(0, 1)) };
}

async function runValuesGet({ io, values, positionals, problems }: CommandContext): Promise<ExitCodeValue> {
  const [file, path] = positionals as [string, string];
  problems.attempt(() => parseYamlPath(path), undefined);
  problems.throwIfAny();
  const text = await readLocalFile(resolve(io.cwd, file));
  const value = getYamlValue(text, path);
  if (value === undefined) {
    // getYamlValue answers undefined for a missing path (null is a value that exists).
    const where = missingSegment(text, path);
    throw new PathNotFoundError(
      `${file} has no ${path}: ${where.found ? `${where.found} has no ${where.missing.slice(where.found.length).replace(/^\./, '')}` : `there is no top-level ${where.missing}`}`,
      { path },
    );
  }
  printLine(io, typeof value === 'string' && values.output !== 'json' ? value : JSON.stringify(value));
  return ExitCode.success;
}

async function runValuesSet({ io, values, positionals, problems }: CommandContext): Promise<ExitCodeValue> {
  const [file] = positionals as [string];
  const updates: YamlUpdate[] = [
    ...listValue(values, 'set').map((expression) => ({ text: expression, kind: 'string' as const })),
    ...listValue(values, 'set-json').map((expression) => ({ text: expression, kind: 'json' as const })),
  ].flatMap(({ text, kind }) => {
    const expression = problems.attempt(() => parseSetExpression(text, kind), undefined);
    if (!expression) return [];
    problems.attempt(() => parseYamlPath(expression.path), undefined);
    return [{ path: expression.path, value: expression.value } as YamlUpdate];
  });
  const images = listValue(values, 'kustomize-image').flatMap((text) => {
    const image = problems.attempt(() => parseKustomizeImageFlag(text), undefined);
    return image ? [image] : [];
  });
  if (
    listValue(values, 'set').length +
      listValue(values, 'set-json').length +
      listValue(values, 'kustomize-image').length ===
    0
  ) {
    problems.add('missing required flag: --set PATH=VALUE (or --set-json, --kustomize-image)');
  }
  problems.throwIfAny();
  const path = resolve(io.cwd, file);
  const before = await readLocalFile(path);
  let after =
    updates.length > 0
      ? updateYaml(before, updates, { createMissing: values['create-missing'] === true }).text
      : before;
  for (const image of images) after = setKustomizeImage(after, image).text;
  if (after === before) {
    printLine(io, `${file}: already up to date`);
    return ExitCode.success;
  }
  io.stdout.write(diffText(before, after, { fileName: file }));
  if (values['dry-run'] !== true) await replaceFileAtomically(path, after);
  return ExitCode.success;
}

/** `gitops-flow values set`. */
export const VALUES_SET_COMMAND: CliCommand = { spec: VALUES_SET_SPEC, run: runValuesSet };
/** `gitops-flow values get`. */
export const VALUES_GET_COMMAND: CliCommand = { spec: VALUES_GET_SPEC, run: runValuesGet };
