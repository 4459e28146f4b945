import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArgoCDEmulator } from '../../src/argocd/index.js';
import { eventually } from '../argocd-test-helpers.js';

/**
 * argocd-mcp (argoproj-labs/mcp-for-argocd, npm `argocd-mcp`), a third-party Argo CD client, driven over its
 * stdio MCP protocol with the official MCP SDK client: every tool it offers is called against the emulator and its
 * answer checked. It talks plain REST (`fetch`) with `ARGOCD_BASE_URL` and a bearer `ARGOCD_API_TOKEN`.
 */

const REPO = 'https://git.example/deploy.git';
const NAMESPACE = 'argocd';

function argocdMcpEntry(): string {
  try {
    return createRequire(import.meta.url).resolve('argocd-mcp/dist/index.js');
  } catch {
    throw new Error(
      'argocd-mcp is missing: run `npm ci` at the repository root (a devDependency of @gitops-kit/testkit)',
    );
  }
}

interface ToolResult {
  isError?: boolean;
  content: Array<{ type: string; text: string }>;
}

let emulator: ArgoCDEmulator;
let client: Client;
let workDirectory: string;

async function tool<T = unknown>(name: string, args: Record<string, unknown> = {}): Promise<T> {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  const text = result.content.map((part) => part.text).join('');
  if (result.isError) throw new Error(`${name} failed: ${text}`);
  return JSON.parse(text) as T;
}

async function toolError(name: string, args: Record<string, unknown>): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  expect(result.isError).toBe(true);
  return result.content.map((part) => part.text).join('');
}

function appSpec(name: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name, namespace: NAMESPACE },
    spec: {
      project: 'default',
      source: { repoURL: REPO, path: 'helm', targetRevision: 'main' },
      syncPolicy: {
        syncOptions: ['CreateNamespace=true'],
        retry: { limit: 2, backoff: { duration: '5s', maxDuration: '1m', factor: 2 } },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
      ...extra,
    },
  };
}

beforeAll(async () => {
  const entry = argocdMcpEntry();
  emulator = await ArgoCDEmulator.start({
    syncDurationMs: 20,
    reconciliationIntervalMs: 0,
    defaultRolloutMs: 0,
  });
  emulator.seedRepositoryCommit(REPO, {
    files: { 'helm/values.yaml': 'image: {repository: web, tag: v1}\nreplicaCount: 2\n' },
  });
  // A working directory of its own: argocd-mcp loads a `.env` file from its current directory (dotenv).
  workDirectory = await mkdtemp(join(tmpdir(), 'argocd-mcp-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [entry, 'stdio'],
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH ?? '',
      ARGOCD_BASE_URL: emulator.url,
      ARGOCD_API_TOKEN: emulator.issueToken(),
    },
    stderr: 'ignore',
  });
  client = new Client({ name: 'gitops-kit-interop', version: '0.0.0' });
  await client.connect(transport);
});

afterAll(async () => {
  await client?.close();
  await emulator?.stop();
  if (workDirectory) await rm(workDirectory, { recursive: true, force: true });
});

