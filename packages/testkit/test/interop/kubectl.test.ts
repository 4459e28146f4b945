/**
 * kubectl (an independent client: client-go, its discovery, OpenAPI, Table printing and protobuf encoding)
 * against the KubeEmulator over TLS, with a kubeconfig the emulator wrote into a temporary directory.
 * Every case asserts kubectl's exit code and output. kubectl must be installed (.ci/run installs it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeEmulator } from '../../src/kube/index.js';

interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let kube: KubeEmulator;
let directory: string;

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // HOME points into the temp dir too, so kubectl's discovery cache never touches ~/.kube.
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: directory,
    KUBECONFIG: join(directory, 'kubeconfig'),
    ...extra,
  };
}

/** Runs kubectl asynchronously (the emulator answers from this process's event loop). */
function kubectl(
  args: string[],
  options: { input?: string; env?: Record<string, string>; onOutput?: (stdout: string) => void } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: environment(options.env), cwd: directory });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      options.onOutput?.(stdout);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

function file(name: string, content: string, mode?: number): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
  return path;
}

const TASK = `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: build
spec:
  steps:
    - name: compile
      image: alpine
      script: echo compiling
`;

const configMap = (name: string, value: string): string => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
data:
  key: "${value}"
`;

beforeAll(async () => {
  const version = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    throw new Error(
      'kubectl is not installed: install it (Debian: apt-get install kubernetes-client; .ci/run does) to run the kubectl conformance suite',
    );
  }
  directory = mkdtempSync(join(tmpdir(), 'kubectl-interop-'));
  kube = await KubeEmulator.start({ tls: true, timeScale: 1000 });
  writeFileSync(join(directory, 'kubeconfig'), kube.kubeconfig());
});

afterAll(async () => {
  await kube?.stop();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

describe('kubectl against the KubeEmulator over TLS', () => {
  it('reads /version and /healthz', async () => {
    const version = await kubectl(['version', '-o', 'json']);
    expect(version.code).toBe(0);
    expect(JSON.parse(version.stdout).serverVersion.platform).toBe('linux/amd64');
    const health = await kubectl(['get', '--raw', '/healthz']);
    expect(health).toMatchObject({ code: 0, stdout: 'ok' });
  });

  it('creates configmaps and secrets (sent as protobuf) and prints them as tables', async () => {
    const created = await kubectl([
      'create',
      'configmap',
      'settings',
      '--from-literal=a=1',
      '--from-literal=b=2',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'configmap/settings created\n' });
    const secret = await kubectl([
      'create',
      'secret',
      'generic',
      'token',
      '--from-literal=t=s3',
      '--type=example/x',
    ]);
    expect(secret).toMatchObject({ code: 0, stdout: 'secret/token created\n' });
    const value = await kubectl(['get', 'secret', 'token', '-o', 'jsonpath={.type} {.data.t}']);
    expect(value).toMatchObject({ code: 0, stdout: `example/x ${Buffer.from('s3').toString('base64')}` });

    const table = await kubectl(['get', 'cm', 'settings']);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+DATA\s+AGE$/);
    // timeScale 1000: timestamps must still not lie ahead of kubectl's clock (AGE would read <invalid>).
    expect(row).toMatch(/^settings\s+2\s+\d+[smhd]/);
    const secrets = await kubectl(['get', 'secrets']);
    expect(secrets.stdout).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE\ntoken\s+example\/x\s+1\s+\d/m);
  });

  it('create -f and apply -f (client-side and server-side) with default validation', async () => {
    const taskFile = file('task.yaml', TASK);
    const created = await kubectl(['create', '-f', taskFile]);
    expect(created).toMatchObject({ code: 0, stdout: 'task.tekton.dev/build created\n' });
    const again = await kubectl(['create', '-f', taskFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('AlreadyExists');

    const applied = await kubectl(['apply', '-f', file('cm.yaml', configMap('applied', 'one'))]);
    expect(applied).toMatchObject({ code: 0, stdout: 'configmap/applied created\n' });
    const reapplied = await kubectl(['apply', '-f', file('cm.yaml', configMap('applied', 'two'))]);
    expect(reapplied).toMatchObject({ code: 0, stdout: 'configmap/applied configured\n' });
    const serverSide = await kubectl([
      'apply',
      '--server-side',
      '-f',
      file('cm.yaml', configMap('applied', 'three')),
    ]);
    expect(serverSide).toMatchObject({ code: 0, stdout: 'configmap/applied serverside-applied\n' });
    const value = await kubectl(['get', 'configmap', 'applied', '-o', 'jsonpath={.data.key}']);
    expect(value).toMatchObject({ code: 0, stdout: 'three' });
  });

  it('diff exits 1 with a diff, 0 without, and changes nothing', async () => {
    await kubectl(['apply', '-f', file('diff.yaml', configMap('diffed', 'live'))]);
    const changed = await kubectl(['diff', '-f', file('diff.yaml', configMap('diffed', 'local'))]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('-  key: live');
    expect(changed.stdout).toContain('+  key: local');
    const live = await kubectl(['get', 'configmap', 'diffed', '-o', 'jsonpath={.data.key}']);
    expect(live.stdout).toBe('live');
    const same = await kubectl(['diff', '-f', file('diff.yaml', configMap('diffed', 'live'))]);
    expect(same).toMatchObject({ code: 0, stdout: '' });
  });

  it('--dry-run=server validates and stores nothing', async () => {
    const created = await kubectl(['create', 'configmap', 'dry', '--from-literal=a=1', '--dry-run=server']);
    expect(created).toMatchObject({ code: 0, stdout: 'configmap/dry created (server dry run)\n' });
    const missing = await kubectl(['get', 'configmap', 'dry']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('configmaps "dry" not found');
    const deleted = await kubectl(['delete', 'configmap', 'settings', '--dry-run=server']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'configmap "settings" deleted (server dry run)\n' });
    expect((await kubectl(['get', 'configmap', 'settings', '-o', 'name'])).stdout).toBe(
      'configmap/settings\n',
    );
  });

  it('edit with a non-interactive editor', async () => {
    await kubectl(['apply', '-f', file('edit.yaml', configMap('edited', 'before'))]);
    const editor = file('editor.sh', '#!/bin/sh\nsed -i "s/key: before/key: after/" "$1"\n', 0o755);
    const edited = await kubectl(['edit', 'configmap', 'edited'], {
      env: { KUBE_EDITOR: editor, EDITOR: editor },
    });
    expect(edited).toMatchObject({ code: 0, stdout: 'configmap/edited edited\n' });
    expect((await kubectl(['get', 'cm', 'edited', '-o', 'jsonpath={.data.key}'])).stdout).toBe('after');
    const taskEditor = file(
      'task-editor.sh',
      '#!/bin/sh\nsed -i "s/echo compiling/echo edited/" "$1"\n',
      0o755,
    );
    const task = await kubectl(['edit', 'task', 'build'], { env: { KUBE_EDITOR: taskEditor } });
    expect(task).toMatchObject({ code: 0, stdout: 'task.tekton.dev/build edited\n' });
    expect((await kubectl(['get', 'task', 'build', '-o', 'jsonpath={.spec.steps[0].script}'])).stdout).toBe(
      'echo edited',
    );
  });

  it('explain reads the OpenAPI schemas of Tekton and core kinds', async () => {
    // kubectl >= 1.27 reads /openapi/v3, older ones the protobuf /openapi/v2; the layouts differ slightly.
    const timeouts = await kubectl(['explain', 'pipelinerun.spec.timeouts']);
    expect(timeouts.code).toBe(0);
    expect(timeouts.stdout).toMatch(/^KIND:\s+PipelineRun$/m);
    expect(timeouts.stdout).toContain('tekton.dev');
    expect(timeouts.stdout).toMatch(/FIELDS:[\s\S]*pipeline\s+<string>/);
    const data = await kubectl(['explain', 'configmap.data']);
    expect(data.code).toBe(0);
    expect(data.stdout).toMatch(/^FIELD:\s+data\s+<map\[string\]string>$/m);
    const unknown = await kubectl(['explain', 'pipelinerun.spec.bogus']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('field "bogus" does not exist');
  });

  it('runs a PipelineRun: wait, get (short names, categories, tables), describe, logs, logs -f', async () => {
    kube.scriptTask('build', { steps: { compile: { durationMs: 5_000, logs: ['compiling', 'done'] } } });
    const run = `apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: release
