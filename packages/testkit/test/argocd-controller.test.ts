import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDEmulator } from '../src/argocd/index.js';
import { GitServer } from '../src/git/index.js';
import { application, call, eventually, login } from './argocd-test-helpers.js';

const VALUES_V1 = 'image:\n  repository: ghcr.io/org/web\n  tag: v1\nreplicaCount: 2\n';
const VALUES_V2 = 'image:\n  repository: ghcr.io/org/web\n  tag: v2\nreplicaCount: 2\n';
const INGRESS_HEALTH_LUA = 'hs = {}\nhs.status = "Healthy"\nhs.message = "customised"\nreturn hs\n';

interface AppView {
  operation?: unknown;
  status?: {
    sync?: { status: string; revision?: string };
    health?: { status: string };
    reconciledAt?: string;
    operationState?: {
      phase: string;
      message?: string;
      finishedAt?: string;
      syncResult?: { revision: string; resources?: Array<{ kind: string; status: string }> };
    };
    history?: Array<{ id: number; revision: string; deployedAt: string; source?: { repoURL?: string } }>;
    resources?: Array<{ kind: string; status: string; health?: { status: string; message?: string } }>;
  };
}

describe('ArgoCDEmulator controller against a real git server', { timeout: 45_000 }, () => {
  let git: GitServer;
  let emulator: ArgoCDEmulator;
  let token: string;
  let repoURL: string;
  let firstSha: string;

  const view = (name: string) => emulator.getApplication(name) as AppView | undefined;
  const operationDone = (name: string, revision?: string) => () => {
    const status = view(name)?.status;
    const state = status?.operationState;
    return (
      !view(name)?.operation &&
      state?.finishedAt !== undefined &&
      status?.reconciledAt !== undefined &&
      status.reconciledAt >= state.finishedAt &&
      (revision === undefined || state.syncResult?.revision === revision) &&
      state
    );
  };

  beforeAll(async () => {
    git = await GitServer.start({ auth: { username: 'git', password: 'git-canary-password' } });
    const created = await git.createRepo('deploy', { 'helm/my-values.yaml': VALUES_V1 });
    repoURL = created.url;
    firstSha = created.head;
    emulator = await ArgoCDEmulator.start({ reconciliationIntervalMs: 100, syncDurationMs: 80 });
    token = await login(emulator);
    const repository = await call(emulator, 'POST', '/api/v1/repositories', {
      token,
      body: { repo: repoURL, username: 'git', password: 'git-canary-password' },
    });
    expect(repository.status).toBe(200);
  });
  afterAll(async () => {
    await emulator?.stop();
    await git?.stop();
  });

  it('resolves the branch with git, syncs Running → Succeeded, records history and deploys the image from the values file', async () => {
    expect(
      (await call(emulator, 'POST', '/api/v1/applications', { token, body: application('web', repoURL) }))
        .status,
    ).toBe(200);
    await eventually(
      () => view('web')?.status?.sync?.revision === firstSha && view('web'),
      10_000,
      'first comparison',
    );
    expect(view('web')?.status?.sync?.status).toBe('OutOfSync');
    expect(view('web')?.status?.health?.status).toBe('Missing');

    const sync = await call(emulator, 'POST', '/api/v1/applications/web/sync', {
      token,
      body: {
        prune: true,
        infos: [{ name: 'request', value: 'r-1' }],
        syncOptions: { items: ['ServerSideApply=true'] },
      },
    });
    expect(sync.status).toBe(200);
    expect(sync.json).toMatchObject({
      operation: {
        sync: { revision: 'main', prune: true, syncOptions: ['ServerSideApply=true'] },
        info: [{ name: 'request', value: 'r-1' }],
        initiatedBy: { username: 'admin' },
      },
    });
    await eventually(() => view('web')?.status?.operationState?.phase === 'Running', 10_000, 'Running');
    const state = await eventually(operationDone('web', firstSha), 10_000, 'operation done');
    expect(state.phase).toBe('Succeeded');
    expect(view('web')?.status?.sync?.status).toBe('Synced');
    expect(view('web')?.status?.history).toEqual([
      expect.objectContaining({ id: 0, revision: firstSha, source: expect.objectContaining({ repoURL }) }),
    ]);

    const tree = await call(emulator, 'GET', '/api/v1/applications/web/resource-tree', { token });
    const nodes = (tree.json as { nodes: Array<{ kind: string; images?: string[]; parentRefs?: unknown[] }> })
      .nodes;
    expect(nodes.find((node) => node.kind === 'Deployment')?.images).toEqual(['ghcr.io/org/web:v1']);
    expect(nodes.filter((node) => node.kind === 'Pod')).toHaveLength(2);
    expect(nodes.find((node) => node.kind === 'ReplicaSet')?.parentRefs).toHaveLength(1);
  });

  it('sees a new commit on refresh, syncs to it, and serves manifests, metadata, managed resources and events', async () => {
    const secondSha = await git.commit(
      'deploy',
      'main',
      { 'helm/my-values.yaml': VALUES_V2 },
      { message: 'bump web to v2' },
    );
    const refreshed = await call(emulator, 'GET', '/api/v1/applications/web?refresh=normal', { token });
    expect(refreshed.json).toMatchObject({ status: { sync: { status: 'OutOfSync', revision: secondSha } } });

    const manifests = await call(emulator, 'GET', `/api/v1/applications/web/manifests?revision=${firstSha}`, {
      token,
    });
    expect((manifests.json as { revision: string; manifests: string[] }).revision).toBe(firstSha);
    expect((manifests.json as { manifests: string[] }).manifests.join('\n')).toContain('ghcr.io/org/web:v1');
    const metadata = await call(emulator, 'GET', `/api/v1/applications/web/revisions/${secondSha}/metadata`, {
      token,
    });
    expect(metadata.json).toMatchObject({ message: 'bump web to v2' });

    await call(emulator, 'POST', '/api/v1/applications/web/sync', { token, body: {} });
    await eventually(operationDone('web', secondSha), 10_000, 'second sync');
    expect(view('web')?.status?.history?.map((entry) => entry.id)).toEqual([0, 1]);
    expect(emulator.liveObjects('web').find((object) => object.kind === 'Deployment')).toMatchObject({
      spec: { template: { spec: { containers: [{ image: 'ghcr.io/org/web:v2' }] } } },
    });
    const managed = await call(emulator, 'GET', '/api/v1/applications/web/managed-resources', { token });
    expect(
      (managed.json as { items: Array<{ kind: string; targetState: string }> }).items
        .map((item) => item.kind)
        .sort(),
    ).toEqual(['Deployment', 'Service']);
    const events = await call(emulator, 'GET', '/api/v1/applications/web/events', { token });
    expect(
      (events.json as { items: Array<{ reason: string }> }).items.map((event) => event.reason),
    ).toContain('OperationCompleted');
  });

  it('rolls back a manual-sync app to a history entry (default apply strategy)', async () => {
    const rollback = await call(emulator, 'POST', '/api/v1/applications/web/rollback', {
      token,
      body: { id: 0 },
    });
    expect(rollback.status).toBe(200);
    expect(rollback.json).toMatchObject({
      operation: { sync: { revision: firstSha, syncStrategy: { apply: { force: false } } } },
    });
    await eventually(operationDone('web', firstSha), 10_000, 'rollback');
    expect(view('web')?.status?.history?.map((entry) => entry.revision)).toEqual([
      firstSha,
      expect.any(String),
      firstSha,
    ]);
    expect(view('web')?.status?.sync?.status).toBe('OutOfSync');
    const missing = await call(emulator, 'POST', '/api/v1/applications/web/rollback', {
      token,
      body: { id: 42 },
    });
    expect((missing.json as { message: string }).message).toBe(
      'application web does not have deployment with id 42',
    );
  });

  it('auto-syncs new revisions on its own and refuses rollback while auto-sync is on', async () => {
    emulator.seedApplication(application('auto', repoURL, { autoSync: true }));
    const head = (await git.headOf('deploy', 'main')) as string;
    await eventually(() => operationDone('auto', head)(), 10_000, 'initial auto-sync');
    expect(emulator.getApplication('auto')?.status?.operationState?.operation.initiatedBy).toEqual({
      automated: true,
    });
    const third = await git.commit(
      'deploy',
      'main',
      { 'helm/my-values.yaml': VALUES_V1.replace('v1', 'v3') },
      { message: 'v3' },
    );
    await eventually(() => operationDone('auto', third)(), 10_000, 'auto-sync of the new commit');
    expect(view('auto')?.status?.history?.at(-1)?.revision).toBe(third);
    const refused = await call(emulator, 'POST', '/api/v1/applications/auto/rollback', {
      token,
      body: { id: 0 },
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      code: 9,
      message: 'rollback cannot be initiated when auto-sync is enabled',
    });
    const otherRevision = await call(emulator, 'POST', '/api/v1/applications/auto/sync', {
      token,
      body: { revision: firstSha },
    });
    expect((otherRevision.json as { message: string }).message).toBe(
      `Cannot sync to ${firstSha}: auto-sync currently set to main`,
    );
  });

  it('answers "another operation is already in progress" and terminates a running operation', async () => {
    emulator.startOperation('web');
    const busy = await call(emulator, 'POST', '/api/v1/applications/web/sync', { token, body: {} });
    expect(busy.status).toBe(400);
    expect(busy.json).toEqual({
      error: 'another operation is already in progress',
      code: 9,
      message: 'another operation is already in progress',
      details: [],
    });
    expect((await call(emulator, 'DELETE', '/api/v1/applications/web/operation', { token })).status).toBe(
      200,
    );
    const state = await eventually(operationDone('web'), 10_000, 'termination');
    expect(state).toMatchObject({ phase: 'Failed', message: 'Operation terminated' });
    const none = await call(emulator, 'DELETE', '/api/v1/applications/web/operation', { token });
    expect((none.json as { message: string }).message).toBe(
      'Unable to terminate operation. No operation is in progress',
    );
  });

  it('reports a scripted sync failure as phase Failed with the resource SyncFailed and no history entry', async () => {
    const before = view('web')?.status?.history?.length;
    emulator.failNextSync('web', 'admission webhook denied the request');
    await call(emulator, 'POST', '/api/v1/applications/web/sync', { token, body: {} });
    const state = await eventually(operationDone('web'), 10_000, 'failed sync');
    expect(state.phase).toBe('Failed');
    expect(state.message).toBe(
      'one or more objects failed to apply, reason: admission webhook denied the request',
    );
    expect(state.syncResult?.resources?.some((resource) => resource.status === 'SyncFailed')).toBe(true);
    expect(view('web')?.status?.history?.length).toBe(before);
  });
});