describe('argocd-mcp against the Argo CD emulator', () => {
  it('offers the tools this suite covers (a new tool in a new release fails here until it is covered)', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((candidate) => candidate.name).sort()).toEqual([
      'create_application',
      'delete_application',
      'get_application',
      'get_application_events',
      'get_application_managed_resources',
      'get_application_resource_tree',
      'get_application_workload_logs',
      'get_appproject',
      'get_resource_actions',
      'get_resource_events',
      'get_resources',
      'list_applications',
      'list_clusters',
      'run_resource_action',
      'sync_application',
      'update_application',
    ]);
  });

  it('lists clusters (in-cluster and a seeded one) and filters them by server and name', async () => {
    emulator.seedCluster({ server: 'https://prod.example:6443', name: 'prod' });
    const all = await tool<{
      items: Array<{ server: string; name: string; info: { connectionState: { status: string } } }>;
    }>('list_clusters');
    expect(all.items.map((cluster) => [cluster.name, cluster.server]).sort()).toEqual([
      ['in-cluster', 'https://kubernetes.default.svc'],
      ['prod', 'https://prod.example:6443'],
    ]);
    expect(all.items.every((cluster) => cluster.info.connectionState.status === 'Successful')).toBe(true);
    const byName = await tool<{ items: Array<{ server: string }> }>('list_clusters', { name: 'prod' });
    expect(byName.items.map((cluster) => cluster.server)).toEqual(['https://prod.example:6443']);
    const byServer = await tool<{ items: Array<{ name: string }> }>('list_clusters', {
      server: 'https://nowhere',
    });
    expect(byServer.items).toEqual([]);
  });

  it('reads the default AppProject', async () => {
    const project = await tool<{ metadata: { name: string }; spec: { sourceRepos: string[] } }>(
      'get_appproject',
      {
        projectName: 'default',
      },
    );
    expect(project.metadata.name).toBe('default');
    expect(project.spec.sourceRepos).toEqual(['*']);
  });

  it('creates, lists, gets, updates and syncs an application', async () => {
    const created = await tool<{ metadata: { name: string; namespace: string } }>('create_application', {
      application: appSpec('web'),
    });
    expect(created.metadata).toMatchObject({ name: 'web', namespace: NAMESPACE });

    const listed = await tool<{
      items: Array<{ metadata: { name: string } }>;
      metadata: { totalItems: number };
    }>('list_applications', { search: 'web' });
    expect(listed.items.map((app) => app.metadata.name)).toEqual(['web']);

    const got = await tool<{ spec: { source: { path: string } } }>('get_application', {
      applicationName: 'web',
      applicationNamespace: NAMESPACE,
    });
    expect(got.spec.source.path).toBe('helm');

    const updated = await tool<{ spec: { syncPolicy: { syncOptions: string[] } } }>('update_application', {
      applicationName: 'web',
      application: appSpec('web', {
        syncPolicy: {
          syncOptions: ['CreateNamespace=true', 'PruneLast=true'],
          retry: { limit: 2, backoff: { duration: '5s', maxDuration: '1m', factor: 2 } },
        },
      }),
    });
    expect(updated.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'PruneLast=true']);

    const synced = await tool<{ operation: { sync: { prune?: boolean } } }>('sync_application', {
      applicationName: 'web',
      applicationNamespace: NAMESPACE,
      prune: true,
    });
    expect(synced.operation.sync.prune).toBe(true);
    await eventually(
      () =>
        emulator.getApplication('web')?.status?.operationState?.phase === 'Succeeded' &&
        !emulator.getApplication('web')?.operation,
      10_000,
      'the sync to finish',
    );
  });

  it('reads the resource tree, managed resources (filtered) and the manifests of every tree resource', async () => {
    const tree = await tool<{ nodes: Array<{ kind: string; name: string }> }>(
      'get_application_resource_tree',
      {
        applicationName: 'web',
      },
    );
    const kinds = tree.nodes.map((node) => node.kind).sort();
    expect(kinds).toEqual(['Deployment', 'Pod', 'Pod', 'ReplicaSet', 'Service']);

    const managed = await tool<{ items: Array<{ kind: string; name: string }> }>(
      'get_application_managed_resources',
      {
        applicationName: 'web',
        kind: 'Deployment',
      },
    );
    expect(managed.items.map((item) => `${item.kind}/${item.name}`)).toEqual(['Deployment/web']);
    const none = await tool<{ items?: unknown[] }>('get_application_managed_resources', {
      applicationName: 'web',
      namespace: 'elsewhere',
    });
    expect(none.items ?? []).toEqual([]);

    // Without resourceRefs, get_resources walks the tree and fetches every node's live manifest.
    const manifests = await tool<string[]>('get_resources', {
      applicationName: 'web',
      applicationNamespace: NAMESPACE,
    });
    const objects = manifests.map(
      (manifest) => JSON.parse(manifest) as { kind: string; status?: { readyReplicas?: number } },
    );
    expect(objects.map((object) => object.kind).sort()).toEqual(kinds);
    expect(objects.find((object) => object.kind === 'Deployment')?.status?.readyReplicas).toBe(2);
  });

  it('returns workload logs of a Deployment through its pods', async () => {
    const pods = emulator.writePodLogs('web', { kind: 'Deployment', name: 'web' }, [
      'listening on :80',
      'ready',
    ]);
    expect(pods).toHaveLength(2);
    const deployment = await deploymentRef();
    const logs = await tool<Array<{ content: string; podName: string; last: boolean }>>(
      'get_application_workload_logs',
      {
        applicationName: 'web',
        applicationNamespace: NAMESPACE,
        resourceRef: deployment,
        container: 'web',
      },
    );
    const lines = logs.filter((entry) => !entry.last);
    expect(lines.map((entry) => entry.content).sort()).toEqual([
      'listening on :80',
      'listening on :80',
      'ready',
      'ready',
    ]);
    expect(new Set(lines.map((entry) => entry.podName))).toEqual(new Set(pods));
    expect(logs.at(-1)).toMatchObject({ last: true, content: '', podName: '' });
  });

  it('lists and runs resource actions, and the resource then has the action event', async () => {
    const deployment = await deploymentRef();
    const listed = await tool<{ actions: Array<{ name: string; disabled: boolean }> }>(
      'get_resource_actions',
      {
        applicationName: 'web',
        applicationNamespace: NAMESPACE,
        resourceRef: deployment,
      },
    );
    expect(listed.actions.map((action) => [action.name, action.disabled])).toEqual([
      ['pause', false],
      ['restart', false],
      ['resume', true],
      ['scale', false],
    ]);

    expect(
      await tool('run_resource_action', {
        applicationName: 'web',
        applicationNamespace: NAMESPACE,
        resourceRef: deployment,
        action: 'pause',
      }),
    ).toEqual({});
    const paused = emulator.liveObjects('web').find((object) => object.kind === 'Deployment');
    expect(paused?.spec?.paused).toBe(true);
    const afterPause = await tool<{ actions: Array<{ name: string; disabled: boolean }> }>(
      'get_resource_actions',
      {
        applicationName: 'web',
        applicationNamespace: NAMESPACE,
        resourceRef: deployment,
      },
    );
    expect(afterPause.actions.filter((action) => action.disabled).map((action) => action.name)).toEqual([
      'pause',
    ]);

    const events = await tool<{
      items: Array<{ reason: string; message: string; involvedObject: { uid: string } }>;
    }>('get_resource_events', {
      applicationName: 'web',
      applicationNamespace: NAMESPACE,
      resourceUID: deployment.uid,
      resourceNamespace: deployment.namespace,
      resourceName: deployment.name,
    });
    expect(events.items.map((event) => [event.reason, event.message, event.involvedObject.uid])).toEqual([
      ['ResourceActionRan', 'admin ran action pause', deployment.uid],
    ]);

    const unknown = await tool<unknown>('run_resource_action', {
      applicationName: 'web',
      applicationNamespace: NAMESPACE,
      resourceRef: deployment,
      action: 'explode',
    });
    expect(unknown).toMatchObject({
      code: 2,
      message: 'error getting Lua resource action: built-in script does not exist',
    });
  });

  it('reads the application events and deletes the application', async () => {
    const events = await tool<{ items: Array<{ reason: string; involvedObject: { kind: string } }> }>(
      'get_application_events',
      { applicationName: 'web' },
    );
    const reasons = events.items.map((event) => event.reason);
    expect(reasons).toContain('ResourceCreated');
    expect(reasons).toContain('ResourceActionRan');
    expect(events.items.every((event) => event.involvedObject.kind === 'Application')).toBe(true);

    expect(await tool('delete_application', { applicationName: 'web', cascade: false })).toEqual({});
    expect(emulator.getApplication('web')).toBeUndefined();
    const missing = await tool<{ code: number; message: string }>('get_application', {
      applicationName: 'web',
    });
    expect(missing).toMatchObject({ code: 7, message: 'permission denied' });
  });

  it('reports a tool argument error from argocd-mcp itself without calling the server', async () => {
    const before = emulator.requests.length;
    const message = await toolError('get_appproject', {});
    expect(message).toMatch(/projectName/);
    expect(emulator.requests.length).toBe(before);
  });
});

async function deploymentRef() {
  const tree = await tool<{
    nodes: Array<{
      kind: string;
      name: string;
      namespace: string;
      group: string;
      version: string;
      uid: string;
    }>;
  }>('get_application_resource_tree', { applicationName: 'web' });
  const node = tree.nodes.find((candidate) => candidate.kind === 'Deployment');
  if (!node) throw new Error('no Deployment in the tree');
  return {
    uid: node.uid,
    kind: node.kind,
    namespace: node.namespace,
    name: node.name,
    version: node.version,
    group: node.group,
  };
}
