/**
 * Write-back benchmark: `writeBack` against the git CLI doing the same job (`clone --depth 1`, edit, commit,
 * push) on a large deploy repository served by the testkit GitServer, interleaved in the same run.
 *
 * Run: `npm run bench:write-back` (or `npx tsx bench/write-back.bench.ts [rounds]`) in packages/manifest-updater.
 * Writes bench/write-back-results.md (with a history of earlier runs) and its own section of bench/RESULTS.md.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitServer } from '@gitops-kit/testkit';
import { writeBack } from '../src/index.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const FILE_COUNT = 320;
const COMMIT_COUNT = 210;
const TARGET_FILE = 'helm/my-values.yaml';
const auth = { username: 'deploy-bot', password: `bench-${Date.now().toString(36)}-password` };

function run(args: string[], cwd?: string, home?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: home ?? tmpdir(),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Bench',
          GIT_AUTHOR_EMAIL: 'bench@example.invalid',
          GIT_COMMITTER_NAME: 'Bench',
          GIT_COMMITTER_EMAIL: 'bench@example.invalid',
        },
      },
      (error, _stdout, stderr) => (error ? reject(new Error(`git ${args[0]} failed: ${stderr}`)) : resolve()),
    );
  });
}

/** A small deterministic generator so every run benchmarks the same repository. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state;
  };
}

function manifest(index: number, next: () => number): string {
  const lines = [
    `# chart component ${index}`,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: app-${index}`,
  ];
  lines.push('spec:', '  template:', '    spec:', '      containers:');
  while (lines.join('\n').length < 34_000) {
    const id = next().toString(36);
    lines.push(
      `        - name: c-${id}`,
      `          image: registry.example.com/team/${id}:${(next() % 900) + 100}`,
    );
    lines.push(
      `          env: [{ name: K_${id.toUpperCase()}, value: "${next().toString(16)}${next().toString(16)}" }]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const server = await GitServer.start({ auth });
  const next = generator(42);
  const files: Record<string, string> = {
    [TARGET_FILE]: 'image:\n  repository: registry.example.com/my-app\n  tag: v0 # set by CI\nreplicas: 2\n',
  };
  for (let index = 0; files && Object.keys(files).length < FILE_COUNT; index += 1) {
    files[`charts/component-${index % 40}/templates/deployment-${index}.yaml`] = manifest(index, next);
  }
  const checkoutBytes = Object.values(files).reduce((total, text) => total + Buffer.byteLength(text), 0);
  await server.createRepo('deploy', files, { commits: COMMIT_COUNT });
  await run(['--git-dir', server.repoDirectory('deploy'), 'gc', '--quiet']);
  const url = server.repoUrl('deploy');
  const authHeader = `Authorization: Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const scratch = await mkdtemp(join(tmpdir(), 'write-back-bench-'));

  let tagCounter = 0;
  const nextTag = () => `v${++tagCounter}`;

  async function cliRound(): Promise<{ total: number; clone: number; commit: number; push: number }> {
    const directory = join(scratch, `cli-${tagCounter}`);
    const started = performance.now();
    await run(
      [
        '-c',
        `http.extraHeader=${authHeader}`,
        'clone',
        '--quiet',
        '--depth',
        '1',
        '--single-branch',
        '--branch',
        'main',
        '--no-tags',
        url,
        directory,
      ],
      undefined,
      scratch,
    );
    const cloned = performance.now();
    const path = join(directory, TARGET_FILE);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/tag: \S+/, `tag: ${nextTag()}`));
    await run(['commit', '--quiet', '-am', 'bump tag'], directory, scratch);
    const committed = performance.now();
    await run(
      ['-c', `http.extraHeader=${authHeader}`, 'push', '--quiet', 'origin', 'main'],
      directory,
      scratch,
    );
    const pushed = performance.now();
    await rm(directory, { recursive: true, force: true });
    return {
      total: pushed - started,
      clone: cloned - started,
      commit: committed - cloned,
      push: pushed - committed,
    };
  }

  async function writeBackRound(partialFetch: boolean): Promise<number> {
    const started = performance.now();
    const result = await writeBack({
      url,
      branch: 'main',
      auth,
      partialFetch,
      changes: [{ file: TARGET_FILE, updates: [{ path: 'image.tag', value: nextTag() }] }],
    });
    if (!result.changed || result.fetchMode !== (partialFetch ? 'partial' : 'full'))
      throw new Error('unexpected result');
    return performance.now() - started;
  }

  // Warm-up: file system caches, the JIT, the server's pack.
  await cliRound();
  await writeBackRound(true);
  await writeBackRound(false);

  const cli: Array<Awaited<ReturnType<typeof cliRound>>> = [];
  const partial: number[] = [];
  const full: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    cli.push(await cliRound());
    partial.push(await writeBackRound(true));
    full.push(await writeBackRound(false));
  }
  await rm(scratch, { recursive: true, force: true });
  const commits = (await server.log('deploy', 'main')).length;
  await server.stop();

  const cliMedian = median(cli.map((entry) => entry.total));
  const format = (ms: number) => `${ms.toFixed(1)} ms`;
  const report = `# Write-back benchmark

Command: \`npm run bench:write-back\` in \`packages/manifest-updater\` (= \`npx tsx bench/write-back.bench.ts ${ROUNDS}\`).

Repository on the testkit \`GitServer\` (git http-backend, Basic auth, \`git gc\`'d): ${FILE_COUNT} files,
${(checkoutBytes / 1024 / 1024).toFixed(1)} MiB checkout, ${commits} commits at the end of the run. One write-back = set
\`image.tag\` in \`${TARGET_FILE}\` and push one commit to \`main\`. ${ROUNDS} interleaved rounds after one warm-up each; medians.
Machine: ${process.platform} ${process.arch}, Node ${process.version}, load average at the end ${(
    await import('node:os')
  )
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ')}.

| approach | median | ratio to git CLI |
|---|---|---|
| git CLI: clone --depth 1 + edit + commit + push | ${format(cliMedian)} (clone ${format(median(cli.map((entry) => entry.clone)))}, edit+commit ${format(median(cli.map((entry) => entry.commit)))}, push ${format(median(cli.map((entry) => entry.push)))}) | 1.00× |
| \`writeBack\`, partial fetch (filter blob:none, then the one blob) | ${format(median(partial))} | ${(median(partial) / cliMedian).toFixed(2)}× |
| \`writeBack\`, full depth-1 fetch (server without filter) | ${format(median(full))} | ${(median(full) / cliMedian).toFixed(2)}× |

Targets (issue 3): ≤ 0.6× the git CLI; stretch ≤ 0.3× with partial fetch.
Every git request spawns one \`git http-backend\` on the same machine, so server time is part of every number;
on a loaded machine the absolute figures grow but the ratios hold roughly.

Raw (ms): CLI ${cli.map((entry) => entry.total.toFixed(0)).join(', ')}; partial ${partial.map((value) => value.toFixed(0)).join(', ')}; full ${full.map((value) => value.toFixed(0)).join(', ')}.
`;
  // The full record (with one-line summaries of earlier runs: single runs on a shared machine are noisy) lives in
  // its own file; bench/RESULTS.md, shared with the edit benchmark, gets the latest report in a marked section.
  const historyPath = join(import.meta.dirname, 'write-back-results.md');
  const previous = await readFile(historyPath, 'utf8').catch(() => '');
  const earlier = [
    ...(previous.match(/^<!-- summary: (.*) -->$/m)?.slice(1, 2) ?? []),
    ...(previous
      .split('## Earlier runs\n')[1]
      ?.split('\n')
      .filter((line) => line.startsWith('- '))
      .map((line) => line.slice(2)) ?? []),
  ].slice(0, 20);
  const summary = `${new Date().toISOString()}: ${ROUNDS} rounds, CLI ${format(cliMedian)}, partial ${(median(partial) / cliMedian).toFixed(2)}×, full ${(median(full) / cliMedian).toFixed(2)}×, load ${(await import('node:os')).loadavg()[0]?.toFixed(1)}`;
  const history = `${report}\n<!-- summary: ${summary} -->\n\n## Earlier runs\n\n${earlier.map((line) => `- ${line}`).join('\n')}\n`;
  process.stdout.write(report);
  await writeFile(historyPath, history);

  const resultsPath = join(import.meta.dirname, 'RESULTS.md');
  const shared = await readFile(resultsPath, 'utf8').catch(() => '');
  const section = `<!-- write-back:start -->\n${report.replace(/^# /, '## ')}\nHistory: [write-back-results.md](write-back-results.md).\n<!-- write-back:end -->\n`;
  const marked = /<!-- write-back:start -->[\s\S]*?<!-- write-back:end -->\n?/;
  await writeFile(
    resultsPath,
    marked.test(shared)
      ? shared.replace(marked, section)
      : `${shared.replace(/\s*$/, '')}${shared ? '\n\n' : ''}${section}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
