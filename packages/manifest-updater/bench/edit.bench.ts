/**
 * Edit benchmark: `updateYaml` of one key in the largest corpus values file vs yaml's
 * parseDocument + setIn + toString (and yaml's CST exact edit, for reference), interleaved in the same run.
 * Also checks the result is byte-exact (identical to the CST exact edit, one line changed).
 *
 * Corpus: ${GITOPS_KIT_CORPUS:-<repo>/../shared/corpus}; without it a generated ~180 KB values file is used.
 * Usage: npm run bench:edit   (or npm run bench; writes bench/RESULTS.md; pass --no-write to only print)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Composer, CST, isScalar, Parser, parseDocument } from 'yaml';
import { parseYamlPath, updateYaml } from '../src/index.js';

const packageRoot = resolve(import.meta.dirname, '..');
const repoRoot = resolve(packageRoot, '..', '..');
const corpus = process.env.GITOPS_KIT_CORPUS ?? join(repoRoot, '..', 'shared', 'corpus');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 31);

interface Target {
  readonly label: string;
  readonly source: string;
  readonly path: string;
}

function largestCorpusTarget(): Target | undefined {
  const index = join(corpus, 'values', 'index.tsv');
  if (!existsSync(index)) return undefined;
  const rows = readFileSync(index, 'utf8').split('\n').filter(Boolean);
  const header = rows.shift()!.split('\t');
  let best: Target | undefined;
  for (const row of rows) {
    const cells = row.split('\t');
    const file = cells[header.indexOf('file')]!;
    const missing = new Set((cells[header.indexOf('missing_paths')] ?? '').split(';'));
    const path = (cells[header.indexOf('yaml_paths')] ?? '').split(';').find((p) => p && !missing.has(p));
    if (!path) continue;
    const source = readFileSync(join(corpus, 'values', file), 'utf8');
    if (!best || source.length > best.source.length) best = { label: `corpus values/${file}`, source, path };
  }
  return best;
}

/** A Helm-like values file of ~180 KB: nested maps, comments, sequences, flow collections and block scalars. */
function generatedTarget(): Target {
  const parts: string[] = ['# Generated values file for the edit benchmark', ''];
  for (let component = 0; component < 120; component += 1) {
    parts.push(
      `# -- Settings of component ${component}`,
      `component${component}:`,
      '  enabled: true',
      '  image:',
      `    # -- Image repository of component ${component}`,
      `    repository: registry.example.com/team/component-${component}`,
      '    # -- Image tag (defaults to the chart appVersion)',
      '    tag: ""',
      '    pullPolicy: IfNotPresent',
      '  args: ["--log-level=info", "--metrics"]',
      '  resources: {}',
      '  env:',
      '    - name: MODE',
      '      value: "production"',
      '    - name: REPLICAS',
      `      value: "${component % 5}"`,
      '  config: |',
      '    server:',
      '      port: 8080',
      `      name: component-${component}`,
      '  annotations:',
      '    prometheus.io/scrape: "true"',
      '    prometheus.io/port: "9090"',
      '',
    );
  }
  return {
    label: 'generated (corpus not found)',
    source: `${parts.join('\n')}\n`,
    path: 'component60.image.tag',
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(run: () => void, repeat: number): number {
  const start = performance.now();
  for (let index = 0; index < repeat; index += 1) run();
  return (performance.now() - start) / repeat;
}

function cstEdit(source: string, path: string, value: string): string {
  const tokens = [...new Parser().parse(source)];
  const [document] = new Composer({ keepSourceTokens: true }).compose(tokens);
  const node = document!.getIn(parseYamlPath(path) as Array<string | number>, true);
  if (!isScalar(node) || !node.srcToken) throw new Error('target is not a scalar token');
  CST.setScalarValue(node.srcToken, value);
  return tokens.map((token) => CST.stringify(token)).join('');
}

function main(): void {
  const target = largestCorpusTarget() ?? generatedTarget();
  const { source, path } = target;
  const segments = parseYamlPath(path) as Array<string | number>;
  const value = 'v9.9.9-bench';
  // Correctness first: byte-exact against the CST exact edit, one line changed.
  const ours = updateYaml(source, { path, value }).text;
  const reference = cstEdit(source, path, value);
  const before = source.split('\n');
  const after = ours.split('\n');
  const changedLines = before.filter((line, index) => line !== after[index]).length;
  const byteExact = ours === reference && before.length === after.length && changedLines === 1;
  // Warm-up, then interleaved rounds; fast operations repeat inside a round to beat timer resolution.
  for (let index = 0; index < 5; index += 1) {
    updateYaml(source, { path, value: `${value}${index}` });
    const document = parseDocument(source);
    document.setIn(segments, value);
    document.toString();
    cstEdit(source, path, value);
  }
  const oursMs: number[] = [];
  const roundTripMs: number[] = [];
  const cstMs: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    oursMs.push(time(() => updateYaml(source, { path, value: `${value}-${round}` }), 50));
    roundTripMs.push(
      time(() => {
        const document = parseDocument(source);
        document.setIn(segments, `${value}-${round}`);
        document.toString();
      }, 1),
    );
    cstMs.push(time(() => cstEdit(source, path, `${value}-${round}`), 1));
  }
  const ourMedian = median(oursMs);
  const roundTripMedian = median(roundTripMs);
  const cstMedian = median(cstMs);
  const ratio = ourMedian / roundTripMedian;
  const lines = [
    '## Edit benchmark',
    '',
    `Command: \`cd packages/manifest-updater && ${process.env.BENCH_ROUNDS ? `BENCH_ROUNDS=${ROUNDS} ` : ''}npm run bench:edit\` (tsx bench/edit.bench.ts), ${new Date().toISOString()}`,
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} at the end (the machine is shared: absolute times swing with load, the interleaved ratio is what to read).`,
    '',
    `Input: ${target.label} (${Buffer.byteLength(source)} bytes, ${before.length} lines), path \`${path}\`, ${ROUNDS} interleaved rounds, median per edit.`,
    '',
    ...markdownTable([
      ['approach', 'median ms per edit', '× yaml round trip'],
      ['`updateYaml` (line scanner + CST edit of one line)', ourMedian.toFixed(4), ratio.toFixed(4)],
      [
        'yaml CST exact edit (Parser + Composer + setScalarValue + stringify)',
        cstMedian.toFixed(2),
        (cstMedian / roundTripMedian).toFixed(2),
      ],
      ['yaml parseDocument + setIn + toString', roundTripMedian.toFixed(2), '1.00'],
    ]),
    '',
    `Byte-exact (identical to the CST exact edit, exactly one line changed): ${byteExact ? 'yes' : 'NO'}.`,
    `Target ≤ 0.05×: ${ratio <= 0.05 ? 'met' : 'NOT met'}; stretch ≤ 0.01×: ${ratio <= 0.01 ? 'met' : 'not met'}.`,
    '',
  ];
  console.log(lines.join('\n'));
  if (!process.argv.includes('--no-write'))
    writeSection(join(packageRoot, 'bench', 'RESULTS.md'), lines.join('\n'));
  if (!byteExact) process.exitCode = 1;
}

/** A Markdown table with padded columns (the layout biome's formatter keeps). */
function markdownTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...row[column]!].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [line(rows[0]!), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(1).map(line)];
}

/**
 * Replaces only this benchmark's section (between `<!-- edit:start -->` and `<!-- edit:end -->`) in RESULTS.md,
 * keeping sections other benchmarks write there.
 */
function writeSection(file: string, section: string): void {
  const start = '<!-- edit:start -->';
  const end = '<!-- edit:end -->';
  const block = `${start}\n${section.trimEnd()}\n${end}`;
  let current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  // An older run wrote an unmarked "# Edit benchmark results" section at the top: drop it.
  if (current.startsWith('# Edit benchmark results')) {
    const next = current.indexOf('<!--');
    current = next === -1 ? '' : current.slice(next);
  }
  let next: string;
  if (current.includes(start) && current.includes(end)) {
    next =
      current.slice(0, current.indexOf(start)) + block + current.slice(current.indexOf(end) + end.length);
  } else {
    const title = '# Benchmark results\n\n';
    const rest = current.startsWith(title) ? current.slice(title.length) : current;
    next = `${title}${block}\n\n${rest}`;
  }
  writeFileSync(file, `${next.trimEnd()}\n`);
}

main();
