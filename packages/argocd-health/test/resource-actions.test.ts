import { describe, expect, it } from 'vitest';
import {
  discoverResourceActions,
  type ImpactedResource,
  ResourceActionError,
  runResourceAction,
} from '../src/index.js';

interface DeploymentShape {
  metadata: { annotations: Record<string, string> };
  spec: { paused?: boolean; replicas: number; template: { spec: unknown } };
}

function only(changes: ImpactedResource[]): { operation: string; resource: DeploymentShape } {
  expect(changes).toHaveLength(1);
  const [change] = changes as unknown as Array<{ operation: string; resource: DeploymentShape }>;
  if (!change) throw new Error('no change');
  return change;
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'prod', annotations: {} },
  spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } },
};

describe('resource actions (util/lua/lua.go ExecuteResourceAction / ExecuteResourceActionDiscovery)', () => {
  it('returns the changed object of an old-style action as a patch', async () => {
    const change = only(await runResourceAction('obj.spec.paused = true\nreturn obj', deployment));
    expect(change.operation).toBe('patch');
    expect(change.resource).toEqual({ ...deployment, spec: { ...deployment.spec, paused: true } });
  });

  it('keeps empty objects of the original as objects (cleanReturnedObj), not gopher-json arrays', async () => {
    const change = only(await runResourceAction('return obj', deployment));
    expect(change.resource.metadata.annotations).toEqual({});
    expect(change.resource.spec.template.spec).toEqual({
      containers: [],
    });
  });

  it('passes actionParams as strings and reads new-style impacted resource lists', async () => {
    const script = [
      'obj.spec.replicas = tonumber(actionParams["replicas"])',
      'return { { operation = "patch", resource = obj } }',
    ].join('\n');
    const changes = await runResourceAction(script, deployment, {
      parameters: [{ name: 'replicas', value: '5' }],
    });
    expect(only(changes).resource.spec.replicas).toBe(5);
  });

  it('refuses a result that is not a table with Argo CD wording', async () => {
    await expect(runResourceAction('return 1', deployment)).rejects.toThrow(
      'expect table output from Lua script, not number',
    );
    await expect(runResourceAction('error("boom", 0)', deployment)).rejects.toBeInstanceOf(
      ResourceActionError,
    );
  });

  it('runs without string/math (no open libraries), like the server VM', async () => {
    await expect(runResourceAction('return { x = string.upper("a") }', deployment)).rejects.toThrow(/string/);
  });

  it('discovers actions, first script wins, disabled flags and empty tables', async () => {
    const actions = await discoverResourceActions(
      [
        'local a = {}\na["restart"] = {}\na["pause"] = { disabled = obj.spec.paused == true, iconClass = "p" }\nreturn a',
        'return { restart = { disabled = true }, scale = { params = { { name = "replicas" } } } }',
        'return {}',
      ],
      deployment,
    );
    expect(actions).toEqual([
      { name: 'pause', disabled: false, iconClass: 'p' },
      { name: 'restart', disabled: false },
      { name: 'scale', disabled: false, params: [{ name: 'replicas' }] },
    ]);
  });

  it('formats time with the safe os library (restart annotations)', async () => {
    const change = only(
      await runResourceAction(
        'local os = require("os")\nobj.metadata.annotations["at"] = os.date("!%Y-%m-%dT%XZ")\nreturn obj',
        deployment,
      ),
    );
    expect(change.resource.metadata.annotations.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
