import { ValidationError } from '@gitops-kit/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApplicationWatchEvent, ArgoCDApiError } from '../src/index.js';
import { type Fixture, REPO_URL, startFixture } from './helpers.js';

function newApp(name: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name, labels: { team: 'payments' } },
    spec: {
      project: 'default',
      source: {
        repoURL: REPO_URL,
        path: 'helm',
        targetRevision: 'main',
        helm: { valueFiles: ['my-values.yaml'] },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
      ...extra,
    },
  };
}

describe('applications against the emulator', () => {
  let fixture: Fixture;
  beforeEach(async () => {
    fixture = await startFixture();
  });
  afterEach(async () => {
    await fixture.close();
  });

  it('creates (idempotent, upsert), lists with filters and projections, updates, patches and deletes', async () => {
    const { client } = fixture;
    const created = await client.applications.create(newApp('api'));
    expect(created.metadata.name).toBe('api');
    await client.applications.create(newApp('api')); // identical spec: idempotent
    const changed = newApp('api', { revisionHistoryLimit: 3 });
    const refused = await client.applications.create(changed).catch((error: unknown) => error);
    expect((refused as ArgoCDApiError).status).toBe(400);
    await client.applications.create(changed, { upsert: true });

    expect((await client.applications.list()).map((app) => app.metadata.name).sort()).toEqual(['api', 'web']);
    expect(
      (await client.applications.list({ selector: 'team=payments' })).map((app) => app.metadata.name),
    ).toEqual(['api']);
    expect(await client.applications.list({ projects: ['other'] })).toEqual([]);
    const projected = await client.applications.listProjected(['metadata.name', 'status.sync.status']);
    expect(projected.map((app) => app.metadata?.name).sort()).toEqual(['api', 'web']);
    expect(projected.every((app) => app.spec === undefined)).toBe(true);

    const spec = await client.applications.updateSpec('api', { ...changed.spec, revisionHistoryLimit: 5 });
    expect((spec as Record<string, unknown>).revisionHistoryLimit).toBe(5);
    const merged = await client.applications.patch('api', { metadata: { labels: { team: 'core' } } });
    expect(merged.metadata.labels?.team).toBe('core');
    const patched = await client.applications.patch('api', [
      { op: 'replace', path: '/spec/source/targetRevision', value: 'release' },
    ]);
    expect(patched.spec?.source?.targetRevision).toBe('release');

    await client.applications.delete('api', { cascade: true, propagationPolicy: 'foreground' });
    const gone = await client.applications.get('api').catch((error: unknown) => error);
    expect(ArgoCDApiError.isInstance(gone) && gone.isNotFound()).toBe(true);
  });

  it('reports a missing app as not found, with and without project', async () => {
    const { client } = fixture;
    const withoutProject = (await client.applications
      .get('nope')
      .catch((error: unknown) => error)) as ArgoCDApiError;
    expect(withoutProject.status).toBe(403);
    expect(withoutProject.isNotFound()).toBe(true);
    expect(withoutProject.isPermissionDenied()).toBe(true);
    const withProject = (await client.applications
      .get('nope', { project: 'default' })
      .catch((error: unknown) => error)) as ArgoCDApiError;
    expect(withProject.status).toBe(404);
    expect(withProject.isNotFound()).toBe(true);
    expect(withProject.grpcCodeName).toBe('NotFound');
    // `web` was read before, so its project is remembered and sent.
    await client.applications.get('web');
    await client.applications.get('web');
    expect(fixture.emulator.requests.at(-1)?.query).toContain('project=default');
  });

  it('rejects invalid names before sending anything', async () => {
    const before = fixture.emulator.requests.length;
    for (const name of [
      '',
      '..',
      'a/b/c',
      'name?x=1',
      '%2F',
      'with space',
      'Upper',
      'x'.repeat(254),
      'héllo',
    ]) {
      await expect(fixture.client.applications.get(name)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(fixture.emulator.requests.length).toBe(before);
  });

  it('sets Helm parameters like `argocd app set -p`', async () => {
    const { client } = fixture;
    await client.applications.setHelmParameters('web', { 'image.tag': '1.26', replicaCount: '2' });
    const app = await client.applications.setHelmParameters('web', [
      { name: 'image.tag', value: '1.27', forceString: true },
    ]);
    expect(app.spec?.source?.helm?.parameters).toEqual([
      { name: 'image.tag', value: '1.27', forceString: true },
      { name: 'replicaCount', value: '2' },
    ]);
    expect(app.spec?.source?.helm?.valueFiles).toEqual(['my-values.yaml']);
  });

  it('syncs with every option, keeps history, rolls back to the previous entry and terminates', async () => {
    const { client, emulator, sha } = fixture;
    await client.applications.sync('web', {
      revision: sha,
      prune: true,
      strategy: 'apply',
      force: false,
      syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'],
      retryStrategy: { limit: 2, backoff: { duration: '5s', factor: 2, maxDuration: '3m0s' } },
      infos: { 'ci-run': '42' },
    });
    await client.applications.wait('web', { timeoutMs: 10_000 });
    const next = emulator.seedRepositoryCommit(REPO_URL, {
      files: { 'helm/my-values.yaml': 'image:\n  tag: "1.26"\n' },
    });
    await client.applications.sync('web', { revision: next, strategy: 'hook' });
    await client.applications.wait('web', { timeoutMs: 10_000, expectRevision: next });
    const history = await client.applications.history('web');
    expect(history.map((entry) => entry.revision)).toEqual([sha, next]);

    await client.applications.rollback('web');
    // After a rollback the app is OutOfSync with its target (main = next) by design: wait for the operation only.
    const rolledBack = await client.applications.wait('web', {
      conditions: ['operation', 'health'],
      timeoutMs: 10_000,
    });
    expect(rolledBack.application.status?.operationState?.syncResult?.revision).toBe(sha);

    await client.applications.sync('web', {
      dryRun: true,
      resources: [{ group: 'apps', kind: 'Deployment', name: 'web', namespace: 'web' }],
    });
    await client.applications.wait('web', { conditions: ['operation'], timeoutMs: 10_000 });
    emulator.setNextOperationDuration('web', 60_000);
    await client.applications.sync('web');
    await client.applications.terminateOperation('web');
    const terminated = await client.applications.wait('web', {
      conditions: ['operation'],
      timeoutMs: 10_000,
      failOnOperationFailure: false,
    });
    expect(terminated.application.status?.operationState?.phase).not.toBe('Succeeded');
    const noOperation = (await client.applications
      .terminateOperation('web')
      .catch((error: unknown) => error)) as ArgoCDApiError;
    expect(noOperation.status).toBe(400);
  });

  it('reads the tree, managed resources, events, manifests and revision metadata', async () => {
    const { client, sha } = fixture;
    await client.applications.sync('web');
    await client.applications.wait('web', { timeoutMs: 10_000 });
    const tree = await client.applications.resourceTree('web');
    expect(tree.nodes?.some((node) => node.kind === 'Deployment' && node.health?.status === 'Healthy')).toBe(
      true,
    );
    const managed = await client.applications.managedResources('web');
    expect(managed.items?.length).toBeGreaterThan(0);
    const events = await client.applications.events('web');
    expect(Array.isArray(events.items ?? [])).toBe(true);
    const manifests = await client.applications.manifests('web', { revision: sha });
    expect(manifests.manifests?.some((manifest) => manifest.includes('nginx'))).toBe(true);
    const metadata = await client.applications.revisionMetadata('web', sha);
    expect(metadata.message).toBeTruthy();
    const explanation = await client.applications.explainHealth('web');
    expect(explanation.applicationHealth).toBe('Healthy');
    expect(explanation.holdingBack).toEqual([]);
  });

  it('explains an Ingress stuck without a load-balancer address', async () => {
    const { client, emulator } = fixture;
    emulator.scriptHealth({ app: 'web', kind: 'Ingress' }, [{ status: 'Progressing' }]);
    emulator.scriptHealth({ app: 'web', kind: 'Deployment' }, [{ status: 'Healthy' }]);
    const ingressApp = newApp('edge');
    await client.applications.create(ingressApp);
    await client.applications.setHelmParameters('edge', {
      'ingress.enabled': 'true',
      'ingress.host': 'edge.example.com',
    });
    await client.applications.sync('edge');
    await client.applications.wait('edge', { conditions: ['operation'], timeoutMs: 10_000 });
    const explanation = await client.applications.explainHealth('edge');
    const ingress = explanation.knownCauses.find(
      (cause) => cause.cause === 'ingress-without-load-balancer-address',
    );
    expect(ingress?.argocdCmKey).toBe('resource.customizations.health.networking.k8s.io_Ingress');
    expect(explanation.holdingBack[0]?.kind).toBe('Ingress');
  });

  it('watches one app and sees the change a sync makes', async () => {
    const { client } = fixture;
    const controller = new AbortController();
    const events: ApplicationWatchEvent[] = [];
    const watching = (async () => {
      for await (const event of client.applications.watch({ name: 'web' }, { signal: controller.signal })) {
        events.push(event);
        if (event.application.status?.operationState?.phase === 'Succeeded') controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.applications.sync('web');
    await Promise.race([watching, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    controller.abort();
    expect(events[0]?.type).toBe('ADDED');
    expect(events.some((event) => event.type === 'MODIFIED')).toBe(true);
  });

  it('keeps watching across dropped streams, resuming from the last resourceVersion', async () => {
    const { client, emulator } = fixture;
    emulator.addFault({
      kind: 'stream-drop',
      afterEvents: 1,
      times: 3,
      match: { path: '/api/v1/stream/applications' },
    });
    const controller = new AbortController();
    const connects: number[] = [];
    const events: ApplicationWatchEvent[] = [];
    const watching = (async () => {
      for await (const event of client.applications.watch(
        { name: 'web' },
        {
          signal: controller.signal,
          backoff: { baseDelayMs: 10, maxDelayMs: 20 },
          onConnect: (attempt) => connects.push(attempt),
        },
      )) {
        events.push(event);
        if (event.application.status?.operationState?.phase === 'Succeeded') controller.abort();
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.applications.sync('web');
    await Promise.race([watching, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    controller.abort();
    expect(connects.length).toBeGreaterThan(1);
    expect(events.at(-1)?.application.status?.operationState?.phase).toBe('Succeeded');
    const resumed = emulator.requests
      .filter((request) => request.path === '/api/v1/stream/applications')
      .slice(1);
    expect(resumed.every((request) => request.query.includes('resourceVersion='))).toBe(true);
  });
});
