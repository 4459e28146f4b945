/**
 * Conformance run over the write-back corpus: for every file and path in `values/index.tsv` and
 * `kustomize/index.tsv`, set a new value and check that
 *   (a) an existing key changes exactly one line,
 *   (b) a missing key only adds lines (createMissing),
 *   (c) the re-parsed document (YAML 1.2 and 1.1) equals the original with only that value changed,
 *   (d) a no-op edit returns the identical bytes.
 * Corpus directory: $GITOPS_KIT_CORPUS, default `<repo root>/../shared/corpus`. Exits 1 on any miss. A missing
 * corpus fails the run in CI (`CI=true`) and is skipped with exit 0, saying where the corpus comes from, elsewhere.
 *
 * Usage: npm run conformance   (or: npx tsx scripts/conformance.ts)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diffArrays } from 'diff';
import { parseAllDocuments } from 'yaml';
import {
  getYamlValue,
  PathThroughAliasError,
  parseYamlPath,
  updateYaml,
  type YamlPathSegment,
  type YamlScalarValue,
} from '../src/index.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const NEW_VALUES: readonly YamlScalarValue[] = ['v9.9.9-conformance', '1.20', 'on', 12345, ''];

interface Counts {
  files: number;
  paths: number;
  edits: number;
  existingOneLine: number;
  missingOnlyAdds: number;
  reparsedEqual: number;
  noopIdentical: number;
  aliasRefused: number;
}

/**
 * Runs the conformance checks over `corpus` and returns the exit code (0: no miss, or no corpus when it is not
 * `required`; 1: any miss, or no corpus when it is required). `log` receives the report lines.
 */
export function runConformance(
  corpus: string,
  log: (line: string) => void = console.log,
  required = process.env.CI === 'true',
): number {
  if (!existsSync(corpus)) {
    if (required) {
      log(`conformance FAILED: corpus not found at ${corpus} (required when CI=true; set GITOPS_KIT_CORPUS)`);
      return 1;
    }
    log(
      `conformance skipped: corpus not found at ${corpus}. It is the shared/corpus folder that sits beside the ` +
        'repository checkout (real-world values and kustomization files, kept outside the project because they come ' +
        'from other repositories); set GITOPS_KIT_CORPUS to use a copy elsewhere.',
    );
    return 0;
  }
  const counts: Counts = {
    files: 0,
    paths: 0,
    edits: 0,
    existingOneLine: 0,
    missingOnlyAdds: 0,
    reparsedEqual: 0,
    noopIdentical: 0,
    aliasRefused: 0,
  };
  const misses: string[] = [];
  for (const folder of ['values', 'kustomize']) {
    const indexFile = join(corpus, folder, 'index.tsv');
    if (!existsSync(indexFile)) {
      log(`conformance: no ${folder}/index.tsv under ${corpus}; folder skipped`);
      continue;
    }
    const rows = readFileSync(indexFile, 'utf8').split('\n').filter(Boolean);
    const header = rows.shift()?.split('\t') ?? [];
    const column = (name: string): number => header.indexOf(name);
    for (const row of rows) {
      const cells = row.split('\t');
      const file = cells[column('file')]!;
      const paths = (cells[column('yaml_paths')] ?? '').split(';').filter(Boolean);
      const missing = new Set((cells[column('missing_paths')] ?? '').split(';').filter(Boolean));
      const source = readFileSync(join(corpus, folder, file), 'utf8');
      counts.files += 1;
      for (const path of paths) {
        counts.paths += 1;
        for (const value of NEW_VALUES) {
          counts.edits += 1;
          const label = `${folder}/${file} ${path} = ${JSON.stringify(value)}`;
          try {
            checkOne(source, path, value, missing.has(path), counts, (why) =>
              misses.push(`${label}: ${why}`),
            );
          } catch (error) {
            misses.push(`${label}: threw ${(error as Error).name}: ${(error as Error).message}`);
          }
        }
      }
    }
  }
  log(`corpus: ${corpus}`);
  log(
    `files ${counts.files}, paths ${counts.paths}, edits ${counts.edits} (${NEW_VALUES.length} values per path)\n` +
      `(a) existing key, exactly one line changed: ${counts.existingOneLine}\n` +
      `(b) missing key, only lines added:         ${counts.missingOnlyAdds}\n` +
      `(c) re-parsed equal (YAML 1.2 and 1.1):     ${counts.reparsedEqual}\n` +
      `(d) no-op returns identical bytes:         ${counts.noopIdentical}\n` +
      `alias paths refused by default (then edited with aliases: 'edit-anchor'): ${counts.aliasRefused}\n` +
      `misses: ${misses.length}`,
  );
  for (const miss of misses) log(`  MISS ${miss}`);
  return misses.length === 0 ? 0 : 1;
}

