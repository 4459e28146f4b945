import type { KubeEmulator } from '../src/kube/index.js';

/** Arbitrary JSON read by assertions (tests check shapes with `expect`, not with types). */
// biome-ignore lint/suspicious/noExplicitAny: assertions read arbitrary JSON from the emulator.
export type Json = any;

/** A JSON response from the emulator. */
export interface JsonResponse<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the emulator with its bearer token (or the given headers) and parses JSON. */
export async function call<T = Json>(
  kube: KubeEmulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const response = await fetch(`${kube.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${kube.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : JSON.parse(text),
  };
}

/** One decoded watch event. */
export interface WatchEvent {
  type: string;
  object: Json;
}

/**
 * Opens a watch and collects events until `maxEvents` arrived, the server ended the stream, or `timeoutMs`
 * (real) passed. `ended` says whether the server closed the stream itself.
 */
export async function collectWatch(
  kube: KubeEmulator,
  path: string,
  options: { maxEvents?: number; timeoutMs?: number; onOpen?: () => void } = {},
): Promise<{ status: number; events: WatchEvent[]; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 2000);
  const events: WatchEvent[] = [];
  let ended = false;
  let status = 0;
  try {
    const response = await fetch(`${kube.url}${path}`, {
      headers: { authorization: `Bearer ${kube.token}` },
      signal: controller.signal,
    });
    status = response.status;
    if (status !== 200 || response.body === null) {
      events.push({ type: 'HTTP', object: await response.json() });
      return { status, events, ended: true };
    }
    options.onOpen?.();
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== '') events.push(JSON.parse(line) as WatchEvent);
        newline = buffer.indexOf('\n');
      }
      if (options.maxEvents !== undefined && events.length >= options.maxEvents) {
        controller.abort();
        break;
      }
    }
    ended = !controller.signal.aborted;
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return { status, events, ended };
}

/** Reads a text response (pod logs). */
export async function readText(
  kube: KubeEmulator,
  path: string,
  timeoutMs = 5000,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${kube.url}${path}`, {
    headers: { authorization: `Bearer ${kube.token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}

/** A ConfigMap manifest. */
export function configMap(
  name: string,
  labels: Record<string, string> = {},
  namespace = 'default',
): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data: { key: name } };
}

/** Condition `Succeeded` of an object. */
export function succeeded(object: Json): { status: string; reason: string; message: string } | undefined {
  return object?.status?.conditions?.find((condition: { type: string }) => condition.type === 'Succeeded');
}

/** Whether the run's Succeeded condition is True or False. */
export function isFinished(object: Json): boolean {
  const condition = succeeded(object);
  return condition !== undefined && condition.status !== 'Unknown';
}