spec:
  pipelineSpec:
    tasks:
      - name: build
        taskRef:
          name: build
`;
    expect(await kubectl(['create', '-f', file('run.yaml', run)])).toMatchObject({ code: 0 });
    const waited = await kubectl(['wait', '--for=condition=Succeeded', 'pr/release', '--timeout=60s']);
    expect(waited).toMatchObject({ code: 0, stdout: 'pipelinerun.tekton.dev/release condition met\n' });

    const runs = await kubectl(['get', 'pr']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(/^NAME\s+SUCCEEDED\s+REASON\s+STARTTIME\s+COMPLETIONTIME\n/);
    expect(runs.stdout).toMatch(/\nrelease\s+True\s+Succeeded\s+\d+[smhd]\S*\s+\d+[smhd]\S*\n/);
    const taskRuns = await kubectl(['get', 'tr', '-o', 'name']);
    expect(taskRuns.stdout).toBe('taskrun.tekton.dev/release-build\n');
    const pods = await kubectl(['get', 'po']);
    expect(pods.stdout).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nrelease-build-pod\s+0\/1\s+Completed\s+0\s+\d/,
    );
    const tekton = await kubectl(['get', 'tekton', '-o', 'name']);
    expect(tekton.stdout).toContain('pipelinerun.tekton.dev/release');
    expect(tekton.stdout).toContain('task.tekton.dev/build');
    const all = await kubectl(['get', 'all', '-o', 'name']);
    expect(all.stdout).toContain('pod/release-build-pod');
    expect(all.stdout).not.toContain('pipelinerun');

    const described = await kubectl(['describe', 'pr', 'release']);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/^Name:\s+release$/m);
    expect(described.stdout).toMatch(/Reason:\s+Succeeded/);
    const logs = await kubectl(['logs', 'release-build-pod', '-c', 'step-compile']);
    expect(logs).toMatchObject({ code: 0, stdout: 'compiling\ndone\n' });
    const followed = await kubectl(['logs', '-f', 'release-build-pod', '-c', 'step-compile']);
    expect(followed).toMatchObject({ code: 0, stdout: 'compiling\ndone\n' });
    const json = await kubectl(['get', 'pr', '-o', 'json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'List',
      items: [{ metadata: { name: 'release' } }],
    });
  });

  it('logs -f streams lines while the step runs and ends when the container terminates', async () => {
    let finish: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      finish = resolve;
    });
    kube.scriptTask('stream', {
      steps: {
        tail: {
          run: async ({ log }) => {
            log('first line');
            await released;
            log('last line');
            return 0;
          },
        },
      },
    });
    const run = `apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: stream
