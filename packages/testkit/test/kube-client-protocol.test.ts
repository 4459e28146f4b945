/**
 * The parts of the API server's protocol that kubectl and client-go depend on, checked over HTTP without
 * kubectl: Table answers, protobuf bodies, OpenAPI documents, dry runs, server-side apply, anonymous health and
 * version, timestamps that never lie ahead of the real clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeEmulator } from '../src/kube/index.js';
import { humanDuration } from '../src/kube/table.js';
import { call, collectWatch, isFinished, type Json } from './kube-test-helpers.js';

const configMap = (name: string, data: Record<string, string>): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

const CONFIG_MAPS = '/api/v1/namespaces/default/configmaps';
const RUNS = '/apis/tekton.dev/v1/namespaces/default/pipelineruns';
const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

let kube: KubeEmulator;

beforeEach(async () => {
  kube = await KubeEmulator.start({ timeScale: 1000 });
});

afterEach(async () => {
  await kube.stop();
});

/** Protobuf length-delimited field (wire type 2). */
function field(number: number, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  const varint = (n: number): number[] => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, ...varint(n >> 7)]);
  return Buffer.concat([Buffer.from(varint((number << 3) | 2)), Buffer.from(varint(bytes.length)), bytes]);
}

/** A ConfigMap as client-go's protobuf serializer writes it (empty strings included, as gogo-protobuf does). */
function protobufConfigMap(name: string, data: Record<string, string>): Buffer {
  const metadata = Buffer.concat([field(1, name), field(2, ''), field(3, '')]);
  const entries = Object.entries(data).map(([key, value]) =>
    field(2, Buffer.concat([field(1, key), field(2, value)])),
  );
  const raw = Buffer.concat([field(1, metadata), ...entries]);
  const unknown = Buffer.concat([
    field(1, Buffer.concat([field(1, 'v1'), field(2, 'ConfigMap')])),
    field(2, raw),
    field(3, ''),
    field(4, ''),
  ]);
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), unknown]);
}

describe('request bodies', () => {
  it('decodes a protobuf ConfigMap as the API server does', async () => {
    const response = await fetch(`${kube.url}${CONFIG_MAPS}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${kube.token}`,
        'content-type': 'application/vnd.kubernetes.protobuf',
      },
      body: protobufConfigMap('from-proto', { a: '1', b: 'two' }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as Json;
    expect(created).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'from-proto', namespace: 'default' },
      data: { a: '1', b: 'two' },
    });
  });

  it('answers 415 for protobuf of a custom resource and for unknown media types, 400 for broken protobuf', async () => {
    const custom = await fetch(`${kube.url}${RUNS}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${kube.token}`,
        'content-type': 'application/vnd.kubernetes.protobuf',
      },
      body: Buffer.concat([
        Buffer.from('k8s\0', 'binary'),
        field(1, Buffer.concat([field(1, 'tekton.dev/v1'), field(2, 'PipelineRun')])),
      ]),
    });
    expect(custom.status).toBe(415);
    expect(await custom.json()).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    const xml = await call(kube, 'POST', CONFIG_MAPS, '<x/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    const broken = await fetch(`${kube.url}${CONFIG_MAPS}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${kube.token}`,
        'content-type': 'application/vnd.kubernetes.protobuf',
      },
      body: Buffer.from('not protobuf'),
    });
    expect(broken.status).toBe(400);
  });

  it('accepts YAML bodies', async () => {
    const created = await call(
      kube,
      'POST',
      CONFIG_MAPS,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml\ndata:\n  k: v\n',
      {
        'content-type': 'application/yaml',
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ k: 'v' });
  });
});

