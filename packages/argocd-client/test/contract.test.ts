import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@gitops-kit/core';
import { createArgoCDSwaggerValidator } from '@gitops-kit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDClient } from '../src/index.js';

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  contentType: string | undefined;
}

const REPO = 'https://git.example.invalid/org/deploy.git';
const NOW = '2026-01-01T00:00:00Z';
const app = {
  metadata: { name: 'web', namespace: 'argocd', resourceVersion: '7' },
  spec: {
    project: 'default',
    source: {
      repoURL: REPO,
      path: 'helm',
      targetRevision: 'main',
      helm: { parameters: [{ name: 'a', value: '1' }] },
    },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
  },
  status: {
    sync: { status: 'Synced', revision: 'abc1234' },
    health: { status: 'Healthy' },
    reconciledAt: NOW,
    operationState: { phase: 'Succeeded', startedAt: NOW, finishedAt: NOW },
    history: [
      { id: 1, revision: 'aaa' },
      { id: 2, revision: 'bbb' },
    ],
  },
};
const project = { metadata: { name: 'team-a', resourceVersion: '3' }, spec: {}, status: {} };

function cannedBody(request: Recorded): unknown {
  const { method, path } = request;
  if (path === '/api/v1/session') return method === 'POST' ? { token: 'session-token-value' } : {};
  if (path === '/api/v1/session/userinfo') return { loggedIn: true, username: 'admin' };
  if (path === '/api/version') return { Version: 'v3.5.1' };
  if (path === '/api/v1/settings') return { url: 'https://argocd.example.com' };
  if (path.startsWith('/api/v1/repositories')) {
    return path === '/api/v1/repositories' && method === 'GET' ? { items: [{ repo: REPO }] } : { repo: REPO };
  }
  if (path.includes('/roles/')) return method === 'POST' ? { token: 'role-token-value' } : {};
  if (path.startsWith('/api/v1/projects')) return project;
  if (path === '/api/v1/applications' && method === 'GET') return { items: [app] };
  if (path.endsWith('/spec')) return app.spec;
  if (path.endsWith('/resource-tree')) return { nodes: [] };
  if (path.endsWith('/managed-resources') || path.endsWith('/events')) return { items: [] };
  if (path.endsWith('/manifests')) return { manifests: [] };
  if (path.endsWith('/metadata')) return { author: 'a', message: 'm' };
  return app;
}

function respond(request: Recorded, response: ServerResponse): void {
  if (request.path === '/api/v1/stream/applications') {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(`data: ${JSON.stringify({ result: { type: 'ADDED', application: app } })} \n\n`);
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(cannedBody(request)));
}