spec:
  taskSpec:
    steps:
      - name: tail
        image: alpine
        script: tail
`;
    expect(await kubectl(['create', '-f', file('stream.yaml', run)])).toMatchObject({ code: 0 });
    const stepRunning = (pod: Record<string, unknown>): boolean => {
      const statuses = (
        pod['status'] as { containerStatuses?: Array<{ name: string; state?: object }> } | undefined
      )?.containerStatuses;
      return (
        statuses?.some((status) => status.name === 'step-tail' && 'running' in (status.state ?? {})) === true
      );
    };
    await kube.waitForObject({ kind: 'Pod', name: 'stream-pod' }, stepRunning);
    const followed = kubectl(['logs', '-f', 'stream-pod', '-c', 'step-tail'], {
      onOutput: (stdout) => {
        // The second line is released only once kubectl has printed the first: it must be following.
        if (stdout.includes('first line')) finish();
      },
    });
    expect(await followed).toMatchObject({ code: 0, stdout: 'first line\nlast line\n' });
  });

  it('get -w prints the table and then the changes until the request times out', async () => {
    let sawHeader: () => void = () => undefined;
    const header = new Promise<void>((resolve) => {
      sawHeader = resolve;
    });
    const watching = kubectl(['get', 'configmaps', '--watch', '--request-timeout=8s'], {
      onOutput: (stdout) => {
        if (/^NAME\s+DATA\s+AGE/.test(stdout)) sawHeader();
      },
    });
    await header;
    kube.createObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'watched' },
      data: { a: 'b' },
    });
    const watched = await watching;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/\nwatched\s+1\s+\d+[smhd]/);
  });

  it('patch (merge, json), label, -o jsonpath and delete', async () => {
    await kubectl(['create', 'configmap', 'patched', '--from-literal=a=1']);
    const merge = await kubectl([
      'patch',
      'configmap',
      'patched',
      '--type=merge',
      '-p',
      '{"data":{"b":"2"}}',
    ]);
    expect(merge).toMatchObject({ code: 0, stdout: 'configmap/patched patched\n' });
    const json = await kubectl([
      'patch',
      'cm',
      'patched',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/data/a"}]',
    ]);
    expect(json).toMatchObject({ code: 0, stdout: 'configmap/patched patched\n' });
    expect((await kubectl(['get', 'cm', 'patched', '-o', 'jsonpath={.data}'])).stdout).toBe('{"b":"2"}');
    const labelled = await kubectl(['label', 'cm', 'patched', 'tier=web']);
    expect(labelled).toMatchObject({ code: 0, stdout: 'configmap/patched labeled\n' });
    const selected = await kubectl(['get', 'cm', '-l', 'tier=web', '-o', 'name']);
    expect(selected.stdout).toBe('configmap/patched\n');
    const deleted = await kubectl(['delete', 'cm', 'patched']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'configmap "patched" deleted\n' });
    const gone = await kubectl(['get', 'cm', 'patched']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('Error from server (NotFound): configmaps "patched" not found');
  });
});

describe('kubectl against a plain-HTTP KubeEmulator', () => {
  it('is refused: client-go sends the bearer token only over TLS', async () => {
    const plain = await KubeEmulator.start();
    try {
      const result = await kubectl([
        'get',
        'configmaps',
        '--kubeconfig',
        file('plain-kubeconfig', plain.kubeconfig()),
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('You must be logged in to the server');
      expect(plain.requests.some((request) => request.status === 401)).toBe(true);
    } finally {
      await plain.stop();
    }
  });
});
