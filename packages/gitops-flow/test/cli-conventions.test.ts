import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_TABLE } from '../src/cli/command-table.js';
import { ExitCode, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';

const EVERY_COMMAND = COMMAND_TABLE.flatMap((entry) =>
  entry.kind === 'command'
    ? [{ argv: [entry.name], spec: entry.command.spec }]
    : Object.entries(entry.commands).map(([sub, command]) => ({
        argv: [entry.name, sub],
        spec: command.spec,
      })),
);

describe('CLI conventions (kubectl, argocd, tkn)', () => {
  let directory: string;
  let server: Server;
  let serverUrl: string;
  let requests = 0;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gitops-flow-conventions-'));
    // A server that counts requests: validation must finish before anything is contacted.
    server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  it.each(EVERY_COMMAND)(
    '$argv --help lists every flag, the environment and examples',
    async ({ argv, spec }) => {
      const io = captureIo();
      expect(await runCli([...argv, '--help'], io)).toBe(ExitCode.success);
      const help = io.out();
      for (const flag of spec.flags) {
        expect(help).toContain(`--${flag.name}`);
        if (flag.short) expect(help).toContain(`-${flag.short}, --${flag.name}`);
        if (flag.env) expect(help).toContain(flag.env);
      }
      for (const variable of spec.environment ?? []) expect(help).toContain(variable.name);
      expect(help).toContain('Examples:');
      expect(io.err()).toBe('');
    },
  );

  it('wait and rollback list the Argo CD connection and credential flags and variables', async () => {
    for (const command of ['wait', 'rollback', 'promote']) {
      const io = captureIo();
      await runCli([command, '--help'], io);
      for (const text of [
        '--argocd-server',
        '--argocd-token-file',
        '--argocd-username',
        '--argocd-password-file',
        '--argocd-ca-file',
        'ARGOCD_AUTH_TOKEN',
        'ARGOCD_PASSWORD',
        'ARGOCD_USERNAME',
        '-o, --output',
        '-q, --quiet',
        '--verbose',
      ]) {
        expect(io.out(), `${command} --help: ${text}`).toContain(text);
      }
    }
  });

  it('no arguments prints the help on stdout and exits 0, everywhere', async () => {
    for (const argv of [
      [],
      ['promote'],
      ['values'],
      ['values', 'get'],
      ['wait'],
      ['rollback'],
      ['render'],
      ['completion'],
    ]) {
      const io = captureIo();
      expect(await runCli(argv, io), argv.join(' ')).toBe(ExitCode.success);
      expect(io.out()).toMatch(/^(Usage|gitops-flow —)/);
      expect(io.err()).toBe('');
    }
  });

  it('an unknown command or sub-command suggests the closest one', async () => {
    const command = captureIo();
    expect(await runCli(['promot', '--app', 'x'], command)).toBe(ExitCode.usage);
    expect(command.err()).toContain('did you mean promote?');
    const sub = captureIo();
    expect(await runCli(['values', 'gte', 'f', 'p'], sub)).toBe(ExitCode.usage);
    expect(sub.err()).toContain('did you mean get?');
    const flag = captureIo();
    expect(await runCli(['wait', '--aap', 'web'], flag)).toBe(ExitCode.usage);
    expect(flag.err()).toContain('unknown flag --aap (did you mean --app?)');
  });

  it('reports every missing required flag at once, with one prefix', async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(['promote', '--branch', 'main'], io)).toBe(ExitCode.usage);
    const text = io.err();
    expect(text).toContain('missing required flags: --app, --repo, --file, --set PATH=VALUE');
    expect(text).toContain('--argocd-server URL or ARGOCD_SERVER');
    expect(text.startsWith('gitops-flow promote: ')).toBe(true);
    expect(text).not.toContain('promote: promote:');
  });

  it("never shows node's parseArgs messages; values that look like flags and values on booleans are named", async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(['promote', '--app', '--set', 'image.tag=1', '--prune=yes', '-x'], io)).toBe(
      ExitCode.usage,
    );
    const text = io.err();
    expect(text).toContain('--app needs a value (NAME); to pass one that starts with "-", write --app=--set');
    expect(text).toContain('--prune takes no value (got "yes")');
    expect(text).toContain('unknown flag -x');
    expect(text).not.toMatch(/To specify|ERR_PARSE_ARGS|Unknown option/);
    // --app was given (without a value): it is not also reported as missing.
    expect(text).toContain('missing required flags: --repo, --file, --set');
  });

  it('the credentials error names every accepted source', async () => {
    const io = captureIo({ env: { ARGOCD_SERVER: serverUrl } });
    expect(await runCli(['wait', '--app', 'web'], io)).toBe(ExitCode.usage);
    for (const source of [
      '--argocd-token-file',
      'ARGOCD_AUTH_TOKEN',
      '--argocd-username',
      'ARGOCD_USERNAME',
      '--argocd-password-file',
      'ARGOCD_PASSWORD',
    ]) {
      expect(io.err()).toContain(source);
    }
  });

  it('a bad --set path and a repository URL with credentials are usage errors before any server is contacted', async () => {
    const before = requests;
    const env = { ARGOCD_SERVER: serverUrl, ARGOCD_AUTH_TOKEN: 'token-for-validation' };
    const io = captureIo({ env });
    const code = await runCli(
      [
        'promote',
        '--app',
        'web',
        '--repo',
        'https://deployer:s3cr3t-pass@127.0.0.1:9/deploy.git',
        '--file',
        'values.yaml',
        '--set',
        'image..tag=v3',
      ],
      io,
    );
    expect(code).toBe(ExitCode.usage);
    expect(io.err()).toContain('--set image..tag=v3:');
    expect(io.err()).toContain('--repo must not contain credentials');
    expect(io.err()).not.toContain('s3cr3t-pass');
    const token = captureIo({ env });
    expect(
      await runCli(
        [
          'promote',
          '--app',
          'web',
          '--repo',
          'https://glpat-abc@127.0.0.1:9/d.git',
          '--file',
          'v.yaml',
          '--set',
          'a=b',
        ],
        token,
      ),
    ).toBe(ExitCode.usage);
    expect(token.err()).toContain('--repo must not contain credentials');
    const paths = captureIo({ env });
    expect(
      await runCli(
        [
          'promote',
          '--app',
          'web',
          '--repo',
          `${serverUrl}/d.git`,
          '--branch',
          'a..b',
          '--file',
          '../x.yaml',
          '--set',
          'a=b',
        ],
        paths,
      ),
    ).toBe(ExitCode.usage);
    expect(paths.err()).toContain('--branch "a..b" is not a valid branch name');
    expect(paths.err()).toMatch(/--file: file "\.\.\/x\.yaml" is not allowed/);
    expect(requests).toBe(before);
  });

  it('-o json prints exactly one JSON document for usage errors too', async () => {
    const io = captureIo({ env: {} });
    expect(await runCli(['promote', '--app', 'web', '-o', 'json', '--bogus'], io)).toBe(ExitCode.usage);
    const document = JSON.parse(io.out());
    expect(document.outcome).toBe('usage-error');
    expect(document.exitCode).toBe(2);
    expect(document.error.problems).toEqual(expect.arrayContaining(['unknown flag --bogus']));
    const unknownCommand = captureIo();
    expect(await runCli(['deploy', '-o', 'json'], unknownCommand)).toBe(ExitCode.usage);
    expect(JSON.parse(unknownCommand.out()).error.message).toContain('unknown command "deploy"');
  });

  it('values get: a missing path has its own exit code and says where the path stops', async () => {
    await writeFile(join(directory, 'v.yaml'), 'replicaCount: 1\nimage:\n  tag: v1\n');
    const missing = captureIo({ cwd: directory });
    expect(await runCli(['values', 'get', 'v.yaml', 'image.digest'], missing)).toBe(ExitCode.pathNotFound);
    expect(missing.err()).toBe('gitops-flow values get: v.yaml has no image.digest: image has no digest\n');
    const topLevel = captureIo({ cwd: directory });
    expect(await runCli(['values', 'get', 'v.yaml', 'nope.a'], topLevel)).toBe(ExitCode.pathNotFound);
    expect(topLevel.err()).toContain('there is no top-level nope');
    const scalar = captureIo({ cwd: directory });
    expect(await runCli(['values', 'get', 'v.yaml', 'replicaCount.x'], scalar)).toBe(ExitCode.error);
    expect(scalar.err()).toContain('replicaCount is a scalar, not a map');
    const json = captureIo({ cwd: directory });
    expect(await runCli(['values', 'get', 'v.yaml', 'image.digest', '-o', 'json'], json)).toBe(6);
    expect(JSON.parse(json.out())).toMatchObject({
      outcome: 'error',
      exitCode: 6,
      error: { code: 'YAML_PATH_NOT_FOUND' },
    });
    const value = captureIo({ cwd: directory });
    expect(await runCli(['values', 'get', 'v.yaml', 'image', '-o', 'json'], value)).toBe(0);
    expect(JSON.parse(value.out())).toEqual({ tag: 'v1' });
  });

  it('render tekton --format mermaid|dot draws the seed Pipeline', async () => {
    const mermaid = captureIo();
    expect(await runCli(['render', 'tekton', '--format', 'mermaid'], mermaid)).toBe(0);
    expect(mermaid.out().split('\n')[0]).toBe('flowchart LR');
    expect(mermaid.out()).toMatch(/t0\["clone"\]/);
    // promote takes the image tag from clone's result: a labelled edge.
    expect(mermaid.out()).toMatch(/t0 -->\|"commit"\| t4/);
    const dot = captureIo();
    expect(await runCli(['render', 'tekton', '--format', 'dot'], dot)).toBe(0);
    expect(dot.out()).toMatch(/^digraph "devops-pipeline" {\n/);
    const bad = captureIo();
    expect(await runCli(['render', 'tekton', '--format', 'svg'], bad)).toBe(ExitCode.usage);
    expect(bad.err()).toContain('--format must be one of yaml, mermaid, dot (got "svg")');
  });

  it('bash completion completes commands, sub-commands, flags and flag values', async () => {
    const io = captureIo();
    expect(await runCli(['completion', 'bash'], io)).toBe(0);
    const script = join(directory, 'completion.bash');
    await writeFile(script, io.out());
    const complete = (words: string[]): string[] => {
      const line = `source ${JSON.stringify(script)}; COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _gitops_flow gitops-flow '${words.at(-1)}' '${words.at(-2) ?? ''}'; echo "\${COMPREPLY[@]}"`;
      return execFileSync('bash', ['-c', line], { cwd: directory, encoding: 'utf8' })
        .trim()
        .split(/\s+/)
        .filter(Boolean);
    };
    expect(complete(['gitops-flow', 'pro'])).toEqual(['promote']);
    expect(complete(['gitops-flow', 'values', 's'])).toEqual(['set']);
    expect(complete(['gitops-flow', 'promote', '--on-f'])).toEqual(['--on-failure']);
    expect(complete(['gitops-flow', 'promote', '--on-failure', ''])).toEqual([
      'none',
      'git-revert',
      'argocd-rollback',
    ]);
    expect(complete(['gitops-flow', 'wait', '-o', 'j'])).toEqual(['json']);
    expect(complete(['gitops-flow', 'rollback', '--argocd-s'])).toEqual(['--argocd-server']);
    expect(complete(['gitops-flow', 'values', 'get', 'compl'])).toEqual(['completion.bash']);
  });

  it('zsh and fish completion scripts come from the same tables', async () => {
    const zsh = captureIo();
    expect(await runCli(['completion', 'zsh'], zsh)).toBe(0);
    expect(zsh.out()).toContain('bashcompinit');
    expect(zsh.out()).toContain('complete -F _gitops_flow gitops-flow');
    const fish = captureIo();
    expect(await runCli(['completion', 'fish'], fish)).toBe(0);
    expect(fish.out()).toContain(
      "complete -c gitops-flow -n '__fish_seen_subcommand_from promote' -l output -s o -x -a 'text json timeline mermaid'",
    );
    const bad = captureIo();
    expect(await runCli(['completion', 'tcsh'], bad)).toBe(ExitCode.usage);
  });
});
