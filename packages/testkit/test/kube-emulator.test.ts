import { request as httpsRequest } from 'node:https';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { KubeEmulator, KubeEmulatorStatusError } from '../src/kube/index.js';
import { call, collectWatch, configMap, isFinished } from './kube-test-helpers.js';

const CONFIG_MAPS = '/api/v1/namespaces/default/configmaps';
const RUNS = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';

let kube: KubeEmulator;

beforeEach(async () => {
  kube = await KubeEmulator.start({ bookmarkIntervalMs: 100, watchHistoryLimit: 50 });
});

afterEach(async () => {
  await kube.stop();
});

describe('authentication', () => {
  it('answers 401 with a Status body without a valid token, and accepts added tokens', async () => {
    const missing = await call(kube, 'GET', CONFIG_MAPS, undefined, { authorization: '' });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
    expect((await call(kube, 'GET', CONFIG_MAPS, undefined, { authorization: 'Bearer wrong' })).status).toBe(
      401,
    );
    kube.acceptToken('rotated-token');
    expect(
      (await call(kube, 'GET', CONFIG_MAPS, undefined, { authorization: 'Bearer rotated-token' })).status,
    ).toBe(200);
    kube.revokeToken('rotated-token');
    expect(
      (await call(kube, 'GET', CONFIG_MAPS, undefined, { authorization: 'Bearer rotated-token' })).status,
    ).toBe(401);
    expect(kube.requests.at(-1)).toMatchObject({ verb: 'list', resource: 'configmaps', status: 401 });
    await call(kube, 'GET', `${CONFIG_MAPS}/x`, undefined, {
      'Impersonate-User': 'jane',
      'Impersonate-Group': 'devs',
    });
    expect(kube.requests.at(-1)).toMatchObject({
      verb: 'get',
      name: 'x',
      authentication: 'bearer',
      impersonation: { 'impersonate-user': 'jane', 'impersonate-group': 'devs' },
    });
    expect(JSON.stringify(kube.requests)).not.toContain(kube.token);
  });

  it('serves TLS with its own CA, accepts its client certificate and renders a matching kubeconfig', async () => {
    const secure = await KubeEmulator.start({ tls: true, clientCertificateAuth: true });
    try {
      expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const config = parse(secure.kubeconfig({ auth: 'client-certificate', namespace: 'ci' }));
      const cluster = config.clusters[0].cluster;
      expect(Buffer.from(cluster['certificate-authority-data'], 'base64').toString()).toBe(secure.ca);
      expect(config.contexts[0].context.namespace).toBe('ci');
      const user = config.users[0].user;
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpsRequest(`${secure.url}/api/v1/namespaces/ci/secrets`, {
          ca: secure.ca,
          cert: Buffer.from(user['client-certificate-data'], 'base64'),
          key: Buffer.from(user['client-key-data'], 'base64'),
        });
        request.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on('error', reject);
        request.end();
      });
      expect(status).toBe(200);
      expect(secure.requests.at(-1)?.authentication).toBe('client-certificate');
      const untrusted = new Promise((resolve, reject) => {
        const request = httpsRequest(`${secure.url}/version`, { ca: [] });
        request.on('response', resolve);
        request.on('error', reject);
        request.end();
      });
      await expect(untrusted).rejects.toThrow(/self-signed|unable to verify|certificate/i);
    } finally {
      await secure.stop();
    }
  });

  it('accepts basic auth when configured and renders it into the kubeconfig', async () => {
    const basic = await KubeEmulator.start({ basicAuth: { username: 'admin', password: 'hunter2-canary' } });
    try {
      const user = parse(basic.kubeconfig({ auth: 'basic' })).users[0].user;
      const authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
      expect((await call(basic, 'GET', CONFIG_MAPS, undefined, { authorization })).status).toBe(200);
      expect(basic.requests.at(-1)?.authentication).toBe('basic');
      expect(JSON.stringify(basic.requests)).not.toContain('hunter2-canary');
    } finally {
      await basic.stop();
    }
  });
});

