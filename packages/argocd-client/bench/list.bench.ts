/**
 * `applications.list` of 5,000 applications: parse + validate (exactly what the client does with the body:
 * `safeJsonParse` then `validateResponse`, the compiled zod check) against plain
 * `JSON.parse` of the same body, in the same run, alternating to share GC and CPU noise. Two bodies:
 * - realistic: 5,000 Argo CD 3.x applications with resources, history and operation state (bench/realistic-applications.ts),
 *   served by a loopback server with the real wire format;
 * - emulator: 5,000 applications seeded into the testkit ArgoCDEmulator, also used to measure the bytes a
 *   `fields` projection saves.
 * Run: `npm run bench` in packages/argocd-client.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { safeJsonParse, silentLogger } from '@gitops-kit/core';
import { ArgoCDEmulator } from '@gitops-kit/testkit';
import { ArgoCDClient, applicationListSchema } from '../src/index.js';
import { validateResponse } from '../src/schemas/fast-check.js';
import { median, ms } from './bench-utils.js';
import { realisticApplicationListBody } from './realistic-applications.js';

const COUNT = 5_000;
const ROUNDS = 9;

function compare(label: string, body: string): { plainMs: number; validatedMs: number; ratio: number } {
  const plain: number[] = [];
  const validated: number[] = [];
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
  for (let round = 0; round < ROUNDS + 1; round++) {
    // Alternate the order and collect garbage first, so neither side pays for the other's garbage.
    const runPlain = (): number => {
      collect();
      const started = performance.now();
      JSON.parse(body);
      return performance.now() - started;
    };
    const runValidated = (): number => {
      collect();
      const started = performance.now();
      validateResponse(applicationListSchema, safeJsonParse(body), 'GET /api/v1/applications');
      return performance.now() - started;
    };
    const [plainMs, validatedMs] =
      round % 2 === 0
        ? [runPlain(), runValidated()]
        : ((([v, p]) => [p, v])([runValidated(), runPlain()]) as [number, number]);
    if (round > 0) {
      // round 0 warms the JIT
      plain.push(plainMs);
      validated.push(validatedMs);
    }
  }
  const result = {
    plainMs: median(plain),
    validatedMs: median(validated),
    ratio: median(validated) / median(plain),
  };
  console.log(
    `${label}: ${(body.length / 1e6).toFixed(1)} MB, JSON.parse ${ms(result.plainMs)}, parse+validate ${ms(result.validatedMs)}, ratio ${result.ratio.toFixed(2)}x (median of ${ROUNDS})`,
  );
  return result;
}

async function realistic(): Promise<void> {
  const body = realisticApplicationListBody(COUNT);
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new ArgoCDClient({
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    auth: { token: 'bench-token' },
    logger: silentLogger,
  });
  const started = performance.now();
  const items = await client.applications.list();
  console.log(
    `realistic: client.applications.list() end to end ${ms(performance.now() - started)} for ${items.length} apps`,
  );
  compare('realistic', body);
  await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function emulator(): Promise<void> {
  const argocd = await ArgoCDEmulator.start();
  const repoURL = 'https://git.example.invalid/platform/deploy.git';
  argocd.seedRepositoryCommit(repoURL, {
    files: { 'helm/Chart.yaml': 'name: svc\n', 'helm/values.yaml': 'image:\n  tag: v1\n' },
  });
  for (let index = 0; index < COUNT; index++) {
    argocd.seedApplication({
      metadata: { name: `svc-${index}` },
      spec: {
        project: 'default',
        source: { repoURL, path: 'helm', targetRevision: 'main', helm: { valueFiles: ['values.yaml'] } },
        destination: { server: 'https://kubernetes.default.svc', namespace: `svc-${index}` },
      },
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the controller reconcile them
  const token = argocd.issueToken();
  const read = async (query: string): Promise<string> =>
    (
      await fetch(`${argocd.url}/api/v1/applications${query}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).text();
  const full = await read('');
  const fields = 'items.metadata.name,items.status.sync.status,items.status.health';
  const projected = await read(`?fields=${encodeURIComponent(fields)}`);
  compare('emulator', full);
  const client = new ArgoCDClient({ server: argocd.url, auth: { token }, logger: silentLogger });
  const names = await client.applications.listProjected([
    'metadata.name',
    'status.sync.status',
    'status.health',
  ]);
  console.log(
    `fields (${fields}): ${full.length} → ${projected.length} bytes, ${(100 * (1 - projected.length / full.length)).toFixed(1)}% saved; listProjected returned ${names.length} apps`,
  );
  await client.close();
  await argocd.stop();
}

await realistic();
await emulator();
