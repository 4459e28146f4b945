import { setTimeout as sleep } from 'node:timers/promises';
import type { ArgoCDEmulator } from '../src/argocd/index.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Calls the emulator with plain fetch: JSON content type on non-GET, bearer token when given. */
export async function call(
  emulator: ArgoCDEmulator,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (method !== 'GET' && !('Content-Type' in headers)) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const response = await fetch(`${emulator.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export async function login(
  emulator: ArgoCDEmulator,
  username = 'admin',
  password = 'password',
): Promise<string> {
  const response = await call(emulator, 'POST', '/api/v1/session', { body: { username, password } });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.text}`);
  return (response.json as { token: string }).token;
}

/** Polls an in-process condition (no HTTP) until it holds; bounded. */
export async function eventually<T>(
  read: () => T | undefined | false,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export function application(
  name: string,
  repoURL: string,
  extra: {
    autoSync?: boolean;
    valueFiles?: string[];
    path?: string;
    targetRevision?: string;
    project?: string;
  } = {},
) {
  return {
    metadata: { name, labels: { team: 'payments' } },
    spec: {
      project: extra.project ?? 'default',
      source: {
        repoURL,
        path: extra.path ?? 'helm',
        targetRevision: extra.targetRevision ?? 'main',
        helm: { valueFiles: extra.valueFiles ?? ['my-values.yaml'] },
      },
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
      ...(extra.autoSync ? { syncPolicy: { automated: { prune: true } } } : {}),
    },
  };
}

/** Reads framed messages from a streaming response until `count` arrive or the time runs out. */
export async function readMessages(
  response: Response,
  count: number,
  options: { sse: boolean; timeoutMs?: number },
): Promise<{ messages: unknown[]; keepAlives: number; raw: string }> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('no body');
  const decoder = new TextDecoder();
  let raw = '';
  const messages: unknown[] = [];
  let keepAlives = 0;
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  let buffer = '';
  const timer = new AbortController();
  const timedOut = sleep(Math.max(1, deadline - Date.now()), undefined, { signal: timer.signal }).then(
    () => ({ done: true, value: undefined }) as const,
    () => ({ done: true, value: undefined }) as const,
  );
  while (messages.length < count && Date.now() < deadline) {
    const result = await Promise.race([reader.read(), timedOut]);
    if (result.done) break;
    const chunk = decoder.decode(result.value, { stream: true });
    raw += chunk;
    buffer += chunk;
    const separator = options.sse ? '\n\n' : '\n';
    for (let index = buffer.indexOf(separator); index >= 0; index = buffer.indexOf(separator)) {
      const frame = buffer.slice(0, index);
      buffer = buffer.slice(index + separator.length);
      for (const line of options.sse ? frame.split('\n') : [frame]) {
        if (options.sse && line.startsWith(':')) keepAlives += 1;
        else if (options.sse && line.startsWith('data: ')) messages.push(JSON.parse(line.slice(6)));
        else if (!options.sse && line.trim()) messages.push(JSON.parse(line));
      }
    }
    if (options.sse && buffer.startsWith(':\n')) {
      keepAlives += 1;
      buffer = buffer.slice(2);
    }
  }
  timer.abort();
  await reader.cancel().catch(() => undefined);
  return { messages, keepAlives, raw };
}
