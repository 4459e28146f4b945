import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDEmulator, defaultManifestRenderer } from '../src/argocd/index.js';
import { call, eventually } from './argocd-test-helpers.js';

/**
 * Live resources, resource actions, pod logs and resource events, as server/application/application.go serves
 * them (GetResource, PatchResource, ListResourceActions, RunResourceAction(V2), PodLogs, ListResourceEvents).
 */

const REPO = 'https://git.example/live.git';

interface TreeNode {
  kind: string;
  name: string;
  namespace: string;
  group: string;
  version: string;
  uid: string;
}

describe('Argo CD emulator: live resources, actions and logs', () => {
  let emulator: ArgoCDEmulator;
  let token: string;

  async function tree(): Promise<TreeNode[]> {
    const response = await call(emulator, 'GET', '/api/v1/applications/live/resource-tree', { token });
    return (response.json as { nodes: TreeNode[] }).nodes;
  }

  function resourceQuery(kind: string, name: string, group: string, extra = ''): string {
    return `namespace=web&resourceName=${name}&version=v1&group=${group}&kind=${kind}${extra}`;
  }

  async function syncAndWait(): Promise<void> {
    const response = await call(emulator, 'POST', '/api/v1/applications/live/sync', { token, body: {} });
    expect(response.status).toBe(200);
    await eventually(
      () => {
        const app = emulator.getApplication('live');
        return !app?.operation && app?.status?.operationState?.phase === 'Succeeded' && app;
      },
      10_000,
      'the sync to finish',
    );
  }

  beforeAll(async () => {
    emulator = await ArgoCDEmulator.start({
      reconciliationIntervalMs: 0,
      syncDurationMs: 10,
      defaultRolloutMs: 0,
      renderer: async (context) => [
        ...(await defaultManifestRenderer(context)),
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'credentials', namespace: context.namespace },
          data: { password: 'c2VjcmV0' },
        },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings', namespace: context.namespace },
          data: { mode: 'blue' },
        },
      ],
      argocdCm: {
        // A custom action in Argo CD's resource customizations format (core group: the bare kind).
        'resource.customizations.actions.ConfigMap': [
          'discovery.lua: |',
          '  local offered = {}',
          '  offered["flip"] = { displayName = "Flip colour", disabled = obj.data.mode == nil }',
          '  return offered',
          'definitions:',
          '- name: flip',
          '  action.lua: |',
          '    if obj.data.mode == "blue" then obj.data.mode = "green" else obj.data.mode = "blue" end',
          '    return obj',
          '- name: broken',
          '  action.lua: |',
          '    error("cannot flip this", 0)',
        ].join('\n'),
      },
    });
    emulator.seedRepositoryCommit(REPO, {
      files: { 'helm/values.yaml': 'image: {repository: web, tag: v1}\n' },
    });
    emulator.seedApplication({
      metadata: { name: 'live' },
      spec: {
        project: 'default',
        source: { repoURL: REPO, path: 'helm', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
      },
    });
    token = emulator.issueToken();
    await emulator.refresh('live');
    await syncAndWait();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('gets one live resource as a manifest string, Secrets masked, unknown ones refused', async () => {
    const deployment = await call(
      emulator,
      'GET',
      `/api/v1/applications/live/resource?${resourceQuery('Deployment', 'live', 'apps')}`,
      { token },
    );
    expect(deployment.status).toBe(200);
    const manifest = JSON.parse((deployment.json as { manifest: string }).manifest);
    expect(manifest).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'live' },
      status: { readyReplicas: 1 },
    });
    const pod = (await tree()).find((node) => node.kind === 'Pod') as TreeNode;
    const podResponse = await call(
      emulator,
      'GET',
      `/api/v1/applications/live/resource?${resourceQuery('Pod', pod.name, '')}`,
      { token },
    );
    expect(JSON.parse((podResponse.json as { manifest: string }).manifest)).toMatchObject({
      kind: 'Pod',
      metadata: { name: pod.name },
    });
    const secret = await call(
      emulator,
      'GET',
      `/api/v1/applications/live/resource?${resourceQuery('Secret', 'credentials', '')}`,
      { token },
    );
    expect(JSON.parse((secret.json as { manifest: string }).manifest).data).toEqual({ password: '++++++++' });
    const missing = await call(
      emulator,
      'GET',
      `/api/v1/applications/live/resource?${resourceQuery('Deployment', 'nope', 'apps')}`,
      { token },
    );
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({
      code: 3,
      message: 'Deployment apps nope not found as part of application live',
    });
  });

  it('patches a live resource: a changed managed field is OutOfSync and the next sync restores it', async () => {
    const patched = await call(
      emulator,
      'POST',
      `/api/v1/applications/live/resource?${resourceQuery('ConfigMap', 'settings', '', `&patchType=${encodeURIComponent('application/merge-patch+json')}`)}`,
      { token, body: JSON.stringify({ data: { mode: 'red' }, metadata: { labels: { by: 'hand' } } }) },
    );
    expect(patched.status).toBe(200);
    expect(JSON.parse((patched.json as { manifest: string }).manifest).data).toEqual({ mode: 'red' });
    await eventually(
      () => emulator.getApplication('live')?.status?.sync?.status === 'OutOfSync',
      5_000,
      'OutOfSync',
    );
    const events = await call(emulator, 'GET', '/api/v1/applications/live/events', { token });
    expect(
      (events.json as { items: Array<{ message: string }> }).items.map((item) => item.message),
    ).toContain("admin patched resource /ConfigMap 'settings'");
    await syncAndWait();
    const settings = emulator.liveObjects('live').find((object) => object.kind === 'ConfigMap');
    // kubectl apply: the manifests' field is restored, the label someone added stays.
    expect(settings).toMatchObject({ data: { mode: 'blue' }, metadata: { labels: { by: 'hand' } } });
    expect(emulator.getApplication('live')?.status?.sync?.status).toBe('Synced');
    const badType = await call(
      emulator,
      'POST',
      `/api/v1/applications/live/resource?${resourceQuery('ConfigMap', 'settings', '', '&patchType=text/plain')}`,
      { token, body: '{}' },
    );
    expect(badType.status).toBe(500);
    expect((badType.json as { message: string }).message).toMatch(
      /^error patching resource: the body of the request/,
    );
  });

  it('restarts a Deployment with the built-in action: new pods, still Synced (three-way diff)', async () => {
    const before = (await tree()).filter((node) => node.kind === 'ReplicaSet').map((node) => node.name);
    const ran = await call(emulator, 'POST', '/api/v1/applications/live/resource/actions/v2', {
      token,
      body: {
        name: 'live',
        namespace: 'web',
        resourceName: 'live',
        group: 'apps',
        kind: 'Deployment',
        version: 'v1',
        action: 'restart',
      },
    });
    expect(ran.status).toBe(200);
    expect(ran.json).toEqual({});
    const deployment = emulator.liveObjects('live').find((object) => object.kind === 'Deployment');
    const template = (deployment?.spec?.template ?? {}) as {
      metadata?: { annotations?: Record<string, string> };
    };
    const annotations = template.metadata?.annotations;
    expect(annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // The action answers after the change was reconciled, so the tree already shows the new ReplicaSet.
    const after = (await tree()).filter((node) => node.kind === 'ReplicaSet').map((node) => node.name);
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    expect(emulator.getApplication('live')?.status?.sync?.status).toBe('Synced');
  });

  it('scales with action parameters (v2) and refuses a bad number with the script error', async () => {
    const body = (value: string) => ({
      name: 'live',
      namespace: 'web',
      resourceName: 'live',
      group: 'apps',
      kind: 'Deployment',
      version: 'v1',
      action: 'scale',
      resourceActionParameters: [{ name: 'replicas', value }],
    });
    const scaled = await call(emulator, 'POST', '/api/v1/applications/live/resource/actions/v2', {
      token,
      body: body('3'),
    });
    expect(scaled.status).toBe(200);
    expect((await tree()).filter((node) => node.kind === 'Pod')).toHaveLength(3);
    expect(emulator.getApplication('live')?.status?.sync?.status).toBe('OutOfSync');
    const bad = await call(emulator, 'POST', '/api/v1/applications/live/resource/actions/v2', {
      token,
      body: body('many'),
    });
    expect(bad.status).toBe(500);
    expect(bad.json).toMatchObject({
      code: 2,
      message: 'error executing Lua resource action: invalid number: many',
    });
    await syncAndWait();
  });

  it('lists and runs a custom argocd-cm action (v1: the body is the action name)', async () => {
    const query = `/api/v1/applications/live/resource/actions?${resourceQuery('ConfigMap', 'settings', '')}`;
    const listed = await call(emulator, 'GET', query, { token });
    expect(listed.json).toEqual({ actions: [{ name: 'flip', disabled: false, displayName: 'Flip colour' }] });
    const ran = await call(emulator, 'POST', query, { token, body: 'flip' });
    expect(ran.status).toBe(200);
    expect(emulator.liveObjects('live').find((object) => object.kind === 'ConfigMap')).toMatchObject({
      data: { mode: 'green' },
    });
    const broken = await call(emulator, 'POST', query, { token, body: 'broken' });
    expect(broken.json).toMatchObject({
      code: 2,
      message: 'error executing Lua resource action: cannot flip this',
    });
    const none = await call(
      emulator,
      'GET',
      `/api/v1/applications/live/resource/actions?${resourceQuery('Service', 'live', '')}`,
      { token },
    );
    expect(none.json).toEqual({ actions: [] });
  });

  it('lists events of one resource, refusing a resource outside the tree', async () => {
    const configMap = (await tree()).find((node) => node.kind === 'ConfigMap') as TreeNode;
    const events = await call(
      emulator,
      'GET',
      `/api/v1/applications/live/events?resourceUID=${configMap.uid}&resourceName=settings&resourceNamespace=web`,
      { token },
    );
    const items = (events.json as { items: Array<{ reason: string; involvedObject: { kind: string } }> })
      .items;
    expect(items.map((item) => [item.reason, item.involvedObject.kind])).toEqual([
      ['ResourceActionRan', 'ConfigMap'],
    ]);
    const wrongUid = await call(
      emulator,
      'GET',
      '/api/v1/applications/live/events?resourceUID=0000&resourceName=settings&resourceNamespace=web',
      { token },
    );
    expect(wrongUid.status).toBe(400);
    expect(wrongUid.json).toMatchObject({
      code: 3,
      message: 'settings not found as part of application live',
    });
  });

  it('streams pod logs as NDJSON LogEntry results ending with last=true, with tail, filter and container checks', async () => {
    const [pod] = emulator.writePodLogs('live', { kind: 'Deployment', name: 'live' }, [
      'GET /healthz 200',
      'GET /orders 500',
      'get /ORDERS 200',
    ]);
    const response = await fetch(
      `${emulator.url}/api/v1/applications/live/logs?kind=Deployment&resourceName=live&group=apps&tailLines=2&filter=orders`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    expect(response.headers.get('content-type')).toBe('application/json');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      lines.slice(0, -1).map((line) => [line.result.content, line.result.podName, line.result.last]),
    ).toEqual([
      ['GET /orders 500', pod, false],
      ['get /ORDERS 200', pod, false],
    ]);
    expect(lines[0].result.timeStamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(lines.at(-1)).toMatchObject({ result: { content: '', podName: '', last: true } });

    const inverted = await fetch(
      `${emulator.url}/api/v1/applications/live/pods/${pod}/logs?filter=!orders&matchCase=true`,
      { headers: { Authorization: `Bearer ${token}` } },
    );
    const kept = (await inverted.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).result.content);
    expect(kept).toEqual(['GET /healthz 200', 'get /ORDERS 200', '']);

    const badContainer = await fetch(
      `${emulator.url}/api/v1/applications/live/pods/${pod}/logs?container=sidecar`,
      {
        headers: { Authorization: `Bearer ${token}` },
      },
    );
    const [problem] = (await badContainer.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).result);
    expect(problem).toMatchObject({ content: `container sidecar is not valid for pod ${pod}`, podName: '' });
  });

  it('follows pod logs until the client goes away', async () => {
    const controller = new AbortController();
    const response = await fetch(`${emulator.url}/api/v1/applications/live/logs?follow=true&tailLines=1`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    const nextLine = async (): Promise<{ result: { content: string; last: boolean } }> => {
      while (!buffer.includes('\n')) {
        const { done, value } = await reader.read();
        if (done) throw new Error('the log stream ended');
        buffer += decoder.decode(value, { stream: true });
      }
      const line = buffer.slice(0, buffer.indexOf('\n'));
      buffer = buffer.slice(line.length + 1);
      return JSON.parse(line);
    };
    // The tail arrives first; the server subscribes to new lines in the same step, so writing now is safe.
    expect((await nextLine()).result).toMatchObject({ content: 'get /ORDERS 200', last: false });
    emulator.writePodLogs('live', {}, ['new line']);
    expect((await nextLine()).result).toMatchObject({ content: 'new line', last: false });
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });

  it('answers log errors with the stream error body', async () => {
    const response = await fetch(`${emulator.url}/api/v1/applications/ghost/logs`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: {
        grpc_code: 7,
        http_code: 403,
        message: 'permission denied',
        http_status: 'Forbidden',
        details: [],
      },
    });
  });

  it('sends the kubelet error of a pod whose container has not started as a log line', async () => {
    emulator.scriptHealth({ app: 'live', kind: 'Deployment' }, [{ status: 'Degraded' }]);
    await eventually(
      () => emulator.getApplication('live')?.status?.health?.status === 'Degraded',
      5_000,
      'Degraded',
    );
    const pod = (await tree()).find((node) => node.kind === 'Pod') as TreeNode;
    const response = await fetch(`${emulator.url}/api/v1/applications/live/pods/${pod.name}/logs`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const entries = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).result);
    expect(entries[0]).toEqual({
      content: `container "live" in pod "${pod.name}" is waiting to start: trying and failing to pull image`,
      podName: '',
      timeStamp: '0001-01-01T00:00:00Z',
      timeStampStr: '0001-01-01T00:00:00Z',
      last: false,
    });
    expect(entries.at(-1)).toMatchObject({ last: true });
  });
});
