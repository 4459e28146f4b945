import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArgoCDClient } from '@gitops-kit/argocd-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReleaseStageDefinition, releaseStatus } from '../src/index.js';

/**
 * Argo CD with "applications in any namespace": names are unique per namespace only, so a list may hold two
 * applications of one name. A scripted server answers the list (with its projection) and single gets, as Argo CD's
 * API does (`GET /api/v1/applications`, `GET /api/v1/applications/{name}?appNamespace=`).
 */
const APPS = [
  { namespace: 'argocd', name: 'web', revision: 'a'.repeat(40), health: 'Healthy' },
  { namespace: 'team-b', name: 'web', revision: 'b'.repeat(40), health: 'Degraded' },
  ...Array.from({ length: 10 }, (_, index) => ({
    namespace: 'argocd',
    name: `app-${index}`,
    revision: 'c'.repeat(40),
    health: 'Healthy',
  })),
];
const asApplication = (app: (typeof APPS)[number]) => ({
  metadata: { name: app.name, namespace: app.namespace },
  spec: { project: 'demo', destination: {}, source: { repoURL: 'https://git.invalid/x.git' } },
  status: { sync: { status: 'Synced', revision: app.revision }, health: { status: app.health } },
});

let server: Server;
let url: string;
const requests: string[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    const target = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${request.method} ${target.pathname}${target.search}`);
    response.setHeader('content-type', 'application/json');
    if (target.pathname === '/api/v1/applications') {
      response.end(JSON.stringify({ metadata: {}, items: APPS.map(asApplication) }));
      return;
    }
    const name = decodeURIComponent(target.pathname.replace('/api/v1/applications/', ''));
    // Without appNamespace, Argo CD looks in its own (control-plane) namespace.
    const namespace = target.searchParams.get('appNamespace') || 'argocd';
    const app = APPS.find((candidate) => candidate.name === name && candidate.namespace === namespace);
    if (app === undefined) {
      response.statusCode = 404;
      response.end(
        JSON.stringify({
          error: 'not found',
          code: 5,
          message: `applications.argoproj.io "${name}" not found`,
        }),
      );
      return;
    }
    response.end(JSON.stringify(asApplication(app)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const stage = (name: string, application: ReleaseStageDefinition['application']): ReleaseStageDefinition => ({
  name,
  application,
  // Nothing listens there: the git reads fail and are reported per stage, the Argo CD part is what is checked.
  repository: { url: 'http://127.0.0.1:9/deploy.git', branch: 'main' },
  changes: [{ file: 'values.yaml', paths: ['image.tag'] }],
});

describe('releaseStatus past the list threshold, with applications of one name in two namespaces', () => {
  it('a stage naming its namespace gets that application; one without gets the control-plane one', async () => {
    const stages = [
      stage('theirs', { name: 'web', project: 'demo', appNamespace: 'team-b' }),
      stage('ours', { name: 'web', project: 'demo' }),
      ...Array.from({ length: 10 }, (_, index) =>
        stage(`s${index}`, { name: `app-${index}`, project: 'demo' }),
      ),
    ];
    requests.length = 0;
    const statuses = await releaseStatus({
      stages,
      argocd: new ArgoCDClient({ server: url, auth: { token: 'token' }, retry: false }),
      concurrency: 4,
    });
    const byName = new Map(statuses.map((status) => [status.name, status]));
    expect(byName.get('theirs')?.syncedRevision).toBe('b'.repeat(40));
    expect(byName.get('theirs')?.healthStatus).toBe('Degraded');
    expect(byName.get('ours')?.syncedRevision).toBe('a'.repeat(40));
    expect(byName.get('ours')?.healthStatus).toBe('Healthy');
    expect(byName.get('s3')?.healthStatus).toBe('Healthy');
    // One list for the twelve stages, and one get for the stage whose name is ambiguous.
    expect(requests.filter((line) => line.startsWith('GET /api/v1/applications?'))).toHaveLength(1);
    expect(requests.filter((line) => line.startsWith('GET /api/v1/applications/'))).toEqual([
      'GET /api/v1/applications/web?project=demo',
    ]);
  });
});
