import { afterEach, describe, expect, it } from 'vitest';
import { TektonClient } from '../src/client/tekton-client.js';
import { CuttingProxy } from './helpers/cutting-proxy.js';
import { startEmulator } from './helpers/emulator.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const ONE_TASK = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'printer', namespace: 'ci' },
  spec: { tasks: [{ name: 'print', taskSpec: { steps: [{ name: 'print', image: 'alpine' }] } }] },
};

describe('following logs across broken connections', () => {
  it('delivers every line exactly once when the log stream is cut every 37 lines', async () => {
    const env = await startEmulator({ timeScale: 1 });
    cleanup.push(env.close);
    const lines = Array.from({ length: 300 }, (_, index) => `line ${String(index + 1).padStart(4, '0')}`);
    env.kube.scriptTask('print', { steps: { print: { durationMs: 600, logs: lines } } });
    const proxy = new CuttingProxy(env.kube.url, 37);
    const proxyUrl = await proxy.listen();
    cleanup.push(() => proxy.stop());
    const client = new TektonClient({ server: proxyUrl, token: env.kube.token, namespace: 'ci', proxy: false, logPollIntervalMs: 20, watchBackoff: { initialDelayMs: 20, maxDelayMs: 100 } });
    cleanup.push(() => client.close());
    await client.pipelines.apply(ONE_TASK);
    const run = await client.pipelineRuns.start({ pipelineRef: { name: 'printer' } });
    const received: string[] = [];
    for await (const entry of client.pipelineRuns.logs(run.metadata.name!, { follow: true })) {
      if (entry.kind === 'log') received.push(entry.line);
    }
    expect(proxy.cuts).toBeGreaterThanOrEqual(3);
    expect(received).toEqual(lines);
  });
});
