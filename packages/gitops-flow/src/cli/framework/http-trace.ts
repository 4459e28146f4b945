import { subscribe, unsubscribe } from 'node:diagnostics_channel';

interface UndiciRequest {
  method?: string;
  origin?: string | URL;
  path?: string;
}

/**
 * `--verbose`: one line per HTTP request and one per response status, from undici's diagnostics channels
 * (`undici:request:create`, `undici:request:headers`, published by the undici package and by node's fetch alike).
 * Only method, origin, path and status are shown; headers (where tokens live) never are, and the caller's writer
 * redacts registered secrets. Returns the function that stops tracing.
 */
export function traceHttpRequests(write: (line: string) => void): () => void {
  const started = new WeakMap<object, number>();
  const describe = (request: UndiciRequest): string =>
    `${request.method ?? 'GET'} ${String(request.origin ?? '').replace(/\/$/, '')}${request.path ?? ''}`;
  const onCreate = (message: unknown): void => {
    const request = (message as { request: UndiciRequest & object }).request;
    started.set(request, performance.now());
    write(`→ ${describe(request)}`);
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as {
      request: UndiciRequest & object;
      response: { statusCode?: number };
    };
    const begin = started.get(request);
    const took = begin === undefined ? '' : ` (${Math.round(performance.now() - begin)}ms)`;
    write(`← ${response.statusCode ?? '?'} ${describe(request)}${took}`);
  };
  subscribe('undici:request:create', onCreate);
  subscribe('undici:request:headers', onHeaders);
  return () => {
    unsubscribe('undici:request:create', onCreate);
    unsubscribe('undici:request:headers', onHeaders);
  };
}