describe('Table answers', () => {
  it('lists as a meta.k8s.io/v1 Table with kubectl columns, the object per includeObject', async () => {
    await call(kube, 'POST', CONFIG_MAPS, configMap('tabled', { a: '1', b: '2' }));
    const full = await call(kube, 'GET', `${CONFIG_MAPS}?includeObject=Object`, undefined, { accept: TABLE });
    expect(full.status).toBe(200);
    expect(full.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(full.body.columnDefinitions.map((column: Json) => column.name)).toEqual(['Name', 'Data', 'Age']);
    expect(full.body.rows[0].cells.slice(0, 2)).toEqual(['tabled', 2]);
    expect(full.body.rows[0].object).toMatchObject({ kind: 'ConfigMap', data: { a: '1' } });
    const metadata = await call(kube, 'GET', CONFIG_MAPS, undefined, { accept: TABLE });
    expect(metadata.body.rows[0].object).toMatchObject({
      kind: 'PartialObjectMetadata',
      metadata: { name: 'tabled' },
    });
    expect(metadata.body.rows[0].object.data).toBeUndefined();
    const none = await call(kube, 'GET', `${CONFIG_MAPS}?includeObject=None`, undefined, { accept: TABLE });
    expect(none.body.rows[0].object).toBeUndefined();
    const beta = await call(kube, 'GET', `${CONFIG_MAPS}/tabled`, undefined, {
      accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
    });
    expect(beta.body).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1beta1',
      rows: [{ cells: ['tabled', 2, expect.any(String)] }],
    });
    const plain = await call(kube, 'GET', CONFIG_MAPS, undefined, { accept: 'application/json' });
    expect(plain.body.kind).toBe('ConfigMapList');
    expect(
      (await call(kube, 'GET', `${CONFIG_MAPS}?includeObject=All`, undefined, { accept: TABLE })).status,
    ).toBe(400);
  });

  it("shows Tekton's printer columns for PipelineRuns and kubectl's for pods", async () => {
    kube.scriptTask('build', { steps: { compile: { durationMs: 1000 } } });
    const run = {
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: { name: 'tabled' },
      spec: {
        pipelineSpec: {
          tasks: [{ name: 'build', taskSpec: { steps: [{ name: 'compile', image: 'alpine' }] } }],
        },
      },
    };
    await call(kube, 'POST', RUNS, run);
    await kube.waitForObject({ kind: 'PipelineRun', name: 'tabled' }, isFinished);
    const runs = await call(kube, 'GET', RUNS, undefined, { accept: TABLE });
    expect(runs.body.columnDefinitions.map((column: Json) => column.name)).toEqual([
      'Name',
      'Succeeded',
      'Reason',
      'StartTime',
      'CompletionTime',
    ]);
    const [name, status, reason, start, completion] = runs.body.rows[0].cells;
    expect([name, status, reason]).toEqual(['tabled', 'True', 'Succeeded']);
    expect(start).toMatch(/^\d+[smhdy]/);
    expect(completion).toMatch(/^\d+[smhdy]/);
    const pods = await call(kube, 'GET', '/api/v1/namespaces/default/pods', undefined, { accept: TABLE });
    expect(pods.body.columnDefinitions.slice(0, 5).map((column: Json) => column.name)).toEqual([
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
    ]);
    expect(pods.body.rows[0].cells.slice(0, 4)).toEqual(['tabled-build-pod', '0/1', 'Completed', '0']);
    const pod = (await call(kube, 'GET', '/api/v1/namespaces/default/pods/tabled-build-pod')).body;
    for (const status of [...pod.status.initContainerStatuses, ...pod.status.containerStatuses])
      expect(status.state.terminated.startedAt).toEqual(expect.any(String));
  });

  it('sends watch events as one-row Tables when asked', async () => {
    const watch = collectWatch(kube, `${CONFIG_MAPS}?watch=1`, { maxEvents: 1, timeoutMs: 5000 });
    const response = await fetch(`${kube.url}${CONFIG_MAPS}?watch=1&timeoutSeconds=1`, {
      headers: { authorization: `Bearer ${kube.token}`, accept: TABLE },
    });
    await call(kube, 'POST', CONFIG_MAPS, configMap('watched', { a: '1' }));
    const first = JSON.parse((await response.text()).split('\n')[0] ?? '');
    expect(first).toMatchObject({
      type: 'ADDED',
      object: { kind: 'Table', rows: [{ cells: ['watched', 1, expect.any(String)] }] },
    });
    expect((await watch).events[0]?.object.kind).toBe('ConfigMap');
  });

  it('prints ages as the API server does', () => {
    expect(humanDuration(-5000)).toBe('<invalid>');
    expect(humanDuration(90_000)).toBe('90s');
    expect(humanDuration(5 * 60_000 + 3000)).toBe('5m3s');
    expect(humanDuration(3 * 3_600_000 + 15 * 60_000)).toBe('3h15m');
    expect(humanDuration(3 * 86_400_000 + 2 * 3_600_000)).toBe('3d2h');
    expect(humanDuration(400 * 86_400_000)).toBe('400d');
  });
});

