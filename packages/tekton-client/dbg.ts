import { TektonClient } from './src/client/tekton-client.js';
import { CuttingProxy } from './test/helpers/cutting-proxy.js';
import { startEmulator } from './test/helpers/emulator.js';
const env = await startEmulator({ timeScale: 1 });
const lines = Array.from({ length: 300 }, (_, index) => `line ${String(index + 1).padStart(4, '0')}`);
env.kube.scriptTask('print', { steps: { print: { durationMs: 600, logs: lines } } });
const proxy = new CuttingProxy(env.kube.url, 37);
const proxyUrl = await proxy.listen();
const client = new TektonClient({ server: proxyUrl, token: env.kube.token, namespace: 'ci', proxy: false, logPollIntervalMs: 20, watchBackoff: { initialDelayMs: 20, maxDelayMs: 100 }, onWatchEvent: (d) => console.log('watch', JSON.stringify(d)) });
await client.pipelines.apply({ apiVersion: 'tekton.dev/v1', kind: 'Pipeline', metadata: { name: 'printer', namespace: 'ci' }, spec: { tasks: [{ name: 'print', taskSpec: { steps: [{ name: 'print', image: 'alpine' }] } }] } });
const run = await client.pipelineRuns.start({ pipelineRef: { name: 'printer' } });
const t = setTimeout(() => { console.log('TIMEOUT', proxy.cuts, proxy.logRequests, env.kube.requests.slice(-8).map(r => `${r.verb} ${r.path} ${JSON.stringify(r.query)} ${r.status}`)); process.exit(1); }, 8000);
let n = 0;
try {
for await (const entry of client.pipelineRuns.logs(run.metadata.name!, { follow: true })) { n++; if (entry.kind !== 'log' || n % 50 === 0) console.log(entry.kind, entry.line, entry.time); }
} catch (e) { console.log('ERR', e); }
console.log('done', n, proxy.cuts);
clearTimeout(t);
await client.close(); await proxy.stop(); await env.close();
