import { KubeEmulator, type KubeEmulatorOptions } from '@gitops-kit/testkit';
import { TektonClient, type TektonClientOptions } from '../../src/client/tekton-client.js';

/** An emulator plus a client wired to it with fast backoff; `close()` stops both. */
export async function startEmulator(
  options: KubeEmulatorOptions = {},
  clientOptions: Partial<TektonClientOptions> = {},
): Promise<{ kube: KubeEmulator; client: TektonClient; close: () => Promise<void> }> {
  const kube = await KubeEmulator.start({ namespace: 'ci', ...options });
  const client = new TektonClient({
    server: kube.url,
    token: kube.token,
    namespace: 'ci',
    proxy: false,
    watchBackoff: { initialDelayMs: 20, maxDelayMs: 200 },
    logPollIntervalMs: 20,
    ...(kube.ca ? { ca: kube.ca } : {}),
    ...clientOptions,
  });
  return {
    kube,
    client,
    close: async () => {
      await client.close();
      await kube.stop();
    },
  };
}

/** The seed-like pipeline: clone, then test and lint in parallel, then build (retried once), finally report. */
export const PIPELINE = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'gitops-ci', namespace: 'ci' },
  spec: {
    params: [{ name: 'revision', type: 'string' }],
    workspaces: [{ name: 'shared' }],
    tasks: [
      {
        name: 'clone',
        taskSpec: {
          results: [{ name: 'commit' }],
          steps: [{ name: 'clone', image: 'alpine/git', script: 'git clone' }],
        },
        workspaces: [{ name: 'output', workspace: 'shared' }],
      },
      {
        name: 'test',
        runAfter: ['clone'],
        taskSpec: {
          steps: [
            { name: 'unit', image: 'node' },
            { name: 'e2e', image: 'node' },
          ],
        },
      },
      { name: 'lint', runAfter: ['clone'], taskSpec: { steps: [{ name: 'lint', image: 'node' }] } },
      {
        name: 'build',
        runAfter: ['test', 'lint'],
        retries: 1,
        taskSpec: { steps: [{ name: 'build', image: 'kaniko' }] },
      },
    ],
    finally: [{ name: 'report', taskSpec: { steps: [{ name: 'notify', image: 'curl' }] } }],
  },
};
