import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ValidationError } from '@gitops-kit/core';
import {
  diffText,
  getYamlValue,
  setKustomizeImage,
  updateYaml,
  type YamlUpdate,
} from '@gitops-kit/manifest-updater';
import { listFlag, parseCommandArguments } from '../argument-parser.js';
import { type CliIo, printLine } from '../cli-io.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parseKustomizeImageFlag, parseSetExpression } from '../set-expressions.js';

export const VALUES_USAGE = `Usage:
  gitops-flow values set FILE --set PATH=VALUE [--set-json PATH=JSON] [--create-missing] [--dry-run]
  gitops-flow values set kustomization.yaml --kustomize-image NAME[=NEWNAME][:TAG][@DIGEST] [--dry-run]
  gitops-flow values get FILE PATH

set: changes only the given values (comments, order and quoting stay as they are) and prints the diff;
     the file is replaced atomically. --dry-run prints the diff without writing.
get: prints the value (a string as is, anything else as JSON).
`;

async function readLocalFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError(`Cannot read ${basename(path)} (${code})`, { field: 'FILE' });
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

/** `gitops-flow values set|get`. */
export async function runValuesCommand(argv: readonly string[], io: CliIo): Promise<ExitCodeValue> {
  const [action, ...rest] = argv;
  if (action === undefined || action === '--help' || action === '-h') {
    io.stdout.write(VALUES_USAGE);
    return action === undefined ? ExitCode.usage : ExitCode.success;
  }
  if (action === 'get') {
    const { positionals } = parseCommandArguments(rest, {}, 'values get');
    const [file, path] = positionals;
    if (!file || !path || positionals.length !== 2) {
      throw new ValidationError('values get: expected FILE and PATH', { field: 'values get' });
    }
    const value = getYamlValue(await readLocalFile(resolve(io.cwd, file)), path);
    printLine(io, typeof value === 'string' ? value : JSON.stringify(value));
    return ExitCode.success;
  }
  if (action !== 'set') throw new ValidationError(`values: unknown action "${action}" (set or get)`);
  const { values, positionals } = parseCommandArguments(
    rest,
    {
      set: { type: 'string', multiple: true },
      'set-json': { type: 'string', multiple: true },
      'kustomize-image': { type: 'string', multiple: true },
      'create-missing': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
    },
    'values set',
  );
  const [file] = positionals;
  if (!file || positionals.length !== 1) throw new ValidationError('values set: expected one FILE');
  const updates: YamlUpdate[] = [
    ...listFlag(values, 'set').map((expression) => parseSetExpression(expression, 'string')),
    ...listFlag(values, 'set-json').map((expression) => parseSetExpression(expression, 'json')),
  ].map((expression) => ({ path: expression.path, value: expression.value }) as YamlUpdate);
  const images = listFlag(values, 'kustomize-image').map(parseKustomizeImageFlag);
  if (updates.length === 0 && images.length === 0)
    throw new ValidationError('values set: give at least one --set PATH=VALUE or --kustomize-image');
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
