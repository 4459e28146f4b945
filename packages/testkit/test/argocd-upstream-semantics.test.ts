import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDEmulator, ArgoCDEmulatorError } from '../src/argocd/index.js';
import { call, eventually } from './argocd-test-helpers.js';

/**
 * Request semantics third-party clients rely on, each matched to the upstream code that defines it (argoproj/argo-cd
 * master): project destination matching, Go's JSON null handling, what create stores, and validation rules.
 */

const REPO = 'https://git.example/semantics.git';

function app(name: string, destination: Record<string, string>, project = 'default') {
  return {
    metadata: { name },
    spec: { project, source: { repoURL: REPO, path: 'helm', targetRevision: 'main' }, destination },
  };
}

describe('Argo CD emulator: upstream request semantics', () => {
  let emulator: ArgoCDEmulator;
  let token: string;
  beforeAll(async () => {
    emulator = await ArgoCDEmulator.start({ reconciliationIntervalMs: 0, syncDurationMs: 10 });
    emulator.seedRepositoryCommit(REPO, { files: { 'helm/values.yaml': 'image: {tag: v1}\n' } });
    token = emulator.issueToken();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('matches a project destination listing name and server when either matches (AppProject.isDestinationMatched)', async () => {
    emulator.seedProject({
      metadata: { name: 'both' },
      spec: {
        sourceRepos: ['*'],
        // The server pattern does not match in-cluster; the name does: Argo CD ORs them.
        destinations: [{ name: 'in-cluster', server: 'https://other.example', namespace: 'team-*' }],
      },
    });
    const byServer = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('by-server', { server: 'https://kubernetes.default.svc', namespace: 'team-a' }, 'both'),
    });
    expect(byServer.status).toBe(200);
    const byName = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('by-name', { name: 'in-cluster', namespace: 'team-b' }, 'both'),
    });
    expect(byName.status).toBe(200);
    // The namespace glob still applies.
    const wrongNamespace = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('other-namespace', { name: 'in-cluster', namespace: 'kube-system' }, 'both'),
    });
    expect(wrongNamespace.status).toBe(400);
    expect(wrongNamespace.json).toMatchObject({
      code: 3,
      message:
        "application spec for other-namespace is invalid: InvalidSpecError: application destination server 'in-cluster' and namespace 'kube-system' do not match any of the allowed destinations in project 'both'",
    });
  });

  it('honours deny patterns in project destinations and source repositories', async () => {
    emulator.seedProject({
      metadata: { name: 'deny' },
      spec: {
        sourceRepos: ['*', '!https://git.example/forbidden*'],
        destinations: [{ server: '*', namespace: '!kube-system' }],
      },
    });
    const allowed = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('deny-ok', { server: 'https://kubernetes.default.svc', namespace: 'web' }, 'deny'),
    });
    expect(allowed.status).toBe(200);
    const denied = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('deny-ns', { server: 'https://kubernetes.default.svc', namespace: 'kube-system' }, 'deny'),
    });
    expect(denied.status).toBe(400);
    const deniedRepo = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: {
        ...app('deny-repo', { server: 'https://kubernetes.default.svc', namespace: 'web' }, 'deny'),
        spec: {
          project: 'deny',
          source: { repoURL: 'https://git.example/forbidden.git', path: '.' },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
        },
      },
    });
    expect((deniedRepo.json as { message: string }).message).toContain(
      "application repo https://git.example/forbidden.git is not permitted in project 'deny'",
    );
  });

  it('checks project permissions and the destination cluster even with validate=false (util/argo ValidatePermissions)', async () => {
    emulator.seedProject({
      metadata: { name: 'narrow' },
      spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: 'only-here' }] },
    });
    const outside = await call(emulator, 'POST', '/api/v1/applications?validate=false', {
      token,
      body: app('narrow-app', { server: 'https://kubernetes.default.svc', namespace: 'elsewhere' }, 'narrow'),
    });
    expect(outside.status).toBe(400);
    const unknownCluster = await call(emulator, 'POST', '/api/v1/applications?validate=false', {
      token,
      body: app('ghost-cluster', { server: 'https://ghost.example', namespace: 'web' }),
    });
    expect(unknownCluster.status).toBe(400);
    expect((unknownCluster.json as { message: string }).message).toBe(
      'application destination spec for ghost-cluster is invalid: error getting cluster by server "https://ghost.example": rpc error: code = NotFound desc = cluster "https://ghost.example" not found',
    );
    const both = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('both-set', {
        server: 'https://kubernetes.default.svc',
        name: 'in-cluster',
        namespace: 'web',
      }),
    });
    expect((both.json as { message: string }).message).toBe(
      "application destination spec for both-set is invalid: application destination can't have both name and server defined: in-cluster https://kubernetes.default.svc",
    );
    emulator.seedCluster({ server: 'https://staging.example:6443', name: 'staging' });
    const seeded = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('on-staging', { name: 'staging', namespace: 'web' }),
    });
    expect(seeded.status).toBe(200);
  });

  it('treats JSON null in a body as an absent field (Go encoding/json)', async () => {
    const created = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: {
        metadata: { name: 'nulls', labels: { team: null, tier: 'web' }, annotations: null, finalizers: null },
        spec: {
          project: null,
          source: { repoURL: REPO, path: 'helm', targetRevision: 'main', helm: null },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'web', name: null },
          syncPolicy: null,
        },
        operation: null,
      },
    });
    expect(created.status).toBe(200);
    // A null map value still creates the key, with the zero value (encoding/json into map[string]string).
    expect(created.json).toMatchObject({ metadata: { labels: { team: '', tier: 'web' } } });
    expect((created.json as { spec: Record<string, unknown> }).spec).not.toHaveProperty('syncPolicy');
    await emulator.refresh('nulls');
    const synced = await call(emulator, 'POST', '/api/v1/applications/nulls/sync', {
      token,
      body: { resources: null, prune: null, dryRun: null, revision: null, syncOptions: null, strategy: null },
    });
    expect(synced.status).toBe(200);
    expect((synced.json as { operation: { sync: Record<string, unknown> } }).operation.sync).toEqual({
      revision: 'main',
    });
    await eventually(() => !emulator.getApplication('nulls')?.operation, 10_000, 'the sync to finish');
    // A null body decodes to an empty request.
    const nullBody = await call(emulator, 'POST', '/api/v1/applications/nulls/sync', { token, body: null });
    expect(nullBody.status).toBe(200);
  });

  it('stores and returns the posted project as it was sent (ProjectService.Create)', async () => {
    const posted = {
      metadata: {
        name: 'full',
        labels: { team: 'payments' },
        annotations: { 'example.com/owner': 'alice' },
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: { description: 'kept', sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] },
    };
    const created = await call(emulator, 'POST', '/api/v1/projects', { token, body: { project: posted } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject(posted);
    expect(emulator.getProject('full')?.metadata).toMatchObject(posted.metadata);
    const read = await call(emulator, 'GET', '/api/v1/projects/full', { token });
    expect(read.json).toMatchObject(posted);
  });

  it('merges labels and annotations on create with upsert, as updateApp(merge=true) does', async () => {
    const first = app('merge', { server: 'https://kubernetes.default.svc', namespace: 'web' });
    await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: { ...first, metadata: { name: 'merge', labels: { a: '1' }, annotations: { x: 'kept' } } },
    });
    const upserted = await call(emulator, 'POST', '/api/v1/applications?upsert=true', {
      token,
      body: { ...first, metadata: { name: 'merge', labels: { b: '2' } } },
    });
    expect(upserted.status).toBe(200);
    expect(upserted.json).toMatchObject({
      metadata: { labels: { a: '1', b: '2' }, annotations: { x: 'kept' } },
    });
  });

  it('refuses apps outside the server namespace the way isNamespaceEnabled does', async () => {
    const get = await call(emulator, 'GET', '/api/v1/applications/merge?appNamespace=team-apps', { token });
    expect(get.status).toBe(403);
    expect(get.json).toMatchObject({ code: 7, message: 'permission denied' });
    const same = await call(emulator, 'GET', '/api/v1/applications/merge?appNamespace=argocd', { token });
    expect(same.status).toBe(200);
    const create = await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: {
        ...app('elsewhere', { server: 'https://kubernetes.default.svc', namespace: 'web' }),
        metadata: { name: 'elsewhere', namespace: 'team-apps' },
      },
    });
    expect(create.status).toBe(500);
    expect(create.json).toMatchObject({ code: 2, message: "namespace 'team-apps' is not permitted" });
  });

  it('accepts a propagation policy in any case (getPropagationPolicyFinalizer lower-cases it)', async () => {
    await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: app('to-delete', { server: 'https://kubernetes.default.svc', namespace: 'web' }),
    });
    const deleted = await call(
      emulator,
      'DELETE',
      '/api/v1/applications/to-delete?propagationPolicy=Background',
      {
        token,
      },
    );
    expect(deleted.status).toBe(200);
    await eventually(() => emulator.getApplication('to-delete') === undefined, 10_000, 'the app to go');
    const invalid = await call(emulator, 'DELETE', '/api/v1/applications/merge?propagationPolicy=Sideways', {
      token,
    });
    expect(invalid.json).toMatchObject({ code: 3, message: 'invalid propagation policy: Sideways' });
  });

  it('gets clusters by server (URL-encoded) or by name with id.type, 403 for an unknown one', async () => {
    const byServer = await call(
      emulator,
      'GET',
      `/api/v1/clusters/${encodeURIComponent('https://kubernetes.default.svc')}`,
      {
        token,
      },
    );
    expect(byServer.json).toMatchObject({ name: 'in-cluster', server: 'https://kubernetes.default.svc' });
    const byName = await call(emulator, 'GET', '/api/v1/clusters/staging?id.type=name', { token });
    expect(byName.json).toMatchObject({ name: 'staging', server: 'https://staging.example:6443' });
    const listedById = await call(emulator, 'GET', '/api/v1/clusters?id.type=name&id.value=staging', {
      token,
    });
    expect((listedById.json as { items: Array<{ name: string }> }).items.map((item) => item.name)).toEqual([
      'staging',
    ]);
    const missing = await call(emulator, 'GET', '/api/v1/clusters/nope?id.type=name', { token });
    expect(missing.status).toBe(403);
    expect((missing.json as { code: number }).code).toBe(7);
  });

  it('replaces project metadata on update as a Kubernetes Update does (ProjectService.Update)', async () => {
    const current = (await call(emulator, 'GET', '/api/v1/projects/full', { token })).json as {
      metadata: { resourceVersion: string };
      spec: Record<string, unknown>;
    };
    const updated = await call(emulator, 'PUT', '/api/v1/projects/full', {
      token,
      body: {
        project: {
          metadata: {
            name: 'full',
            resourceVersion: current.metadata.resourceVersion,
            labels: { team: 'orders' },
          },
          spec: current.spec,
        },
      },
    });
    expect(updated.status).toBe(200);
    const metadata = (updated.json as { metadata: Record<string, unknown> }).metadata;
    expect(metadata.labels).toEqual({ team: 'orders' });
    expect(metadata).not.toHaveProperty('annotations');
    expect(metadata).not.toHaveProperty('finalizers');
  });

  it('counts an app with an empty project as in the default project (ApplicationSpec.GetProject)', async () => {
    await call(emulator, 'POST', '/api/v1/applications', {
      token,
      body: {
        ...app('no-project', { server: 'https://kubernetes.default.svc', namespace: 'web' }),
        spec: {
          ...app('x', { server: 'https://kubernetes.default.svc', namespace: 'web' }).spec,
          project: '',
        },
      },
    });
    const listed = await call(emulator, 'GET', '/api/v1/applications?projects=default&name=no-project', {
      token,
    });
    expect(
      (listed.json as { items: Array<{ metadata: { name: string } }> }).items.map(
        (item) => item.metadata.name,
      ),
    ).toEqual(['no-project']);
  });

  it('answers a repository create with repo, type and name only (server/repository CreateRepository)', async () => {
    const created = await call(emulator, 'POST', '/api/v1/repositories', {
      token,
      body: {
        repo: 'https://git.example/scoped.git',
        project: 'default',
        name: 'scoped',
        password: 'pw',
        username: 'u',
      },
    });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({ repo: 'https://git.example/scoped.git', type: 'git', name: 'scoped' });
  });

  it('refuses scripting misuse with a typed error', () => {
    expect(() => emulator.seedCluster({ server: 'prod-cluster' })).toThrow(ArgoCDEmulatorError);
    expect(() => emulator.writePodLogs('ghost', {}, ['x'])).toThrow(ArgoCDEmulatorError);
  });
});
