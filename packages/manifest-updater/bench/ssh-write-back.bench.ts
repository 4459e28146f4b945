/**
 * SSH write-back benchmark: `writeBack` over SSH against the git CLI doing the same job (`clone --depth 1`, edit,
 * commit, push) over the same OpenSSH sshd (git-shell, `GIT_SSH_COMMAND` with the same key and known_hosts), on
 * the same large deploy repository, interleaved in the same run.
 *
 * Run: `npm run bench:ssh-write-back` (or `npx tsx bench/ssh-write-back.bench.ts [rounds]`) in
 * packages/manifest-updater. Needs /usr/sbin/sshd (Debian openssh-server). Writes bench/ssh-write-back-results.md
 * (with a history of earlier runs) and its own section of bench/RESULTS.md.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitServer, SshGitServer } from '@gitops-kit/testkit';
import { writeBack } from '../src/index.js';

const ROUNDS = Number(process.argv[2] ?? 5);
const FILE_COUNT = 320;
const COMMIT_COUNT = 210;
const TARGET_FILE = 'helm/my-values.yaml';

function run(args: string[], options: { cwd?: string; home: string; sshCommand?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: options.home,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Bench',
          GIT_AUTHOR_EMAIL: 'bench@example.invalid',
          GIT_COMMITTER_NAME: 'Bench',
          GIT_COMMITTER_EMAIL: 'bench@example.invalid',
          ...(options.sshCommand ? { GIT_SSH_COMMAND: options.sshCommand } : {}),
        },
      },
      (error, _stdout, stderr) => (error ? reject(new Error(`git ${args[0]} failed: ${stderr}`)) : resolve()),
    );
  });
}

/** Deterministic manifests (~34 KB each), so every run benchmarks the same repository as the HTTP benchmark's. */
function repositoryFiles(): Record<string, string> {
  let state = 42;
  const next = () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state;
  };
  const files: Record<string, string> = {
    [TARGET_FILE]: 'image:\n  repository: registry.example.com/my-app\n  tag: v0 # set by CI\nreplicas: 2\n',
  };
  for (let index = 0; Object.keys(files).length < FILE_COUNT; index += 1) {
    const lines = [`# chart component ${index}`, 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:'];
    lines.push(`  name: app-${index}`, 'spec:', '  template:', '    spec:', '      containers:');
    let size = lines.join('\n').length;
    while (size < 34_000) {
      const id = next().toString(36);
      const entry = [
        `        - name: c-${id}`,
        `          image: registry.example.com/team/${id}:${(next() % 900) + 100}`,
        `          env: [{ name: K_${id.toUpperCase()}, value: "${next().toString(16)}${next().toString(16)}" }]`,
      ];
      lines.push(...entry);
      size += entry.join('\n').length + 3;
    }
    files[`charts/component-${index % 40}/templates/deployment-${index}.yaml`] = `${lines.join('\n')}\n`;
  }
  return files;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

async function main(): Promise<void> {
  const git = await GitServer.start();
  const files = repositoryFiles();
  const checkoutBytes = Object.values(files).reduce((total, text) => total + Buffer.byteLength(text), 0);
  await git.createRepo('deploy', files, { commits: COMMIT_COUNT });
  const scratch = await mkdtemp(join(tmpdir(), 'ssh-write-back-bench-'));
  await run(['--git-dir', git.repoDirectory('deploy'), 'gc', '--quiet'], { home: scratch });
  const ssh = await SshGitServer.start({ gitServer: git });
  // The same sshd set-up without `uploadpack.allowFilter`, for the full-fetch fallback.
  const sshNoFilter = await SshGitServer.start({ gitServer: git, allowFilter: false });
  const key = await ssh.createClientKey('ed25519');
  await sshNoFilter.authorizeKey(key.publicKey);
  await ssh.writeKnownHostsFile();
  const sshCommand = ssh.gitSshCommand(key);
  const knownHosts = `${ssh.knownHosts}\n${sshNoFilter.knownHosts}\n`;

  let tagCounter = 0;
  const nextTag = () => `v${++tagCounter}`;

  async function cliRound(): Promise<{ total: number; clone: number; commit: number; push: number }> {
    const directory = join(scratch, `cli-${tagCounter}`);
    const started = performance.now();
    await run(
      [
        'clone',
        '--quiet',
        '--depth',
        '1',
        '--single-branch',
        '--branch',
        'main',
        '--no-tags',
        ssh.repoUrl('deploy'),
        directory,
      ],
      { home: scratch, sshCommand },
    );
    const cloned = performance.now();
    const path = join(directory, TARGET_FILE);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace(/tag: \S+/, `tag: ${nextTag()}`));
    await run(['commit', '--quiet', '-am', 'bump tag'], { cwd: directory, home: scratch });
    const committed = performance.now();
    await run(['push', '--quiet', 'origin', 'main'], { cwd: directory, home: scratch, sshCommand });
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
      url: (partialFetch ? ssh : sshNoFilter).repoUrl('deploy'),
      branch: 'main',
      ssh: { privateKey: key.privateKey, knownHosts },
      changes: [{ file: TARGET_FILE, updates: [{ path: 'image.tag', value: nextTag() }] }],
    });
    if (!result.changed || result.fetchMode !== (partialFetch ? 'partial' : 'full')) {
      throw new Error(`unexpected result: ${JSON.stringify(result)}`);
    }
    return performance.now() - started;
  }

  // Warm-up: file system caches, the JIT, the server's pack, sshd's first fork.
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
  const commits = (await git.log('deploy', 'main')).length;
  await ssh.stop();
  await sshNoFilter.stop();
  await git.stop();
  await rm(scratch, { recursive: true, force: true });

  const cliMedian = median(cli.map((entry) => entry.total));
  const format = (ms: number) => `${ms.toFixed(1)} ms`;
  const load = loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');
  const report = `# SSH write-back benchmark

Command: \`npm run bench:ssh-write-back\` in \`packages/manifest-updater\` (= \`npx tsx bench/ssh-write-back.bench.ts ${ROUNDS}\`).

Repository served by OpenSSH sshd with git-shell (testkit \`SshGitServer\` over a \`GitServer\`'s bare repository,
\`git gc\`'d): ${FILE_COUNT} files, ${(checkoutBytes / 1024 / 1024).toFixed(1)} MiB checkout, ${commits} commits at the end
of the run. One write-back = set \`image.tag\` in \`${TARGET_FILE}\` and push one commit to \`main\`; the git CLI uses
\`GIT_SSH_COMMAND\` with the same Ed25519 key and known_hosts. ${ROUNDS} interleaved rounds after one warm-up each; medians.
Machine: ${process.platform} ${process.arch}, Node ${process.version}, load average at the end ${load}.

| approach | median | ratio to git CLI |
|---|---|---|
| git CLI over ssh: clone --depth 1 + edit + commit + push | ${format(cliMedian)} (clone ${format(median(cli.map((entry) => entry.clone)))}, edit+commit ${format(median(cli.map((entry) => entry.commit)))}, push ${format(median(cli.map((entry) => entry.push)))}) | 1.00× |
| \`writeBack\` over SSH, partial fetch (filter blob:none, then the one blob) | ${format(median(partial))} | ${(median(partial) / cliMedian).toFixed(2)}× |
| \`writeBack\` over SSH, full depth-1 fetch (server without filter) | ${format(median(full))} | ${(median(full) / cliMedian).toFixed(2)}× |

Target (issue 12): ≤ 0.6× the git CLI. The CLI opens two SSH connections (clone, push); \`writeBack\` one, with
one channel per service conversation.

Raw (ms): CLI ${cli.map((entry) => entry.total.toFixed(0)).join(', ')}; partial ${partial.map((value) => value.toFixed(0)).join(', ')}; full ${full.map((value) => value.toFixed(0)).join(', ')}.
`;
  const historyPath = join(import.meta.dirname, 'ssh-write-back-results.md');
  const previous = await readFile(historyPath, 'utf8').catch(() => '');
  const earlier = [
    ...(previous.match(/^<!-- summary: (.*) -->$/m)?.slice(1, 2) ?? []),
    ...(previous
      .split('## Earlier runs\n')[1]
      ?.split('\n')
      .filter((line) => line.startsWith('- '))
      .map((line) => line.slice(2)) ?? []),
  ].slice(0, 20);
  const summary = `${new Date().toISOString()}: ${ROUNDS} rounds, CLI ${format(cliMedian)}, partial ${(median(partial) / cliMedian).toFixed(2)}×, full ${(median(full) / cliMedian).toFixed(2)}×, load ${loadavg()[0]?.toFixed(1)}`;
  process.stdout.write(report);
  await writeFile(
    historyPath,
    `${report}\n<!-- summary: ${summary} -->\n\n## Earlier runs\n\n${earlier.map((line) => `- ${line}`).join('\n')}\n`,
  );
  const resultsPath = join(import.meta.dirname, 'RESULTS.md');
  const shared = await readFile(resultsPath, 'utf8').catch(() => '');
  const section = `<!-- ssh-write-back:start -->\n${report.replace(/^# /, '## ')}\nHistory: [ssh-write-back-results.md](ssh-write-back-results.md).\n<!-- ssh-write-back:end -->\n`;
  const marked = /<!-- ssh-write-back:start -->[\s\S]*?<!-- ssh-write-back:end -->\n?/;
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