describe('storage', () => {
  it('creates with generateName, uid, a global resourceVersion and creationTimestamp', async () => {
    const first = await call(kube, 'POST', CONFIG_MAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { generateName: 'cm-' },
    });
    expect(first.status).toBe(201);
    expect(first.body.metadata.name).toMatch(/^cm-[a-z0-9]{5}$/);
    expect(first.body.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.body.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const second = await call(kube, 'POST', RUNS, {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'r' },
      spec: { status: 'PipelineRunPending', pipelineRef: { name: 'none' } },
    });
    expect(Number(second.body.metadata.resourceVersion)).toBe(
      Number(first.body.metadata.resourceVersion) + 1,
    );
    expect(second.body.spec.timeouts.pipeline).toBe('1h0m0s');
  });

  it('answers Kubernetes Status errors: NotFound, AlreadyExists, Invalid with causes, Conflict', async () => {
    const missing = await call(kube, 'GET', `${CONFIG_MAPS}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({
      reason: 'NotFound',
      message: 'configmaps "nope" not found',
      details: { name: 'nope', kind: 'configmaps' },
    });
    await call(kube, 'POST', CONFIG_MAPS, configMap('a'));
    expect((await call(kube, 'POST', CONFIG_MAPS, configMap('a'))).body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
    const invalid = await call(kube, 'POST', CONFIG_MAPS, configMap('Bad_Name'));
    expect(invalid.status).toBe(422);
    expect(invalid.body.details.causes[0]).toMatchObject({
      reason: 'FieldValueInvalid',
      field: 'metadata.name',
    });
    const noName = await call(kube, 'POST', CONFIG_MAPS, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {},
    });
    expect(noName.body.details.causes[0]).toMatchObject({
      reason: 'FieldValueRequired',
      field: 'metadata.name',
    });
    const stale = await call(kube, 'PUT', `${CONFIG_MAPS}/a`, {
      ...configMap('a'),
      metadata: { name: 'a', resourceVersion: '1' },
    });
    expect(stale.body).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(() => kube.createObject(configMap('a'))).toThrow(KubeEmulatorStatusError);
  });

  it('filters by label selectors (=, !=, in, notin, exists, !exists) and field selectors', async () => {
    kube.apply([
      configMap('a', { app: 'web', tier: 'front' }),
      configMap('b', { app: 'api' }),
      configMap('c', {}),
    ]);
    const names = async (query: string): Promise<string[]> =>
      (await call(kube, 'GET', `${CONFIG_MAPS}?${query}`)).body.items.map(
        (item: { metadata: { name: string } }) => item.metadata.name,
      );
    expect(await names('labelSelector=app%3Dweb')).toEqual(['a']);
    expect(await names('labelSelector=app!%3Dweb')).toEqual(['b', 'c']);
    expect(await names('labelSelector=app%20in%20(web,api)')).toEqual(['a', 'b']);
    expect(await names('labelSelector=app%20notin%20(web)')).toEqual(['b', 'c']);
    expect(await names('labelSelector=tier')).toEqual(['a']);
    expect(await names('labelSelector=!app')).toEqual(['c']);
    expect(await names('labelSelector=app,!tier')).toEqual(['b']);
    expect(await names('fieldSelector=metadata.name%3Db')).toEqual(['b']);
    expect(await names('fieldSelector=metadata.name!%3Db,metadata.namespace%3Ddefault')).toEqual(['a', 'c']);
    const unsupported = await call(kube, 'GET', `${CONFIG_MAPS}?fieldSelector=spec.x%3D1`);
    expect(unsupported.body).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'field label not supported: spec.x',
    });
  });

  it('pages with limit and continue, and expires an old continue token with 410', async () => {
    kube.apply(['a', 'b', 'c', 'd', 'e'].map((name) => configMap(name)));
    const page1 = await call(kube, 'GET', `${CONFIG_MAPS}?limit=2`);
    expect(page1.body.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    expect(page1.body.metadata.remainingItemCount).toBe(3);
    const page2 = await call(kube, 'GET', `${CONFIG_MAPS}?limit=2&continue=${page1.body.metadata.continue}`);
    expect(page2.body.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'c',
      'd',
    ]);
    expect(page2.body.metadata.resourceVersion).toBe(page1.body.metadata.resourceVersion);
    const page3 = await call(kube, 'GET', `${CONFIG_MAPS}?limit=2&continue=${page2.body.metadata.continue}`);
    expect(page3.body.items).toHaveLength(1);
    expect(page3.body.metadata.continue).toBeUndefined();
    kube.apply(configMap('f'));
    kube.compactHistory();
    const expired = await call(
      kube,
      'GET',
      `${CONFIG_MAPS}?limit=2&continue=${page1.body.metadata.continue}`,
    );
    expect(expired.body).toMatchObject({ code: 410, reason: 'Expired' });
  });

  it('applies merge patches and JSON patches, refuses strategic merge on custom resources, keeps status on main writes', async () => {
    kube.apply({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'r' },
      spec: { status: 'PipelineRunPending', pipelineRef: { name: 'none' } },
    });
    await kube.waitForObject({ kind: 'PipelineRun', name: 'r' }, (object) => object['status'] !== undefined);
    const merge = await call(
      kube,
      'PATCH',
      `${RUNS}/r`,
      '{"spec":{"status":"Cancelled"},"metadata":{"labels":{"x":"y"}}}',
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(merge.status).toBe(200);
    expect(merge.body.spec.status).toBe('Cancelled');
    expect(merge.body.metadata.labels).toEqual({ x: 'y' });
    expect(merge.body.metadata.generation).toBe(2);
    // The cancel makes the controller finish the run (a status write): let it, so the writes below are not
    // racing it for the resourceVersion.
    await kube.waitForObject({ kind: 'PipelineRun', name: 'r' }, isFinished);
    const json = await call(
      kube,
      'PATCH',
      `${RUNS}/r`,
      '[{"op":"replace","path":"/metadata/labels/x","value":"z"}]',
      { 'content-type': 'application/json-patch+json' },
    );
    expect(json.body.metadata.labels).toEqual({ x: 'z' });
    const strategic = await call(kube, 'PATCH', `${RUNS}/r`, '{}', {
      'content-type': 'application/strategic-merge-patch+json',
    });
    expect(strategic.body).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
    const replaced = await call(kube, 'PUT', `${RUNS}/r`, { ...json.body, status: { forged: true } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.status.forged).toBeUndefined();
    expect(replaced.body.status.conditions).toBeDefined();
  });

  it('lists across namespaces, serves cluster-scoped namespaces and deletes collections by selector', async () => {
    kube.apply([
      configMap('a', { tier: 'x' }, 'team-a'),
      configMap('b', { tier: 'x' }, 'team-b'),
      configMap('c', {}, 'team-b'),
    ]);
    const all = await call(kube, 'GET', '/api/v1/configmaps');
    expect(
      all.body.items.map(
        (item: { metadata: { namespace: string; name: string } }) =>
          `${item.metadata.namespace}/${item.metadata.name}`,
      ),
    ).toEqual(['team-a/a', 'team-b/b', 'team-b/c']);
    expect(
      (
        await call(kube, 'POST', '/api/v1/namespaces', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'ci' },
        })
      ).status,
    ).toBe(201);
    expect((await call(kube, 'GET', '/api/v1/namespaces/ci')).body.metadata).not.toHaveProperty('namespace');
    const removed = await call(kube, 'DELETE', '/api/v1/namespaces/team-b/configmaps?labelSelector=tier%3Dx');
    expect(removed.body.items.map((item: { metadata: { name: string } }) => item.metadata.name)).toEqual([
      'b',
    ]);
    expect(kube.listObjects('ConfigMap').map((object) => object.metadata.name)).toEqual(['a', 'c']);
    expect((await call(kube, 'GET', '/apis/tekton.dev/v1/namespaces/x/pipelineruns/r/logs')).status).toBe(
      404,
    );
  });

  it('seeds objects with their status through apply, and leaves them alone without the controller', async () => {
    const seeded = await KubeEmulator.start({ tekton: false });
    try {
      const run = {
        apiVersion: 'tekton.dev/v1',
        kind: 'PipelineRun',
        metadata: { name: 'old' },
        spec: { pipelineRef: { name: 'p' } },
      };
      seeded.apply({
        ...run,
        status: { conditions: [{ type: 'Succeeded', status: 'Unknown', reason: 'Running' }] },
      });
      const [updated] = seeded.apply({
        ...run,
        status: { conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }] },
      });
      expect(updated?.['status']).toEqual({
        conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded' }],
      });
      expect(seeded.listObjects('TaskRun')).toEqual([]);
    } finally {
      await seeded.stop();
    }
  });

  it('deletes objects and what they own', async () => {
    const owner = kube.createObject(configMap('owner'));
    kube.createObject({
      ...configMap('owned'),
      metadata: {
        name: 'owned',
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }],
      },
    });
    const deleted = await call(kube, 'DELETE', `${CONFIG_MAPS}/owner`);
    expect(deleted.status).toBe(200);
    expect(kube.listObjects('ConfigMap')).toEqual([]);
  });

  it('serves discovery and injects 429/5xx faults with Retry-After', async () => {
    expect(
      (await call(kube, 'GET', '/apis/tekton.dev/v1')).body.resources.map(
        (resource: { name: string }) => resource.name,
      ),
    ).toContain('pipelineruns');
    kube.faults.failRequests({ status: 429, retryAfterSeconds: 2, count: 2, match: { verb: 'list' } });
    const first = await call(kube, 'GET', CONFIG_MAPS);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(first.body).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 2 } });
    expect((await call(kube, 'GET', `${CONFIG_MAPS}/x`)).status).toBe(404);
    expect((await call(kube, 'GET', CONFIG_MAPS)).status).toBe(429);
    expect((await call(kube, 'GET', CONFIG_MAPS)).status).toBe(200);
    kube.faults.failRequests({ status: 503 });
    expect((await call(kube, 'GET', CONFIG_MAPS)).body.reason).toBe('ServiceUnavailable');
  });
});

describe('watch', () => {
  it('sends ADDED for the current state without a resourceVersion, then live events in order', async () => {
    kube.apply(configMap('a'));
    const watching = collectWatch(kube, `${CONFIG_MAPS}?watch=true`, {
      maxEvents: 4,
      onOpen: () => {
        setTimeout(() => {
          kube.apply(configMap('b'));
          kube.patchObject({ kind: 'ConfigMap', name: 'a' }, { data: { key: 'changed' } });
          kube.deleteObject({ kind: 'ConfigMap', name: 'b' });
        }, 20);
      },
    });
    const { events } = await watching;
    expect(events.map((event) => `${event.type}:${event.object.metadata.name}`)).toEqual([
      'ADDED:a',
      'ADDED:b',
      'MODIFIED:a',
      'DELETED:b',
    ]);
    const versions = events.map((event) => Number(event.object.metadata.resourceVersion));
    expect([...versions].sort((left, right) => left - right)).toEqual(versions);
  });

  it('replays history after a resourceVersion and turns selector transitions into ADDED/DELETED', async () => {
    const start = kube.resourceVersion;
    kube.apply(configMap('a', { keep: 'yes' }));
    kube.apply(configMap('b', { keep: 'no' }));
    kube.patchObject({ kind: 'ConfigMap', name: 'b' }, { metadata: { labels: { keep: 'yes' } } });
    kube.patchObject({ kind: 'ConfigMap', name: 'a' }, { metadata: { labels: { keep: 'no' } } });
    const { events } = await collectWatch(
      kube,
      `${CONFIG_MAPS}?watch=1&resourceVersion=${start}&labelSelector=keep%3Dyes`,
      { maxEvents: 3 },
    );
    expect(events.map((event) => `${event.type}:${event.object.metadata.name}`)).toEqual([
      'ADDED:a',
      'ADDED:b',
      'DELETED:a',
    ]);
  });

  it('sends bookmarks with the latest resourceVersion and honours timeoutSeconds', async () => {
    const { events, ended } = await collectWatch(
      kube,
      `${CONFIG_MAPS}?watch=1&resourceVersion=${kube.resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=1&labelSelector=none%3Dnone`,
      {
        timeoutMs: 3000,
        onOpen: () => kube.apply(configMap('unrelated')),
      },
    );
    expect(ended).toBe(true);
    const bookmarks = events.filter((event) => event.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThanOrEqual(3);
    expect(events.every((event) => event.type === 'BOOKMARK')).toBe(true);
    expect(bookmarks.at(-1)?.object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: String(kube.resourceVersion) },
    });
  });

  it('answers 410 for a version older than the history: in-stream ERROR by default, HTTP status when scripted', async () => {
    const old = kube.resourceVersion;
    for (let index = 0; index < 60; index += 1) kube.apply(configMap(`c${index}`));
    const inStream = await collectWatch(kube, `${CONFIG_MAPS}?watch=1&resourceVersion=${old}`);
    const otherType = await collectWatch(kube, `${RUNS}?watch=1&resourceVersion=${old}`, { timeoutMs: 200 });
    expect(otherType).toMatchObject({ status: 200, events: [], ended: false });
    expect(inStream.status).toBe(200);
    expect(inStream.ended).toBe(true);
    expect(inStream.events).toEqual([
      { type: 'ERROR', object: expect.objectContaining({ kind: 'Status', code: 410, reason: 'Expired' }) },
    ]);
    kube.faults.expireNextWatches({ mode: 'http' });
    const http = await collectWatch(kube, `${CONFIG_MAPS}?watch=1&resourceVersion=${kube.resourceVersion}`);
    expect(http.status).toBe(410);
    expect(http.events[0]?.object).toMatchObject({ code: 410, reason: 'Expired' });
    kube.faults.expireNextWatches({ mode: 'stream' });
    const scripted = await collectWatch(
      kube,
      `${CONFIG_MAPS}?watch=1&resourceVersion=${kube.resourceVersion}`,
    );
    expect(scripted.events[0]?.type).toBe('ERROR');
    const healthy = await collectWatch(
      kube,
      `${CONFIG_MAPS}?watch=1&resourceVersion=${kube.resourceVersion}`,
      { timeoutMs: 200 },
    );
    expect(healthy).toMatchObject({ status: 200, events: [], ended: false });
  });

  it('closes watches cleanly every N events, so a client can resume from the last version without gaps', async () => {
    const start = kube.resourceVersion;
    for (const name of ['a', 'b', 'c', 'd', 'e']) kube.apply(configMap(name));
    kube.faults.closeWatchesEvery(2);
    const seen: string[] = [];
    let from = start;
    for (let attempt = 0; attempt < 5 && seen.length < 5; attempt += 1) {
      const { events, ended } = await collectWatch(kube, `${CONFIG_MAPS}?watch=1&resourceVersion=${from}`, {
        timeoutMs: 300,
      });
      expect(events.length).toBeLessThanOrEqual(2);
      if (events.length === 2) expect(ended).toBe(true);
      for (const event of events) {
        seen.push(event.object.metadata.name);
        from = Number(event.object.metadata.resourceVersion);
      }
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('answers 429 with Retry-After on watch requests when scripted, then serves the watch', async () => {
    kube.faults.failRequests({
      status: 429,
      retryAfterSeconds: 1,
      match: { verb: 'watch', resource: 'configmaps' },
    });
    const refused = await collectWatch(kube, `${CONFIG_MAPS}?watch=1`);
    expect(refused.status).toBe(429);
    expect(refused.events[0]?.object).toMatchObject({
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
    });
    kube.apply(configMap('a'));
    const served = await collectWatch(kube, `${CONFIG_MAPS}?watch=1`, { maxEvents: 1 });
    expect(served.events.map((event) => event.type)).toEqual(['ADDED']);
    expect(
      kube.requests.filter((request) => request.verb === 'watch').map((request) => request.status),
    ).toEqual([429, 200]);
  });

  it('refuses connections while suspended and keeps state across resume', async () => {
    kube.apply(configMap('kept'));
    await kube.suspend();
    await expect(fetch(`${kube.url}${CONFIG_MAPS}`)).rejects.toThrow();
    await kube.resume();
    expect((await call(kube, 'GET', `${CONFIG_MAPS}/kept`)).status).toBe(200);
  });
});
