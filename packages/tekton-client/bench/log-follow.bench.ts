/**
 * Log following throughput through `pipelineRuns.logs({ follow: true })` from the KubeEmulator: one task printing
 * LINES lines, once over a clean connection and once through a proxy that cuts every log stream after CUT_MS,
 * checking that every line arrives exactly once and in order.
 *
 *   npm run bench      (or: npx tsx bench/log-follow.bench.ts)
 */
import { KubeEmulator } from '@gitops-kit/testkit';
import { TektonClient } from '../src/client/tekton-client.js';
import { CuttingProxy } from '../test/helpers/cutting-proxy.js';

const LINES = 20_000;
const STEP_MS = 2_000;
const CUT_MS = 250;

const PIPELINE = {
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata: { name: 'printer', namespace: 'ci' },
  spec: { tasks: [{ name: 'print', taskSpec: { steps: [{ name: 'print', image: 'alpine' }] } }] },
};

async function scenario(cut: boolean) {
  const kube = await KubeEmulator.start({ namespace: 'ci', timeScale: 1 });
  const lines = Array.from(
    { length: LINES },
    (_, index) => `line ${String(index + 1).padStart(6, '0')} ${'x'.repeat(60)}`,
  );
  kube.scriptTask('print', { steps: { print: { durationMs: STEP_MS, logs: lines } } });
  const proxy = cut ? new CuttingProxy(kube.url, CUT_MS) : undefined;
  const server = proxy ? await proxy.listen() : kube.url;
  const client = new TektonClient({
    server,
    token: kube.token,
    namespace: 'ci',
    proxy: false,
    logPollIntervalMs: 20,
  });
  await client.pipelines.apply(PIPELINE);
  const run = await client.pipelineRuns.start({ pipelineRef: { name: 'printer' } });
  const received: string[] = [];
  let firstMs = 0;
  let lastMs = 0;
  const began = performance.now();
  for await (const entry of client.pipelineRuns.logs(run.metadata.name!, { follow: true })) {
    if (entry.kind !== 'log') continue;
    if (received.length === 0) firstMs = performance.now();
    lastMs = performance.now();
    received.push(entry.line);
  }
  const totalMs = performance.now() - began;
  // The same lines again from the finished run: the client's own throughput, without the emulator's pacing.
  const replayBegan = performance.now();
  let replayed = 0;
  for await (const entry of client.pipelineRuns.logs(run.metadata.name!, { follow: true }))
    if (entry.kind === 'log') replayed += 1;
  const replayLinesPerSecond = replayed / ((performance.now() - replayBegan) / 1000);
  const lost = lines.filter((line, index) => received[index] !== line).length;
  const exact = received.length === lines.length && lost === 0;
  await client.close();
  await proxy?.stop();
  await kube.stop();
  return {
    cut,
    received: received.length,
    exact,
    cuts: proxy?.cuts ?? 0,
    logRequests: proxy?.logRequests ?? 1,
    linesPerSecond: received.length / ((lastMs - firstMs) / 1000),
    totalMs,
    replayed,
    replayLinesPerSecond,
  };
}

const results = [await scenario(false), await scenario(true)];
console.log(
  `logs({ follow: true }) of one step printing ${LINES} lines over ${STEP_MS} ms (KubeEmulator, 127.0.0.1)`,
);
console.log(
  '| connection | lines received | exactly once, in order | streams cut | live lines/s (first→last line) | total ms (start→end of stream) | finished-run replay lines/s |',
);
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
for (const result of results) {
  console.log(
    `| ${result.cut ? `cut every ${CUT_MS} ms` : 'clean'} | ${result.received} | ${result.exact ? 'yes' : 'NO'} | ${result.cuts} | ${Math.round(result.linesPerSecond)} | ${Math.round(result.totalMs)} | ${Math.round(result.replayLinesPerSecond)} (${result.replayed} lines) |`,
  );
}
if (!results.every((result) => result.exact)) process.exit(1);
