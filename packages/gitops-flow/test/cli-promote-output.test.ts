import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AbortError } from '@gitops-kit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, PromotionInterruptedError, type PromotionReport, promote, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';
import { type SeedEnvironment, startSeedEnvironment } from './environment.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js');

/** Runs the built CLI; resolves when `until` matches stderr (then sends `signal`) and when the process exits. */
function runBuiltCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  interrupt?: { until: RegExp; signal: NodeJS.Signals },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [CLI, ...argv], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      if (interrupt && !sent && interrupt.until.test(stderr)) {
        sent = true;
        child.kill(interrupt.signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('gitops-flow promote output: reports on every path, timelines, progress', {
  timeout: 120_000,
}, () => {
  let env: SeedEnvironment;
  let secrets: string;
  beforeAll(async () => {
    env = await startSeedEnvironment();
    secrets = await mkdtemp(join(tmpdir(), 'gitops-flow-output-'));
    await writeFile(join(secrets, 'git-password'), `${env.gitPassword}\n`);
    await writeFile(join(secrets, 'argocd-password'), `${env.argocdPassword}\n`);
  });
  afterAll(async () => {
    await env.stop();
    await rm(secrets, { recursive: true, force: true });
  });

  const argv = (app = 'devops-demo') => [
    'promote',
    '--repo',
    env.repoUrl,
    '--file',
    'helm/my-values.yaml',
    '--app',
    app,
    '--project',
    'demo',
    '--git-username',
    'deployer',
    '--git-password-file',
    join(secrets, 'git-password'),
    '--argocd-username',
    'admin',
    '--argocd-password-file',
    join(secrets, 'argocd-password'),
    '--timeout',
    '60s',
  ];

  it('SIGINT during the wait prints the full report as one JSON document, exit 130 (built CLI)', async () => {
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':sigint-json' }, [
      { status: 'Progressing', forMs: 120_000 },
    ]);
    const result = await runBuiltCli(
      [...argv(), '--set', 'image.tag=sigint-json', '-o', 'json', '--verbose'],
      { ARGOCD_SERVER: env.argocd.url },
      // --verbose traces requests; the wait has begun once the application watch is requested.
      { until: /http: → GET \S+\/api\/v1\/stream\/applications/, signal: 'SIGINT' },
    );
    expect(result.code).toBe(ExitCode.interrupted);
    const report = JSON.parse(result.stdout) as PromotionReport & { exitCode: number };
    expect(report.outcome).toBe('interrupted');
    expect(report.exitCode).toBe(130);
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.interruptedStep).toBe('wait');
    expect(report.error?.code).toBe('ABORTED');
    expect(report.steps.map((step) => step.name)).toEqual(
      expect.arrayContaining(['preflight', 'write-back', 'refresh']),
    );
    expect(await env.git.readFile('deploy', 'main', 'helm/my-values.yaml')).toContain('sigint-json');
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toContain(env.gitPassword);
      expect(text).not.toContain(env.argocdPassword);
    }
  });

  it('SIGINT in text mode prints what was pushed, synced and left running (built CLI)', async () => {
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':sigint-text' }, [
      { status: 'Progressing', forMs: 120_000 },
    ]);
    const result = await runBuiltCli(
      [...argv(), '--set', 'image.tag=sigint-text'],
      { ARGOCD_SERVER: env.argocd.url },
      { until: /health=Progressing/, signal: 'SIGINT' },
    );
    expect(result.code).toBe(ExitCode.interrupted);
    expect(result.stdout).toMatch(/^INTERRUPTED {2}devops-demo/);
    expect(result.stdout).toMatch(/pushed: [0-9a-f]{40}/);
    expect(result.stdout).toContain('synced: ');
    expect(result.stdout).toContain('left running: ');
    expect(result.stdout).toContain('Timeline (');
  });

  it('promote() rethrows an abort as PromotionInterruptedError (an AbortError) carrying the report', async () => {
    env.argocd.scriptHealth({ kind: 'Deployment', image: ':abort-lib' }, [
      { status: 'Progressing', forMs: 120_000 },
    ]);
    const controller = new AbortController();
    const failure = await promote({
      repository: {
        url: env.repoUrl,
        branch: 'main',
        auth: { username: 'deployer', password: env.gitPassword },
      },
      changes: [{ file: 'helm/my-values.yaml', set: { 'image.tag': 'abort-lib' } }],
      application: { name: 'devops-demo', project: 'demo' },
      argocd: env.client,
      wait: { timeoutMs: 60_000 },
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'progress' && event.step === 'wait') controller.abort();
      },
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PromotionInterruptedError);
    expect(PromotionInterruptedError.isInstance(failure)).toBe(true);
    expect(AbortError.isInstance(failure)).toBe(true);
    const report = (failure as PromotionInterruptedError).report;
    expect(report.outcome).toBe('interrupted');
    expect(report.interruptedStep).toBe('wait');
    expect(report.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(report.transitions.length).toBeGreaterThan(0);
    expect(report.healthStatus).toBe('Progressing');
  });

  it('-o json prints the report with outcome and error when the promotion fails early (missing app: exit 5)', async () => {
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    const code = await runCli([...argv('no-such-app'), '--set', 'image.tag=x', '-o', 'json'], io);
    expect(code).toBe(ExitCode.error);
    const report = JSON.parse(io.out()) as PromotionReport & { exitCode: number };
    expect(report.outcome).toBe('failed');
    expect(report.exitCode).toBe(5);
    expect(report.error?.message).toContain('no-such-app');
    expect(report.commit).toBeNull();
    expect(io.err()).toMatch(/^gitops-flow promote: /);
  });

  it('text mode ends with the timeline; -o timeline and -o mermaid draw the steps on one scale', async () => {
    const text = captureIo({ env: { ARGOCD_SERVER: env.argocd.url, CI: 'true' } });
    expect(await runCli([...argv(), '--set', 'image.tag=timeline-1'], text)).toBe(0);
    expect(text.out()).toMatch(/^DEPLOYED/);
    expect(text.out()).toMatch(/Timeline \([^)]+\)\n {2}preflight +\|█/);
    expect(text.out()).toMatch(/ {2}wait +\| *█+ *\|/);
    expect(text.out()).toMatch(/commit [0-9a-f]{40}/);
    expect(text.out()).toMatch(/\+\S+ +wait +sync=\w+ health=\w+ operation=\w+/);
    const timeline = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    expect(await runCli([...argv(), '--set', 'image.tag=timeline-2', '-o', 'timeline'], timeline)).toBe(0);
    const lines = timeline.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DEPLOYED/);
    // Every bar sits in the same 40-column frame.
    const bars = lines.filter((line) => /^ {2}[a-z-]+ +\|/.test(line));
    expect(bars.length).toBeGreaterThanOrEqual(4);
    expect(new Set(bars.map((line) => line.lastIndexOf('|') - line.indexOf('|'))).size).toBe(1);
    const mermaid = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    expect(await runCli([...argv(), '--set', 'image.tag=timeline-3', '-o', 'mermaid'], mermaid)).toBe(0);
    expect(mermaid.out()).toMatch(/^gantt\n {2}title devops-demo succeeded in /);
    expect(mermaid.out()).toMatch(/\n {2}preflight \S+ :done, step0, \d+, \d+\n/);
    expect(mermaid.out()).toContain('section Argo CD');
    expect(mermaid.err()).toBe('');
  });

  it('on a terminal a live spinner line shows the running step and its elapsed time; -q shows nothing', async () => {
    let stderr = '';
    const io = {
      ...captureIo({ env: { ARGOCD_SERVER: env.argocd.url } }),
      stderr: { write: (text: string) => (stderr += text), isTTY: true },
    };
    expect(await runCli([...argv(), '--set', 'image.tag=tty-1'], io)).toBe(0);
    expect(stderr).toMatch(/\r\u001b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] write-back: updating helm\/my-values\.yaml \(\d+s\)/);
    expect(stderr).toMatch(/\r\u001b\[2K✓ write-back: pushed [0-9a-f]{12}/);
    expect(stderr).not.toContain('▸');
    const quiet = captureIo({ env: { ARGOCD_SERVER: env.argocd.url } });
    expect(await runCli([...argv(), '--set', 'image.tag=tty-2', '-q'], quiet)).toBe(0);
    expect(quiet.err()).toBe('');
    expect(quiet.out()).toMatch(/^DEPLOYED/);
  });

  it('in a real pseudo-terminal (script from util-linux) the built CLI draws the live line', async () => {
    const command = [process.execPath, CLI, ...argv(), '--set', 'image.tag=pty-1']
      .map((word) => `'${word.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    // script gives the CLI a terminal on stdin/stdout/stderr and copies what it wrote to our pipe; -e keeps the
    // exit code. CI is removed from the environment: CI=true asks for plain lines even on a terminal.
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH, TERM: 'xterm', ARGOCD_SERVER: env.argocd.url },
      encoding: 'utf8',
    });
    expect(stdout).toMatch(/\r\u001b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] preflight: reading application devops-demo \(\d+s\)/);
    expect(stdout).toMatch(/✓ wait: Synced and Healthy/);
    expect(stdout).toMatch(/DEPLOYED {2}devops-demo/);
  });

  it('--verbose shows each request with its status and no secret', async () => {
    const io = captureIo({ env: { ARGOCD_SERVER: env.argocd.url, CI: 'true' } });
    expect(await runCli([...argv(), '--set', 'image.tag=verbose-1', '--verbose'], io)).toBe(0);
    expect(io.err()).toMatch(/http: → POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/session/);
    expect(io.err()).toMatch(/http: ← 200 GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/applications\/devops-demo/);
    // git's smart HTTP goes through the same trace: the push is visible too.
    expect(io.err()).toMatch(/http: → POST \S+\/git-receive-pack/);
    expect(io.err()).not.toContain(env.gitPassword);
    expect(io.err()).not.toContain(env.argocdPassword);
  });
});
