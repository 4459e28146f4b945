// Smoke tests of the Tekton examples on the KubeEmulator, reached through a kubeconfig the harness writes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TektonClient } from '@gitops-kit/tekton-client';
import { KubeEmulator } from '@gitops-kit/testkit';
import { expectThat, type SmokeCase } from './harness.js';

const NAMESPACE = 'ci';
const DIGEST = 'sha256:8a1f3c5e7d9b2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d';

/** A KubeEmulator, a kubeconfig file for it, and a client for the checks. */
async function startKube(): Promise<{
  kube: KubeEmulator;
  client: TektonClient;
  kubeconfig: string;
  stop(): Promise<void>;
}> {
  const kube = await KubeEmulator.start({ namespace: NAMESPACE, defaultStepDurationMs: 50 });
  const directory = mkdtempSync(join(tmpdir(), 'gitops-kit-examples-'));
  const kubeconfig = join(directory, 'kubeconfig');
  writeFileSync(kubeconfig, kube.kubeconfig({ namespace: NAMESPACE }), { mode: 0o600 });
  const client = new TektonClient({ server: kube.url, token: kube.token, namespace: NAMESPACE });
  return {
    kube,
    client,
    kubeconfig,
    async stop() {
      await client.close();
      await kube.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The task with this pipelineTask label in a PipelineRun. */
async function taskRunOf(client: TektonClient, run: string, pipelineTask: string) {
  const taskRuns = await client.taskRuns.list({ labelSelector: `tekton.dev/pipelineRun=${run}` });
  return taskRuns.find((taskRun) => taskRun.metadata.labels?.['tekton.dev/pipelineTask'] === pipelineTask);
}

function succeeded(
  object:
    | { status?: { conditions?: Array<{ type: string; status: string }> | undefined } | undefined }
    | undefined,
): boolean {
  return object?.status?.conditions?.some((c) => c.type === 'Succeeded' && c.status === 'True') === true;
}

export const pipelineCase: SmokeCase = {
  name: 'pipeline',
  async setup() {
    const world = await startKube();
    // The containers, as the emulator plays them: the registry refuses the first push, the retry passes.
    world.kube.scriptTask('clone', {
      steps: { clone: { durationMs: 100, results: { commit: '5f2c9a1e' } } },
    });
    world.kube.scriptTask('test', {
      steps: { test: { durationMs: 100, logs: ['ℹ tests 12', 'ℹ pass 12'] } },
    });
    world.kube.scriptTask('build', ({ attempt }) => ({
      steps: {
        'build-and-push': {
          durationMs: 100,
          exitCode: attempt === 0 ? 1 : 0,
          logs: attempt === 0 ? ['error pushing image: 503 Service Unavailable'] : [`digest: ${DIGEST}`],
          ...(attempt === 0 ? {} : { results: { digest: DIGEST } }),
        },
      },
    }));
    return {
      env: {
        KUBECONFIG: world.kubeconfig,
        NAMESPACE,
        REPO_URL: 'https://git.example.com/team/devops-demo.git',
        IMAGE: 'registry.example.com/team/devops-demo',
      },
      async verify(run) {
        expectThat(run.code === 0, 'pipeline.ts exits 0', run.stderr);
        const runs = await world.client.pipelineRuns.list();
        const name = runs[0]?.metadata.name as string;
        expectThat(runs.length === 1 && succeeded(runs[0]), `PipelineRun ${name} Succeeded`);
        expectThat(
          run.stdout.includes('503 Service Unavailable') &&
            run.stdout.includes(`[build : build-and-push] digest: ${DIGEST}`),
          'the streamed logs show the failed push and the retry',
        );
        const build = await taskRunOf(world.client, name, 'build');
        expectThat(build?.status?.retriesStatus?.length === 1, 'the build TaskRun was retried once');
        expectThat(succeeded(await taskRunOf(world.client, name, 'notify')), 'the finally task ran');
      },
      stop: () => world.stop(),
    };
  },
};

export const pipelineRunLogsCase: SmokeCase = {
  name: 'pipelinerun-logs',
  async setup() {
    const world = await startKube();
    await world.client.pipelines.apply({
      apiVersion: 'tekton.dev/v1',
      kind: 'Pipeline',
      metadata: { name: 'hello', namespace: NAMESPACE },
      spec: {
        params: [{ name: 'who', type: 'string' }],
        tasks: [
          {
            name: 'greet',
            params: [{ name: 'who', value: '$(params.who)' }],
            taskSpec: {
              params: [{ name: 'who', type: 'string' }],
              steps: [{ name: 'say', image: 'busybox:1.36', script: 'echo "hello, $(params.who)"' }],
            },
          },
        ],
      },
    });
    world.kube.scriptTask('greet', ({ params }) => ({
      steps: { say: { durationMs: 100, logs: [`hello, ${String(params['who'])}`] } },
    }));
    return {
      env: { KUBECONFIG: world.kubeconfig, PIPELINE: 'hello', PARAMS: 'who=world' },
      async verify(run) {
        expectThat(run.code === 0, 'pipelinerun-logs.ts exits 0', run.stderr);
        expectThat(run.stdout.includes('[greet : say] hello, world'), 'the step log was streamed');
        const runs = await world.client.pipelineRuns.list();
        expectThat(runs.length === 1 && succeeded(runs[0]), 'the PipelineRun it started Succeeded');
      },
      stop: () => world.stop(),
    };
  },
};