function checkOne(
  source: string,
  path: string,
  value: YamlScalarValue,
  isMissing: boolean,
  counts: Counts,
  miss: (why: string) => void,
): void {
  let aliases: 'error' | 'edit-anchor' = 'error';
  // Multi-document files: the index names no document, so pick the one that holds the path (the first for a
  // missing path). Single-document files pass no index, as a caller would.
  const document = pickDocument(source, path, isMissing);
  const base = document === undefined ? {} : { document };
  let result: ReturnType<typeof updateYaml>;
  try {
    result = updateYaml(source, { path, value }, { ...base, createMissing: isMissing });
  } catch (error) {
    if (!PathThroughAliasError.isInstance(error)) throw error;
    counts.aliasRefused += 1;
    aliases = 'edit-anchor';
    result = updateYaml(source, { path, value }, { ...base, createMissing: isMissing, aliases });
  }
  const before = source.split('\n');
  const after = result.text.split('\n');
  if (isMissing) {
    const parts = diffArrays(before, after);
    if (parts.some((part) => part.removed) || !result.changed)
      miss('(b) creating the key removed or kept lines');
    else counts.missingOnlyAdds += 1;
  } else {
    const changedLines =
      before.length === after.length ? before.filter((line, i) => line !== after[i]).length : -1;
    const oldValue = getYamlValue(source, path, base);
    const expectChange = !(typeof oldValue === typeof value && oldValue === value);
    if (expectChange ? changedLines !== 1 : changedLines !== 0) {
      miss(`(a) ${changedLines === -1 ? 'line count changed' : `${changedLines} lines changed`}`);
    } else counts.existingOneLine += 1;
  }
  const segments = parseYamlPath(path);
  let equal = true;
  for (const version of ['1.2', '1.1'] as const) {
    const expected = readAll(source, version);
    expected[document ?? 0] = setIn(expected[document ?? 0], segments, value);
    const actual = readAll(result.text, version);
    if (expected.length === 0) expected.push(setIn(null, segments, value));
    if (!deepEqual(expected, actual)) {
      equal = false;
      miss(`(c) re-parsed document (YAML ${version}) differs from the original with only the value changed`);
      break;
    }
  }
  if (equal) counts.reparsedEqual += 1;
  const noop = updateYaml(result.text, { path, value }, { ...base, aliases });
  if (noop.changed || noop.text !== result.text) miss('(d) repeating the edit changed the text');
  else counts.noopIdentical += 1;
}

function readAll(text: string, version: '1.1' | '1.2'): unknown[] {
  const documents = parseAllDocuments(text, { version });
  if (!Array.isArray(documents)) return [];
  return documents.map((entry) => entry.toJS({ maxAliasCount: 1000 }) as unknown);
}

function pickDocument(source: string, path: string, isMissing: boolean): number | undefined {
  const documents = parseAllDocuments(source);
  if (!Array.isArray(documents) || documents.length < 2) return undefined;
  if (isMissing) return 0;
  const index = documents.findIndex((_, at) => getYamlValue(source, path, { document: at }) !== undefined);
  return index === -1 ? 0 : index;
}

function setIn(root: unknown, segments: readonly YamlPathSegment[], value: unknown): unknown {
  const top: { root: unknown } = { root: root ?? {} };
  let holder: Record<string, unknown> | unknown[] = top as unknown as Record<string, unknown>;
  let key: string | number = 'root';
  for (const segment of segments) {
    let current: unknown = (holder as Record<string | number, unknown>)[key];
    if (current === null || current === undefined) {
      current = typeof segment === 'string' ? {} : [];
      (holder as Record<string | number, unknown>)[key] = current;
    }
    if (typeof segment === 'object') {
      const list = current as Array<Record<string, unknown>>;
      let index = list.findIndex((item) => item && String(item[segment.key]) === segment.value);
      if (index === -1) index = list.push({ [segment.key]: segment.value }) - 1;
      holder = list;
      key = index;
    } else if (Array.isArray(current) && typeof segment === 'number') {
      holder = current;
      key = segment;
    } else {
      holder = current as Record<string, unknown>;
      key = String(segment);
    }
  }
  (holder as Record<string | number, unknown>)[key] = value;
  return top.root;
}

function deepEqual(left: unknown, right: unknown): boolean {
  if (Object.is(left, right)) return true;
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  if (leftKeys.length !== rightKeys.length) return false;
  return leftKeys.every((key) =>
    deepEqual((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key]),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = runConformance(
    process.env.GITOPS_KIT_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus'),
  );
}
