import type { ResourceType, TektonClient } from '@gitops-kit/tekton-client';
import { z } from 'zod';

/** Fixtures of the tests that run rendered release Tasks in the KubeEmulator. */
export const NAMESPACE = 'ci';
const core = (plural: string, kind: string): ResourceType => ({ group: '', version: 'v1', plural, kind });
export const SECRET = core('secrets', 'Secret');
export const CONFIG_MAP = core('configmaps', 'ConfigMap');

export const anyObject = z.looseObject({});

export function secret(name: string, data: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    data: Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
  };
}

export function configMap(key: string, text: string, name = 'stages'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { [key]: text } };
}

/** The git and Argo CD Secrets the Task mounts (replaced when they exist). */
export async function createSecrets(
  tekton: TektonClient,
  passwords: { gitPassword: string; argocdPassword: string },
  replace = false,
): Promise<void> {
  for (const [name, data] of [
    ['git-credentials', { username: 'deployer', password: passwords.gitPassword }],
    ['argocd-credentials', { username: 'admin', password: passwords.argocdPassword }],
  ] as const) {
    if (replace) await tekton.transport.delete(SECRET, NAMESPACE, name).catch(() => undefined);
    await tekton.transport.create(SECRET, NAMESPACE, secret(name, data), anyObject);
  }
}

export async function logLines(tekton: TektonClient, run: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const entry of tekton.pipelineRuns.logs(run)) lines.push(entry.line);
  return lines;
}