describe('discovery, version, health and OpenAPI', () => {
  it('declares shortNames and categories', async () => {
    const core = await call(kube, 'GET', '/api/v1');
    const pods = core.body.resources.find((resource: Json) => resource.name === 'pods');
    expect(pods).toMatchObject({ shortNames: ['po'], categories: ['all'] });
    const tekton = await call(kube, 'GET', '/apis/tekton.dev/v1');
    const runs = tekton.body.resources.find((resource: Json) => resource.name === 'pipelineruns');
    expect(runs).toMatchObject({ shortNames: ['pr', 'prs'], categories: ['tekton', 'tekton-pipelines'] });
    const tasks = tekton.body.resources.find((resource: Json) => resource.name === 'tasks');
    expect(tasks.shortNames).toBeUndefined();
  });

  it('serves aggregated discovery when asked, the legacy lists otherwise', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const aggregated = await call(kube, 'GET', '/apis', undefined, { accept });
    expect(aggregated.headers.get('content-type')).toBe(
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    expect(aggregated.body.kind).toBe('APIGroupDiscoveryList');
    const tekton = aggregated.body.items.find((item: Json) => item.metadata.name === 'tekton.dev');
    const runs = tekton.versions[0].resources.find((resource: Json) => resource.resource === 'pipelineruns');
    expect(runs).toMatchObject({
      responseKind: { group: 'tekton.dev', version: 'v1', kind: 'PipelineRun' },
      scope: 'Namespaced',
      shortNames: ['pr', 'prs'],
      subresources: [{ subresource: 'status' }],
    });
    const core = await call(kube, 'GET', '/api', undefined, { accept });
    expect(core.body.items.map((item: Json) => item.metadata.name)).toEqual(['']);
    const legacy = await call(kube, 'GET', '/apis', undefined, { accept: 'application/json' });
    expect(legacy.body.kind).toBe('APIGroupList');
  });

  it('answers /version and the health checks anonymously', async () => {
    const version = await fetch(`${kube.url}/version`);
    expect(version.status).toBe(200);
    expect(await version.json()).toMatchObject({ platform: 'linux/amd64', major: '1' });
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const health = await fetch(`${kube.url}${path}`);
      expect(health.headers.get('content-type')).toContain('text/plain');
      expect(await health.text()).toBe('ok');
    }
    expect((await fetch(`${kube.url}/api`)).status).toBe(401);
  });

  it('serves OpenAPI v3 per group-version with the PATCH parameters kubectl checks, and v2 as JSON or protobuf', async () => {
    const index = await call(kube, 'GET', '/openapi/v3');
    const tekton = index.body.paths['apis/tekton.dev/v1'].serverRelativeURL as string;
    expect(tekton).toMatch(/^\/openapi\/v3\/apis\/tekton\.dev\/v1\?hash=[0-9A-F]+$/);
    const document = await call(kube, 'GET', tekton);
    expect(document.body.openapi).toBe('3.0.0');
    const patch = document.body.paths['/apis/tekton.dev/v1/namespaces/{namespace}/pipelineruns/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({
      group: 'tekton.dev',
      version: 'v1',
      kind: 'PipelineRun',
    });
    expect(patch.parameters.map((parameter: Json) => parameter.name)).toEqual(
      expect.arrayContaining(['fieldValidation', 'dryRun', 'fieldManager']),
    );
    const schema = document.body.components.schemas['dev.tekton.v1.PipelineRun'];
    expect(schema['x-kubernetes-group-version-kind']).toEqual([
      { group: 'tekton.dev', version: 'v1', kind: 'PipelineRun' },
    ]);
    expect(JSON.stringify(document.body)).not.toContain('#/definitions/');
    const references = [...JSON.stringify(document.body).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map(
      (match) => match[1],
    );
    for (const name of references) expect(document.body.components.schemas[name ?? '']).toBeDefined();
    const v2 = await call(kube, 'GET', '/openapi/v2', undefined, { accept: 'application/json' });
    expect(v2.body.swagger).toBe('2.0');
    expect(v2.body.definitions['io.k8s.api.core.v1.ConfigMap']).toBeDefined();
    const protobuf = await fetch(`${kube.url}/openapi/v2`, {
      headers: {
        authorization: `Bearer ${kube.token}`,
        accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
      },
    });
    expect(protobuf.status).toBe(200);
    // kube-openapi's content type for it ('@' is not valid in a Content-Type that client-go parses).
    expect(protobuf.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = Buffer.from(await protobuf.arrayBuffer());
    // openapi.v2.Document: field 1 (swagger) = "2.0", then field 2 (info).
    expect([...bytes.subarray(0, 5)]).toEqual([0x0a, 3, 0x32, 0x2e, 0x30]);
    expect(bytes.includes(Buffer.from('dev.tekton.v1.PipelineRun'))).toBe(true);
    const unacceptable = await call(kube, 'GET', '/openapi/v2', undefined, { accept: 'application/xml' });
    expect(unacceptable.status).toBe(406);
  });
});

