/**
 * describe of a PipelineRun with 200 TaskRuns: our way (one GET of the run + one label-selected TaskRun list)
 * against tkn's way (GET the run, then one GET per child TaskRun), same run, same emulator, same transport.
 *
 *   npm run bench      (or: npx tsx bench/describe.bench.ts)
 */
import { KubeEmulator } from '@gitops-kit/testkit';
import { TektonClient } from '../src/client/tekton-client.js';
import { buildPipelineRunDescription } from '../src/describe/describe-model.js';
import { formatDescribe } from '../src/describe/format-describe.js';
import { RESOURCES } from '../src/kube/resource.js';
import { pipelineRunSchema, type TaskRun, taskRunSchema } from '../src/schemas/runs.js';

const TASK_RUNS = 200;
const ITERATIONS = 10;

const kube = await KubeEmulator.start({ namespace: 'ci', tekton: false });
const client = new TektonClient({ server: kube.url, token: kube.token, namespace: 'ci', proxy: false });
const start = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const children = Array.from({ length: TASK_RUNS }, (_, index) => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'TaskRun',
  name: `big-run-task-${index}`,
  pipelineTaskName: `task-${index}`,
}));
kube.apply({
  apiVersion: 'tekton.dev/v1',
  kind: 'PipelineRun',
  metadata: { name: 'big-run', namespace: 'ci', uid: 'uid-big-run' },
  spec: { pipelineRef: { name: 'big' }, params: [{ name: 'revision', value: 'abc' }] },
  status: {
    startTime: iso(start),
    completionTime: iso(start + 600_000),
    conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }],
    childReferences: children,
  },
});
for (const [index, child] of children.entries()) {
  kube.apply({
    apiVersion: 'tekton.dev/v1',
    kind: 'TaskRun',
    metadata: {
      name: child.name,
      namespace: 'ci',
      labels: { 'tekton.dev/pipelineRun': 'big-run', 'tekton.dev/pipelineTask': child.pipelineTaskName },
    },
    spec: { taskRef: { name: 'step' } },
    status: {
      podName: `${child.name}-pod`,
      startTime: iso(start + index * 1000),
      completionTime: iso(start + index * 1000 + 30_000),
      conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }],
      steps: [{ name: 'run', container: 'step-run', terminated: { exitCode: 0, reason: 'Completed' } }],
    },
  });
}

async function ours(): Promise<string> {
  return formatDescribe(await client.pipelineRuns.describe('big-run'));
}

async function tknWay(): Promise<string> {
  const run = await client.transport.get(RESOURCES.pipelineRuns, 'ci', 'big-run', pipelineRunSchema);
  const taskRuns: TaskRun[] = [];
  for (const child of run.status?.childReferences ?? []) {
    if (child.kind === 'TaskRun')
      taskRuns.push(await client.transport.get(RESOURCES.taskRuns, 'ci', child.name, taskRunSchema));
  }
  return formatDescribe(buildPipelineRunDescription(run, taskRuns));
}

async function measure(name: string, fn: () => Promise<string>) {
  await fn(); // warm-up (connections, JIT)
  const before = client.transport.requestCount;
  const times: number[] = [];
  let output = '';
  for (let index = 0; index < ITERATIONS; index += 1) {
    const began = performance.now();
    output = await fn();
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  const requests = (client.transport.requestCount - before) / ITERATIONS;
  return { name, requests, medianMs: times[Math.floor(times.length / 2)]!, minMs: times[0]!, output };
}

const a = await measure('one list (ours)', ours);
const b = await measure('GET per TaskRun (tkn)', tknWay);
if (a.output !== b.output) throw new Error('the two ways rendered different text');
const rows = a.output.split('\n').filter((line) => / big-run-task-\d+ /.test(line)).length;
console.log(
  `describe of a PipelineRun with ${TASK_RUNS} TaskRuns (${rows} rows rendered, identical text), ${ITERATIONS} iterations, KubeEmulator on 127.0.0.1`,
);
console.log('| way | requests per describe | median ms | min ms |');
console.log('| --- | ---: | ---: | ---: |');
for (const result of [a, b]) {
  console.log(
    `| ${result.name} | ${result.requests} | ${result.medianMs.toFixed(1)} | ${result.minMs.toFixed(1)} |`,
  );
}
console.log(`speed-up (median): ${(b.medianMs / a.medianMs).toFixed(1)}x`);
await client.close();
await kube.stop();