describe('ArgoCDEmulator scripted health', () => {
  let emulator: ArgoCDEmulator;
  const repoURL = 'https://git.example.invalid/org/health.git';

  beforeAll(async () => {
    emulator = await ArgoCDEmulator.start({ reconciliationIntervalMs: 0, syncDurationMs: 20 });
    emulator.seedRepositoryCommit(repoURL, {
      files: { 'helm/my-values.yaml': 'image: {repository: web, tag: v1}\ningress: {enabled: true}\n' },
    });
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('keeps a Deployment Progressing for the scripted time, then Degraded', async () => {
    emulator.scriptHealth({ app: 'rollout', kind: 'Deployment' }, [
      { status: 'Progressing', forMs: 300 },
      { status: 'Degraded' },
    ]);
    emulator.scriptHealth({ app: 'rollout', kind: 'Ingress' }, [{ status: 'Healthy' }]);
    emulator.seedApplication(application('rollout', repoURL));
    const token = await login(emulator);
    await eventually(() => emulator.getApplication('rollout')?.status?.sync, 10_000, 'comparison');
    await call(emulator, 'POST', '/api/v1/applications/rollout/sync', { token, body: {} });
    await eventually(
      () => emulator.getApplication('rollout')?.status?.health?.status === 'Progressing',
      10_000,
      'Progressing',
    );
    const degraded = await eventually(
      () => {
        const resource = emulator
          .getApplication('rollout')
          ?.status?.resources?.find((r) => r.kind === 'Deployment');
        return resource?.health?.status === 'Degraded' && resource;
      },
      3_000,
      'Degraded',
    );
    expect(degraded.health?.message).toContain('exceeded its progress deadline');
    expect(emulator.getApplication('rollout')?.status?.health?.status).toBe('Degraded');
  });

  it('leaves an Ingress without an address Progressing until argocd-cm customises its health', async () => {
    emulator.seedApplication(application('stuck', repoURL));
    const token = await login(emulator);
    await eventually(() => emulator.getApplication('stuck')?.status?.sync, 10_000, 'comparison');
    await call(emulator, 'POST', '/api/v1/applications/stuck/sync', { token, body: {} });
    const ingress = () =>
      emulator.getApplication('stuck')?.status?.resources?.find((r) => r.kind === 'Ingress');
    await eventually(() => ingress()?.health?.status === 'Progressing', 10_000, 'Ingress Progressing');
    expect(emulator.getApplication('stuck')?.status?.health?.status).toBe('Progressing');
    emulator.setArgoCDConfigMap({
      'resource.customizations.health.networking.k8s.io_Ingress': INGRESS_HEALTH_LUA,
    });
    await eventually(() => ingress()?.health?.status === 'Healthy', 10_000, 'Ingress Healthy');
    expect(ingress()?.health?.message).toBe('customised');
    expect(emulator.getApplication('stuck')?.status?.health?.status).toBe('Healthy');
    const settings = await call(emulator, 'GET', '/api/v1/settings', { token });
    expect(settings.json).toMatchObject({
      resourceOverrides: { 'networking.k8s.io/Ingress': { 'health.lua': INGRESS_HEALTH_LUA } },
    });
  });
});

describe('ArgoCDEmulator reconcile after an operation', () => {
  it('stores the finished operation with fresh sync status first, and moves reconciledAt past finishedAt only on the next reconcile', async () => {
    let nowMs = Date.parse('2026-01-01T00:00:00Z');
    const emulator = await ArgoCDEmulator.start({
      clock: () => nowMs,
      reconciliationIntervalMs: 0,
      syncDurationMs: 10,
      reconcileAfterOperationMs: 400,
    });
    try {
      const repoURL = 'https://git.example.invalid/org/clock.git';
      emulator.seedRepositoryCommit(repoURL, {
        files: { 'helm/my-values.yaml': 'image: {repository: web, tag: v1}\n' },
      });
      emulator.seedApplication(application('timed', repoURL));
      await emulator.refresh('timed');
      expect(emulator.getApplication('timed')?.status?.reconciledAt).toBe('2026-01-01T00:00:00Z');
      nowMs += 5_000;
      const token = await login(emulator);
      await call(emulator, 'POST', '/api/v1/applications/timed/sync', { token, body: {} });
      const finished = await eventually(
        () => {
          const app = emulator.getApplication('timed');
          return app?.status?.operationState?.finishedAt !== undefined && !app.operation && app;
        },
        10_000,
        'finished operation',
      );
      expect(finished.status?.operationState?.finishedAt).toBe('2026-01-01T00:00:05Z');
      expect(finished.status?.reconciledAt).toBe('2026-01-01T00:00:00Z');
      expect(finished.status?.sync?.status).toBe('Synced');
      nowMs += 1_000;
      await eventually(
        () => emulator.getApplication('timed')?.status?.reconciledAt === '2026-01-01T00:00:06Z',
        10_000,
        'reconcile',
      );
    } finally {
      await emulator.stop();
    }
  });
});

describe('ArgoCDEmulator: revision resolution after an operation', { timeout: 45_000 }, () => {
  it('re-lists the refs after a sync someone started, reuses the cached listing after an automated one', async () => {
    const git = await GitServer.start({ auth: { username: 'git', password: 'after-sync-password' } });
    const emulator = await ArgoCDEmulator.start({
      syncDurationMs: 10,
      reconcileAfterOperationMs: 0,
      reconciliationIntervalMs: 0,
      revisionCacheMs: 600_000,
    });
    try {
      const repo = await git.createRepo('deploy', { 'helm/my-values.yaml': VALUES_V1 });
      emulator.seedRepository({ repo: repo.url, username: 'git', password: 'after-sync-password' });
      const token = await login(emulator);
      const listings = () => git.countRequests({ phase: 'advertisement', service: 'git-upload-pack' });
      const settled = (name: string) => () => {
        const status = emulator.getApplication(name)?.status as AppView['status'];
        const finishedAt = status?.operationState?.finishedAt;
        return (
          finishedAt !== undefined &&
          status?.reconciledAt !== undefined &&
          status.reconciledAt >= finishedAt &&
          !emulator.getApplication(name)?.operation
        );
      };

      expect(
        (
          await call(emulator, 'POST', '/api/v1/applications', {
            token,
            body: application('manual', repo.url),
          })
        ).status,
      ).toBe(200);
      await eventually(
        () => emulator.getApplication('manual')?.status?.sync?.revision === repo.head,
        10_000,
        'compared',
      );
      const beforeSync = listings();
      expect(
        (await call(emulator, 'POST', '/api/v1/applications/manual/sync', { token, body: {} })).status,
      ).toBe(200);
      await eventually(settled('manual'), 10_000, 'manual sync settled');
      // The sync itself resolves `main` (one listing), and the refresh after it forces another. (reconciledAt has
      // second precision, so "settled" can be true before that refresh ran: wait for it, then for quiet.)
      await eventually(() => listings() - beforeSync >= 2, 10_000, 'the forced listing after the sync');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(listings() - beforeSync).toBe(2);

      const beforeAuto = listings();
      expect(
        (
          await call(emulator, 'POST', '/api/v1/applications', {
            token,
            body: application('auto', repo.url, { autoSync: true }),
          })
        ).status,
      ).toBe(200);
      await eventually(settled('auto'), 10_000, 'automated sync settled');
      await eventually(
        () => (emulator.getApplication('auto')?.status?.history as unknown[] | undefined)?.length === 1,
        10_000,
        'automated sync recorded',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A new app's first comparison forces a listing (its source differs from the compared one); within
      // revisionCacheMs the automated operation and the reconcile after it reuse that listing.
      expect(listings() - beforeAuto).toBe(1);
    } finally {
      await emulator.stop();
      await git.stop();
    }
  });
});

describe('ArgoCDEmulator: multi-source applications', { timeout: 45_000 }, () => {
  it('renders the chart with values from a ref source, syncs revisions per source position and records them', async () => {
    const git = await GitServer.start({ auth: { username: 'git', password: 'multi-source-password' } });
    const emulator = await ArgoCDEmulator.start({ syncDurationMs: 10, reconciliationIntervalMs: 0 });
    try {
      const charts = await git.createRepo('charts', {
        'web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
        'web/values.yaml': 'image:\n  repository: ghcr.io/org/web\n  tag: latest\n',
      });
      const deploy = await git.createRepo('deploy', { 'envs/prod/values.yaml': 'image:\n  tag: v1\n' });
      for (const repo of [charts, deploy])
        emulator.seedRepository({ repo: repo.url, username: 'git', password: 'multi-source-password' });
      const token = await login(emulator);
      const body = {
        metadata: { name: 'multi' },
        spec: {
          project: 'default',
          sources: [
            {
              repoURL: charts.url,
              path: 'web',
              targetRevision: 'main',
              helm: { valueFiles: ['$values/envs/prod/values.yaml'] },
            },
            { repoURL: deploy.url, targetRevision: 'main', ref: 'values' },
          ],
          destination: { server: 'https://kubernetes.default.svc', namespace: 'multi' },
        },
      };
      expect((await call(emulator, 'POST', '/api/v1/applications', { token, body })).status).toBe(200);
      type MultiView = {
        status?: {
          sync?: { status: string; revision?: string; revisions?: string[] };
          operationState?: { phase: string; syncResult?: { revisions?: string[] } };
          history?: Array<{ revisions?: string[]; sources?: unknown[] }>;
          summary?: { images?: string[] };
        };
        operation?: unknown;
      };
      const view = () => emulator.getApplication('multi') as MultiView | undefined;
      await eventually(() => view()?.status?.sync?.revisions?.length === 2, 10_000, 'compared');
      expect(view()?.status?.sync?.revisions).toEqual([charts.head, deploy.head]);
      expect(view()?.status?.sync?.revision).toBeUndefined();

      const v2 = await git.commit('deploy', 'main', { 'envs/prod/values.yaml': 'image:\n  tag: v2\n' });
      const outOfRange = await call(emulator, 'POST', '/api/v1/applications/multi/sync', {
        token,
        body: { revisions: [v2], sourcePositions: [3] },
      });
      expect(outOfRange.status).toBe(400);
      expect(outOfRange.json).toMatchObject({ message: 'source position is out of range' });

      const sync = await call(emulator, 'POST', '/api/v1/applications/multi/sync', {
        token,
        body: { revision: 'ignored-for-multi-source', revisions: [v2], sourcePositions: [2] },
      });
      expect(sync.status).toBe(200);
      expect(sync.json).toMatchObject({ operation: { sync: { revisions: ['main', v2] } } });
      await eventually(
        () => view()?.status?.operationState?.phase === 'Succeeded' && !view()?.operation,
        10_000,
        'sync done',
      );
      expect(view()?.status?.operationState?.syncResult?.revisions).toEqual([charts.head, v2]);
      expect(view()?.status?.history?.at(-1)?.revisions).toEqual([charts.head, v2]);
      expect(view()?.status?.history?.at(-1)?.sources).toHaveLength(2);
      const deployment = emulator.liveObjects('multi').find((object) => object.kind === 'Deployment');
      expect(JSON.stringify(deployment)).toContain('ghcr.io/org/web:v2');
    } finally {
      await emulator.stop();
      await git.stop();
    }
  });
});
