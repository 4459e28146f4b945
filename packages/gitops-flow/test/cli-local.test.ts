import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateTektonDocument } from '@gitops-kit/tekton-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ExitCode, runCli } from '../src/index.js';
import { captureIo } from './cli-io.js';

describe('gitops-flow CLI without servers', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gitops-flow-cli-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('values set changes one line, keeps comments and quoting, and prints the diff', async () => {
    const file = join(directory, 'my-values.yaml');
    const before = '# chart values\r\nimage:\r\n  repository: app # the image\r\n  tag: "1.0"  # quoted\r\n';
    await writeFile(file, before);
    const io = captureIo({ cwd: directory });
    const code = await runCli(['values', 'set', 'my-values.yaml', '--set', 'image.tag=1.20'], io);
    expect(code).toBe(ExitCode.success);
    expect(await readFile(file, 'utf8')).toBe(before.replace('"1.0"', '"1.20"'));
    expect(io.out()).toContain('-  tag: "1.0"  # quoted');
    expect(io.out()).toContain('+  tag: "1.20"  # quoted');
  });

  it('values set --dry-run leaves the file alone; values get reads back', async () => {
    const file = join(directory, 'v.yaml');
    await writeFile(file, 'image:\n  tag: v1\n');
    const dry = captureIo({ cwd: directory });
    expect(await runCli(['values', 'set', 'v.yaml', '--set', 'image.tag=v2', '--dry-run'], dry)).toBe(0);
    expect(dry.out()).toContain('+  tag: v2');
    expect(await readFile(file, 'utf8')).toBe('image:\n  tag: v1\n');
    const get = captureIo({ cwd: directory });
    expect(await runCli(['values', 'get', 'v.yaml', 'image.tag'], get)).toBe(0);
    expect(get.out()).toBe('v1\n');
  });

  it('a missing path is an error that leaves the file untouched', async () => {
    const file = join(directory, 'v.yaml');
    await writeFile(file, 'image:\n  tag: v1\n');
    const io = captureIo({ cwd: directory });
    const code = await runCli(['values', 'set', 'v.yaml', '--set', 'image.digest=sha256:abc'], io);
    expect(code).toBe(ExitCode.pathNotFound);
    expect(io.err()).toMatch(/image\.digest/);
    // The library's option name is translated to the flag that does the same.
    expect(io.err()).toContain('pass --create-missing to create it');
    expect(io.err()).not.toContain('createMissing');
    expect(await readFile(file, 'utf8')).toBe('image:\n  tag: v1\n');
    const created = captureIo({ cwd: directory });
    expect(
      await runCli(
        ['values', 'set', 'v.yaml', '--set', 'image.digest=sha256:abc', '--create-missing'],
        created,
      ),
    ).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('image:\n  tag: v1\n  digest: sha256:abc\n');
  });

  it('--set-json writes typed values; --set keeps strings as strings', async () => {
    const file = join(directory, 'v.yaml');
    await writeFile(file, 'replicaCount: 1\nimage:\n  tag: v1\n');
    const io = captureIo({ cwd: directory });
    expect(
      await runCli(['values', 'set', 'v.yaml', '--set-json', 'replicaCount=3', '--set', 'image.tag=1e3'], io),
    ).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('replicaCount: 3\nimage:\n  tag: "1e3"\n');
  });

  it('usage errors exit 2 and say what to do', async () => {
    const unknown = captureIo();
    expect(await runCli(['deploy'], unknown)).toBe(ExitCode.usage);
    expect(unknown.err()).toContain('gitops-flow: unknown command "deploy"');
    const badFlag = captureIo();
    expect(await runCli(['promote', '--app', 'x', '--bogus'], badFlag)).toBe(ExitCode.usage);
    expect(badFlag.err()).toContain('--bogus');
    const missing = captureIo({ env: {} });
    expect(await runCli(['promote', '--app', 'x', '--set', 'image.tag=1'], missing)).toBe(ExitCode.usage);
    expect(missing.err()).toMatch(/ARGOCD_SERVER/);
    const badPolicy = captureIo();
    expect(await runCli(['promote', '--app', 'x', '--on-failure', 'pray'], badPolicy)).toBe(ExitCode.usage);
    const badWaitFor = captureIo();
    expect(
      await runCli(['promote', '--app', 'x', '--set', 'image.tag=1', '--wait-for', 'sync,ready'], badWaitFor),
    ).toBe(ExitCode.usage);
    expect(badWaitFor.err()).toContain('unknown: ready');
    const badTimeout = captureIo({
      env: { ARGOCD_SERVER: 'http://127.0.0.1:9', ARGOCD_AUTH_TOKEN: 'token-x' },
    });
    expect(
      await runCli(
        [
          'promote',
          '--app',
          'x',
          '--set',
          'a=b',
          '--repo',
          'http://127.0.0.1:9/r',
          '--file',
          'f',
          '--timeout',
          'soon',
        ],
        badTimeout,
      ),
    ).toBe(ExitCode.usage);
    expect(badTimeout.err()).toContain('Invalid --timeout');
  });

  it('render tekton emits the promote Task, the seed Pipeline and the GitLab trigger, all valid', async () => {
    const io = captureIo();
    expect(await runCli(['render', 'tekton', '--namespace', 'ci'], io)).toBe(0);
    const documents = parseAllDocuments(io.out()).map((document) => document.toJS());
    expect(documents.map((document) => document.kind)).toEqual([
      'Task',
      'Pipeline',
      'TriggerBinding',
      'TriggerTemplate',
    ]);
    for (const document of documents) expect(validateTektonDocument(document).issues).toEqual([]);
    const pipeline = documents[1];
    expect(pipeline.spec.tasks.map((task: { name: string }) => task.name)).toEqual([
      'clone',
      'test',
      'build',
      'docker',
      'promote',
    ]);
    const promoteTask = pipeline.spec.tasks.find((task: { name: string }) => task.name === 'promote');
    expect(promoteTask.params.map((param: { name: string }) => param.name)).toEqual(
      expect.arrayContaining(['image_tag', 'timeout', 'on_failure']),
    );
    expect(promoteTask.params.find((param: { name: string }) => param.name === 'image_tag').value).toBe(
      '$(tasks.clone.results.commit)',
    );
    const step = documents[0].spec.steps[0];
    // Parameters travel as environment variables, never spliced into the script.
    expect(step.script).not.toContain('$(params.');
    expect(step.script).not.toMatch(/set -[a-z]*x/);
    expect(documents[3].spec.resourcetemplates[0].metadata.generateName).toBe('gitlab-run-');
  });

  it('health prints STATUS and MESSAGE, with and without an argocd-cm customisation', async () => {
    const ingress = join(directory, 'ingress.yaml');
    await writeFile(
      ingress,
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\nspec:\n  rules:\n    - host: web.example.com\n',
    );
    const builtIn = captureIo({ cwd: directory });
    expect(await runCli(['health', 'ingress.yaml'], builtIn)).toBe(0);
    expect(builtIn.out()).toContain('STATUS: Progressing');
    const configMap = join(directory, 'argocd-cm.yaml');
    await writeFile(
      configMap,
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: argocd-cm',
        'data:',
        '  resource.customizations.health.networking.k8s.io_Ingress: |',
        '    return { status = "Healthy", message = "no address needed" }',
        '',
      ].join('\n'),
    );
    const custom = captureIo({ cwd: directory });
    expect(await runCli(['health', 'ingress.yaml', '--argocd-cm', 'argocd-cm.yaml'], custom)).toBe(0);
    expect(custom.out()).toContain('STATUS: Healthy');
    expect(custom.out()).toContain('MESSAGE: no address needed');
  });
});
