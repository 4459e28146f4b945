#!/usr/bin/env node
// Repository checks that `npm run lint` runs after Biome: what a newcomer reads must be true.
// - the root README's package table names every package under packages/;
// - no README states a test count (counts go stale the day a test is added; CI prints the real ones);
// - every package ships the root LICENSE unchanged (and testkit its NOTICE), and lists them in `files`;
// - every bin a package declares is committed (npm links bins at install time, before any build);
// - a package README's relative links point at files its tarball ships (npm shows the README without the rest);
// - every package README has a Mermaid picture.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const problems = [];
const read = (path) => readFileSync(join(root, path), 'utf8');
const tracked = new Set(execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n'));

const packages = readdirSync(join(root, 'packages'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(root, 'packages', entry.name, 'package.json')))
  .map((entry) => entry.name);

// 1. The package table.
const rootReadme = read('README.md');
const tableStart = rootReadme.indexOf('## Packages');
const tableEnd = rootReadme.indexOf('\n## ', tableStart + 1);
const table = tableStart === -1 ? '' : rootReadme.slice(tableStart, tableEnd === -1 ? undefined : tableEnd);
if (table === '') problems.push('README.md: no "## Packages" section');
for (const name of packages) {
  if (!new RegExp(`^\\|\\s*\\[\`@gitops-kit/${name}\``, 'm').test(table)) {
    problems.push(`README.md: the package table has no row for @gitops-kit/${name}`);
  }
}

// 2. Test counts.
const readmes = [
  'README.md',
  'BENCHMARKS.md',
  'examples/README.md',
  ...packages.map((p) => `packages/${p}/README.md`),
];
const testCount = /\b\d[\d,]*\s+(?:unit\s+|integration\s+|interop\s+)?tests\b/i;
for (const path of readmes.filter((p) => existsSync(join(root, p)))) {
  read(path)
    .split('\n')
    .forEach((line, index) => {
      const match = testCount.exec(line);
      if (match)
        problems.push(
          `${path}:${index + 1}: states a test count ("${match[0]}"); CI output has the real one`,
        );
    });
}

// 3–5. Per package: licence files, bins, README links.
const license = read('LICENSE');
for (const name of packages) {
  const dir = `packages/${name}`;
  const manifest = JSON.parse(read(`${dir}/package.json`));
  const files = manifest.files ?? [];
  const required = name === 'testkit' ? ['LICENSE', 'NOTICE'] : ['LICENSE'];
  for (const file of required) {
    if (!files.includes(file)) problems.push(`${dir}/package.json: "files" does not list ${file}`);
    if (!tracked.has(`${dir}/${file}`)) problems.push(`${dir}/${file} is not committed`);
  }
  if (existsSync(join(root, dir, 'LICENSE')) && read(`${dir}/LICENSE`) !== license) {
    problems.push(`${dir}/LICENSE differs from the root LICENSE`);
  }
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  for (const bin of bins) {
    if (!tracked.has(normalize(`${dir}/${bin}`))) {
      problems.push(`${dir}/package.json: bin ${bin} is not committed, so npm ci cannot link it`);
    }
  }
  const shipped = (target) =>
    target === 'package.json' ||
    files.some((entry) => target === entry || target.startsWith(`${entry.replace(/\/$/, '')}/`));
  const readme = read(`${dir}/README.md`);
  // A picture where people would rather look than read: Mermaid renders on the forges.
  if (!readme.includes('```mermaid'))
    problems.push(`${dir}/README.md: no Mermaid picture of what the package does`);
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    const path = normalize(target.split('#')[0]);
    const inPackage = !relative(dir, join(dir, path)).startsWith('..');
    if (!inPackage || !shipped(path)) {
      problems.push(
        `${dir}/README.md: relative link ${target} is not in the published tarball; link to the repository instead`,
      );
    }
  }
}

if (problems.length > 0) {
  process.stderr.write(
    `check-docs: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}\n`).join('')}`,
  );
  process.exit(1);
}
process.stdout.write(`check-docs: ${packages.length} packages, READMEs, licences and bins consistent\n`);
