// Small Tekton helpers shared by the examples: create objects the client has no applier for, follow logs.
import { type ResourceType, type RunLogEntry, TektonClient } from '@gitops-kit/tekton-client';
import type { KubeEmulator } from '@gitops-kit/testkit';
import { z } from 'zod';
import { block } from './report.js';

const anyObject = z.looseObject({});

const TYPES: Record<string, ResourceType> = {
  Secret: { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' },
  TriggerBinding: {
    group: 'triggers.tekton.dev',
    version: 'v1beta1',
    plural: 'triggerbindings',
    kind: 'TriggerBinding',
  },
  TriggerTemplate: {
    group: 'triggers.tekton.dev',
    version: 'v1beta1',
    plural: 'triggertemplates',
    kind: 'TriggerTemplate',
  },
  EventListener: {
    group: 'triggers.tekton.dev',
    version: 'v1beta1',
    plural: 'eventlisteners',
    kind: 'EventListener',
  },
};

/** A client for the emulator, through the same HTTP API a cluster would serve. */
export function clientFor(kube: KubeEmulator, namespace: string): TektonClient {
  return new TektonClient({ server: kube.url, token: kube.token, namespace, logPollIntervalMs: 50 });
}

/**
 * Creates a Secret, TriggerBinding, TriggerTemplate or EventListener with the client's Kubernetes transport (the
 * Tekton client only has appliers for Tasks and Pipelines).
 *
 * @throws {KubernetesApiError} when the API server refuses the object.
 */
export async function createObject(client: TektonClient, object: Record<string, unknown>): Promise<void> {
  const kind = String(object['kind']);
  const type = TYPES[kind];
  if (type === undefined) throw new TypeError(`createObject: unsupported kind ${kind}`);
  await client.transport.create(type, client.namespace, object, anyObject);
}

/**
 * Merge-patches a TriggerTemplate, EventListener or other object created with {@link createObject} (what
 * `kubectl apply` of an edited file does for the fields it names).
 *
 * @throws {KubernetesApiError} when the API server refuses the patch.
 */
export async function patchObject(
  client: TektonClient,
  kind: string,
  name: string,
  patch: Record<string, unknown>,
): Promise<void> {
  const type = TYPES[kind];
  if (type === undefined) throw new TypeError(`patchObject: unsupported kind ${kind}`);
  await client.transport.mergePatch(type, client.namespace, name, patch, anyObject);
}

/** An opaque Secret with string data (base64-encoded for the API). */
export function secret(name: string, data: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
  };
}

/** Formats one log entry like `tkn pr logs`: `[task : step] line`. */
export function formatLogEntry(entry: RunLogEntry): string {
  if (entry.kind !== 'log') return `[${entry.pipelineTask || entry.taskRun}] (${entry.kind}) ${entry.line}`;
  return `[${entry.pipelineTask || entry.taskRun} : ${entry.step}] ${entry.line}`;
}

/** Follows a PipelineRun's logs until it is done, printing each line; resolves with the lines. */
export async function followLogs(client: TektonClient, name: string, signal: AbortSignal): Promise<string[]> {
  const lines: string[] = [];
  for await (const entry of client.pipelineRuns.logs(name, { follow: true, signal, drainTimeoutMs: 5_000 })) {
    const line = formatLogEntry(entry);
    lines.push(line);
    block(line);
  }
  return lines;
}