describe('contract: every request the client makes matches the Argo CD swagger', () => {
  const recorded: Recorded[] = [];
  let server: Server;
  let client: ArgoCDClient;

  beforeAll(async () => {
    server = createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const text = Buffer.concat(chunks).toString('utf8');
        const entry: Recorded = {
          method: request.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          body: text === '' ? undefined : JSON.parse(text),
          contentType: request.headers['content-type'],
        };
        recorded.push(entry);
        respond(entry, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    client = new ArgoCDClient({
      server: `http://127.0.0.1:${port}`,
      auth: { username: 'admin', password: 'contract-pass' },
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends only valid paths, methods, parameters and bodies', async () => {
    const scope = { project: 'default' };
    await client.session.login();
    await client.session.userInfo();
    await client.version();
    await client.settings();
    await client.repositories.create(
      { repo: REPO, username: 'u', password: 'p-secret' },
      { upsert: true, credsOnly: false },
    );
    await client.repositories.list({ repo: REPO, forceRefresh: true, appProject: 'default' });
    await client.repositories.get(REPO, { forceRefresh: true });
    await client.repositories.update({ repo: REPO, name: 'deploy' });
    await client.repositories.validateAccess(REPO, {
      username: 'u',
      password: 'p-secret',
      insecure: true,
      type: 'git',
    });
    await client.repositories.delete(REPO, { appProject: 'default' });
    await client.projects.create(
      { metadata: { name: 'team-a' }, spec: { sourceRepos: ['*'] } },
      { upsert: true },
    );
    const current = await client.projects.get('team-a');
    await client.projects.update(current);
    await client.projects.createRoleToken('team-a', 'ci', {
      expiresInSeconds: 60,
      description: 'd',
      id: 'x',
    });
    await client.projects.deleteRoleToken('team-a', 'ci', 1700000000, { id: 'x' });
    await client.projects.delete('team-a');
    await client.applications.create(
      { metadata: { name: 'web' }, spec: app.spec },
      { upsert: true, validate: false },
    );
    await client.applications.get('web', { ...scope, refresh: 'normal' });
    await client.applications.list({
      projects: ['default', 'other'],
      selector: 'team=a',
      repo: REPO,
      appNamespace: 'argocd',
    });
    await client.applications.listProjected(['metadata.name'], { projects: ['default'] });
    await client.applications.updateSpec('web', app.spec, { ...scope, validate: true });
    await client.applications.patch('web', { metadata: { labels: { a: 'b' } } }, scope);
    await client.applications.patch('web', [{ op: 'add', path: '/metadata/labels/a', value: 'b' }], scope);
    await client.applications.setHelmParameters('web', { 'image.tag': 'v2' }, scope);
    await client.applications.sync('web', {
      ...scope,
      revision: 'abc',
      revisions: ['abc'],
      sourcePositions: [1],
      prune: true,
      dryRun: true,
      strategy: 'hook',
      force: true,
      resources: [{ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'web' }],
      syncOptions: ['ServerSideApply=true'],
      retryStrategy: { limit: 2, refresh: true, backoff: { duration: '5s', factor: 2, maxDuration: '3m0s' } },
      infos: { run: '1' },
      manifests: ['{}'],
    });
    await client.applications.rollback('web', { ...scope, prune: true, dryRun: false });
    await client.applications.terminateOperation('web', scope);
    await client.applications.history('web', scope);
    await client.applications.resourceTree('web', scope);
    await client.applications.managedResources('web', scope);
    await client.applications.events('web', {
      ...scope,
      resourceName: 'x',
      resourceNamespace: 'y',
      resourceUID: 'z',
    });
    await client.applications.manifests('web', { ...scope, revision: 'abc', noCache: true });
    await client.applications.revisionMetadata('web', 'abc', { ...scope, sourceIndex: 0, versionId: 1 });
    for await (const event of client.applications.watch(
      { name: 'web', projects: ['default'], fields: ['result.type'] },
      { reconnect: false },
    )) {
      expect(event.type).toBe('ADDED');
    }
    await client.applications.wait('web', scope);
    await client.applications.delete('web', { ...scope, cascade: true, propagationPolicy: 'background' });
    await client.session.logout();

    const validator = createArgoCDSwaggerValidator({ rejectUnknownFields: true });
    const problems: string[] = [];
    for (const request of recorded) {
      const result = validator.validateRequest({
        method: request.method,
        path: request.path,
        query: request.query,
        body: request.body,
      });
      if (!result.valid) problems.push(`${request.method} ${request.path}: ${JSON.stringify(result.issues)}`);
      if (request.method !== 'GET' && request.contentType !== 'application/json') {
        problems.push(`${request.method} ${request.path}: content type ${request.contentType}`);
      }
    }
    expect(problems).toEqual([]);
    const covered = new Set(
      recorded.map(
        (request) => `${request.method} ${validator.matchOperation(request.method, request.path)?.path}`,
      ),
    );
    expect(covered.size).toBeGreaterThanOrEqual(28);
    // Repeated query parameters, not comma-joined.
    const listRequest = recorded.find(
      (request) => request.path === '/api/v1/applications' && request.query.has('selector'),
    );
    expect(listRequest?.query.getAll('projects')).toEqual(['default', 'other']);
    const syncRequest = recorded.find((request) => request.path.endsWith('/sync'));
    expect(syncRequest?.body).toMatchObject({
      syncOptions: { items: ['ServerSideApply=true'] },
      sourcePositions: [1],
      strategy: { hook: { force: true } },
    });
  });
});