describe('writes', () => {
  it('dryRun=All answers like the write and stores nothing, notifies no watch', async () => {
    const watch = collectWatch(
      kube,
      `${CONFIG_MAPS}?watch=1&resourceVersion=${(await call(kube, 'GET', CONFIG_MAPS)).body.metadata.resourceVersion}`,
      { timeoutMs: 1500 },
    );
    const created = await call(kube, 'POST', `${CONFIG_MAPS}?dryRun=All`, configMap('dry', { a: '1' }));
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'dry', uid: expect.any(String) });
    expect(created.body.metadata.resourceVersion).toBeUndefined();
    expect((await call(kube, 'GET', `${CONFIG_MAPS}/dry`)).status).toBe(404);
    await call(kube, 'POST', CONFIG_MAPS, configMap('real', { a: '1' }));
    const patched = await call(
      kube,
      'PATCH',
      `${CONFIG_MAPS}/real?dryRun=All`,
      { data: { a: '2' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    expect(patched.body.data.a).toBe('2');
    const deleted = await call(kube, 'DELETE', `${CONFIG_MAPS}/real`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      dryRun: ['All'],
    });
    expect(deleted.status).toBe(200);
    expect((await call(kube, 'GET', `${CONFIG_MAPS}/real`)).body.data.a).toBe('1');
    expect((await call(kube, 'POST', `${CONFIG_MAPS}?dryRun=Some`, configMap('x', {}))).status).toBe(400);
    expect((await watch).events.map((event) => `${event.type} ${event.object.metadata.name}`)).toEqual([
      'ADDED real',
    ]);
  });

  it('server-side apply creates, then merges; it needs a fieldManager', async () => {
    const applyHeaders = { 'content-type': 'application/apply-patch+yaml' };
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: "1"\n';
    const missingManager = await call(kube, 'PATCH', `${CONFIG_MAPS}/applied`, body, applyHeaders);
    expect(missingManager.status).toBe(422);
    const created = await call(kube, 'PATCH', `${CONFIG_MAPS}/applied?fieldManager=test`, body, applyHeaders);
    expect(created.status).toBe(201);
    const merged = await call(
      kube,
      'PATCH',
      `${CONFIG_MAPS}/applied?fieldManager=test`,
      body.replace('a: "1"', 'b: "2"'),
      applyHeaders,
    );
    expect(merged.status).toBe(200);
    expect(merged.body.data).toEqual({ a: '1', b: '2' });
    const wrongKind = await call(
      kube,
      'PATCH',
      `${CONFIG_MAPS}/applied?fieldManager=test`,
      body.replace('ConfigMap', 'Secret'),
      applyHeaders,
    );
    expect(wrongKind.status).toBe(400);
  });

  it('never stamps a time ahead of the real clock, even with a fast simulated clock', async () => {
    const created = await call(kube, 'POST', CONFIG_MAPS, configMap('now', {}));
    expect(Date.parse(created.body.metadata.creationTimestamp)).toBeLessThanOrEqual(Date.now());
  });
});
