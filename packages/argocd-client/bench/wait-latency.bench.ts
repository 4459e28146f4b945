/**
 * Wait latency: time from the emulator's health change to `applications.wait` resolving, and the number of polling
 * (GET) requests made while the stream is up (target: 0). Each round: the Deployment is scripted Progressing, a
 * wait starts (one GET, then the single-app SSE stream), then the health is scripted Healthy and the clock starts.
 * The measured time includes the emulator re-assessing health and broadcasting the change.
 * Run: `npm run bench` in packages/argocd-client.
 */
import { silentLogger } from '@gitops-kit/core';
import { ArgoCDEmulator } from '@gitops-kit/testkit';
import { ArgoCDClient } from '../src/index.js';
import { median, ms, percentile } from './bench-utils.js';

const ROUNDS = 30;
const repoURL = 'https://git.example.invalid/platform/deploy.git';
const argocd = await ArgoCDEmulator.start();
argocd.seedRepositoryCommit(repoURL, {
  files: { 'helm/Chart.yaml': 'name: web\n', 'helm/values.yaml': 'image:\n  tag: v1\n' },
});
argocd.seedApplication({
  metadata: { name: 'web' },
  spec: {
    project: 'default',
    source: { repoURL, path: 'helm', targetRevision: 'main', helm: { valueFiles: ['values.yaml'] } },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
  },
});
await argocd.refresh('web');
const client = new ArgoCDClient({
  server: argocd.url,
  auth: { token: argocd.issueToken() },
  logger: silentLogger,
});
await client.applications.sync('web');
await client.applications.wait('web', { timeoutMs: 30_000 });

const gets = (): number =>
  argocd.requests.filter((request) => request.method === 'GET' && request.path === '/api/v1/applications/web')
    .length;
const latencies: number[] = [];
let pollingRequests = 0;
for (let round = 0; round < ROUNDS; round++) {
  argocd.scriptHealth({ app: 'web', kind: 'Deployment' }, [
    { status: 'Progressing', message: 'rolling out' },
  ]);
  for (
    let tries = 0;
    argocd.getApplication('web')?.status?.health?.status !== 'Progressing' && tries < 200;
    tries++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  let streamOpen!: () => void;
  const opened = new Promise<void>((resolve) => {
    streamOpen = resolve;
  });
  const waiting = client.applications.wait('web', {
    conditions: ['health'],
    timeoutMs: 30_000,
    onProgress: (progress) => {
      if (progress.source === 'stream') streamOpen(); // the snapshot sent on connect: the stream is up
    },
  });
  await opened;
  const getsWhileStreaming = gets();
  const started = performance.now();
  argocd.scriptHealth({ app: 'web', kind: 'Deployment' }, [{ status: 'Healthy' }]);
  await waiting;
  latencies.push(performance.now() - started);
  pollingRequests += gets() - getsWhileStreaming;
}
console.log(
  `wait latency over ${ROUNDS} rounds: p50 ${ms(median(latencies))}, p90 ${ms(percentile(latencies, 90))}, max ${ms(Math.max(...latencies))}; polling GETs while the stream was up: ${pollingRequests}`,
);
await client.close();
await argocd.stop();
