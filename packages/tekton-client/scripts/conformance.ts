/**
 * Validates every document of the Tekton examples corpus with validateTektonDocument.
 *
 *   npm run conformance            (corpus from GITOPS_KIT_CORPUS, default <repo root>/../shared/corpus)
 *
 * Tekton kinds in the stable set must have zero issues; files under alpha/ and beta/ need feature flags and are
 * reported separately (never hidden). no-ci/ files are part of the stable schema set. Exit code 1 on a stable miss.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isTektonKind, validateTektonDocument } from '../src/validation/validate-document.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
const corpusRoot = resolve(process.env.GITOPS_KIT_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus'));
const examples = statSafe(join(corpusRoot, 'tekton-examples'))
  ? join(corpusRoot, 'tekton-examples')
  : corpusRoot;

function statSafe(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function yamlFiles(directory: string): string[] {
  return readdirSync(directory)
    .sort()
    .flatMap((entry) => {
      const path = join(directory, entry);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(entry) ? [path] : [];
    });
}

if (
  !statSafe(examples) ||
  !yamlFiles(examples).some(
    (file) => file.includes(`${sep}pipelineruns${sep}`) || file.includes(`${sep}taskruns${sep}`),
  )
) {
  if (process.env.CI === 'true') {
    console.error(`conformance FAILED: Tekton examples not found at ${examples} (required when CI=true)`);
    process.exit(1);
  }
  console.log(
    `conformance skipped: Tekton examples not found at ${examples}. They are Tekton's own v1 examples in the ` +
      'shared/corpus folder beside the repository checkout (kept outside the project because they come from ' +
      'another repository); set GITOPS_KIT_CORPUS to use a copy elsewhere.',
  );
  process.exit(0);
}

type Group = 'stable' | 'alpha' | 'beta';
const tally: Record<Group, { files: number; documents: number; valid: number; misses: string[] }> = {
  stable: { files: 0, documents: 0, valid: 0, misses: [] },
  alpha: { files: 0, documents: 0, valid: 0, misses: [] },
  beta: { files: 0, documents: 0, valid: 0, misses: [] },
};
const kinds = new Map<string, number>();
let otherKinds = 0;
let parseErrors = 0;

for (const file of yamlFiles(examples)) {
  const path = relative(examples, file);
  const parts = path.split(sep);
  const group: Group = parts.includes('alpha') ? 'alpha' : parts.includes('beta') ? 'beta' : 'stable';
  tally[group].files += 1;
  for (const [index, document] of parseAllDocuments(readFileSync(file, 'utf8')).entries()) {
    if (document.errors.length > 0) {
      parseErrors += 1;
      tally[group].misses.push(`${path}#${index}: YAML error ${document.errors[0]?.code}`);
      continue;
    }
    const value = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isTektonKind(value)) {
      otherKinds += 1;
      continue;
    }
    const result = validateTektonDocument(value);
    kinds.set(result.kind ?? '?', (kinds.get(result.kind ?? '?') ?? 0) + 1);
    tally[group].documents += 1;
    if (result.valid) tally[group].valid += 1;
    for (const issue of result.issues) {
      tally[group].misses.push(
        `${path}#${index} ${result.kind} ${issue.code} at ${issue.path.join('.')}: ${issue.message}`,
      );
    }
  }
}

console.log(`corpus: ${examples}`);
console.log(
  `Tekton documents by kind: ${[...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ')}; other kinds skipped: ${otherKinds}`,
);
for (const group of ['stable', 'beta', 'alpha'] as const) {
  const { files, documents, valid, misses } = tally[group];
  const label = group === 'stable' ? 'stable (incl. no-ci)' : `${group} (needs enable-api-fields=${group})`;
  console.log(
    `${label}: ${files} files, ${documents} Tekton documents, ${valid} valid, ${misses.length} issues`,
  );
  for (const miss of misses) console.log(`  ${group === 'stable' ? 'MISS' : 'note'} ${miss}`);
}
if (parseErrors > 0) console.log(`YAML parse errors: ${parseErrors}`);
process.exit(tally.stable.misses.length > 0 ? 1 : 0);
