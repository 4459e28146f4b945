/**
 * Throughput of the stream readers and round-trip time of the transport on loopback.
 * Run: `npm run bench -w @gitops-kit/core`. Bounded: fixed input sizes and request counts.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { HttpClient, readLines, readNdjsonLines, readServerSentEvents } from '../src/index.js';

const CHUNK_BYTES = 16 * 1024;

function chunked(text: string): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES)
    chunks.push(bytes.subarray(start, start + CHUNK_BYTES));
  return chunks;
}

async function* replay(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

async function measure(label: string, totalBytes: number, run: () => Promise<number>): Promise<void> {
  await run(); // warm-up
  const startedMs = performance.now();
  const items = await run();
  const elapsedMs = performance.now() - startedMs;
  const megabytesPerSecond = totalBytes / 1024 / 1024 / (elapsedMs / 1000);
  console.log(
    `${label.padEnd(34)} ${items} items  ${elapsedMs.toFixed(1).padStart(7)} ms  ${megabytesPerSecond.toFixed(1)} MiB/s`,
  );
}

const event = JSON.stringify({
  type: 'MODIFIED',
  object: {
    metadata: { name: 'build-and-deploy-x7k2p', resourceVersion: '123456' },
    status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] },
  },
});
const ndjson = `${Array.from({ length: 20_000 }, () => event).join('\n')}\n`;
const sse = Array.from(
  { length: 20_000 },
  (_, index) => `id: ${index}\nevent: update\ndata: {"result":${event}}\n\n`,
).join('');

await measure('readLines (NDJSON text)', ndjson.length, async () => {
  let count = 0;
  for await (const _line of readLines(replay(chunked(ndjson)))) count++;
  return count;
});
await measure('readNdjsonLines', ndjson.length, async () => {
  let count = 0;
  for await (const _value of readNdjsonLines(replay(chunked(ndjson)))) count++;
  return count;
});
await measure('readServerSentEvents', sse.length, async () => {
  let count = 0;
  for await (const _event of readServerSentEvents(replay(chunked(sse)))) count++;
  return count;
});

const body = JSON.stringify({
  metadata: { name: 'demo' },
  status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
});
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as { port: number };
const http = new HttpClient({ baseUrl: `http://127.0.0.1:${port}`, proxy: false });
const requestCount = 1000;
for (let index = 0; index < 50; index++) await http.request({ path: '/warm' });
const startedMs = performance.now();
for (let index = 0; index < requestCount; index++) await http.request({ path: '/api/v1/applications/demo' });
const elapsedMs = performance.now() - startedMs;
console.log(
  `${'HttpClient.request (sequential)'.padEnd(34)} ${requestCount} requests  ${(elapsedMs / requestCount).toFixed(3)} ms each`,
);
await http.close();
server.close();
