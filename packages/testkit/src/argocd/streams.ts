import { canAccessProject, loadApplication, matchesLabelSelector } from './application-access.js';
import { projectFields } from './field-projection.js';
import { httpStatusFromGrpcCode, httpStatusText } from './grpc-status.js';
import type { Application } from './model.js';
import { type Route, type RouteContext, STREAMED } from './routing.js';
import type { ApplicationChange } from './store.js';

export interface StreamWriter {
  /** Sends one `{"result": …}` message; false once the stream is closed. */
  send(result: unknown): void;
  sendError(code: number, message: string): void;
  close(): void;
  readonly closed: boolean;
}

/**
 * Opens a grpc-gateway server stream: NDJSON by default, SSE (`data: … \n\n` and `:` keep-alives) when the client
 * sends `Accept: text/event-stream` (argoproj/pkg grpc/http forwarders). Stream faults (drop after N events,
 * in-band error after N events) are applied here.
 */
export function openStream(context: RouteContext, onClose: () => void): StreamWriter {
  const { request, response, state } = context;
  const sse = (request.headers.accept ?? '').includes('text/event-stream');
  const drop = state.faults.take(['stream-drop', 'stream-error'], context.method, context.path);
  let sent = 0;
  let closed = false;
  response.writeHead(200, {
    'Content-Type': sse ? 'text/event-stream' : 'application/json',
    'Cache-Control': 'no-cache',
    ...context.responseHeaders,
  });
  response.flushHeaders();
  state.openStreams.add(response);
  const keepAlive = sse ? setInterval(() => response.write(':\n'), state.keepAliveIntervalMs) : undefined;
  const frame = (payload: unknown) =>
    sse ? `data: ${JSON.stringify(payload)} \n\n` : `${JSON.stringify(payload)}\n`;
  const cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(keepAlive);
    state.openStreams.delete(response);
    onClose();
  };
  response.on('close', cleanup);
  const writer: StreamWriter = {
    get closed() {
      return closed;
    },
    send(result) {
      if (closed) return;
      sent += 1;
      if (drop?.kind === 'stream-drop' && sent >= drop.afterEvents) {
        // Deliver the Nth event, then cut the connection without the chunked terminator (an abrupt drop).
        const socket = response.socket;
        cleanup();
        response.write(frame({ result }), () => socket?.destroy());
        return;
      }
      response.write(frame({ result }));
      if (drop?.kind === 'stream-error' && sent >= drop.afterEvents)
        writer.sendError(drop.code, drop.message);
    },
    sendError(code, message) {
      if (closed) return;
      const httpCode = httpStatusFromGrpcCode(code);
      response.end(
        frame({
          error: {
            grpc_code: code,
            http_code: httpCode,
            message,
            http_status: httpStatusText(httpCode),
            details: [],
          },
        }),
      );
      cleanup();
    },
    close() {
      if (closed) return;
      response.end();
      cleanup();
    },
  };
  return writer;
}

function isWatched(context: RouteContext, app: Application, minVersion: number): boolean {
  const { query } = context;
  const name = query.get('name');
  const projects = [...query.getAll('projects'), ...query.getAll('project')];
  const project = app.spec.project || 'default';
  return (
    (!name || app.metadata.name === name) &&
    (projects.length === 0 || projects.includes(project)) &&
    canAccessProject(context, project) &&
    matchesLabelSelector(app.metadata.labels, query.get('selector')) &&
    Number(app.metadata.resourceVersion ?? 0) >= minVersion
  );
}

async function watchApplications(context: RouteContext): Promise<typeof STREAMED> {
  const { state, query } = context;
  // No existence check: a single-app watch of a missing app simply stays silent (isApplicationPermitted filters).
  const name = query.get('name');
  const fields = query.get('fields') ?? undefined;
  const minVersion = Number.parseInt(query.get('resourceVersion') ?? '', 10) || 0;
  const lastSentByApp = new Map<string, string>();
  let unsubscribe: () => void = () => undefined;
  const writer = openStream(context, () => unsubscribe());
  const deliver = ({ type, application }: ApplicationChange) => {
    if (!isWatched(context, application, type === 'DELETED' ? 0 : minVersion)) return;
    const projected = projectFields({ result: { type, application } }, fields ? fields : undefined) as {
      result?: unknown;
    };
    const serialized = JSON.stringify(projected.result ?? {});
    // argoproj/pkg NewStreamForwarder drops identical consecutive messages per app (after `fields` filtering).
    if (lastSentByApp.get(application.metadata.name) === serialized) return;
    lastSentByApp.set(application.metadata.name, serialized);
    writer.send(projected.result ?? {});
  };
  // Mimics the server: ADDED for every matching app when no resourceVersion is given, and always for a single app.
  if (!query.get('resourceVersion') || name) {
    for (const application of state.store.listApplications()) deliver({ type: 'ADDED', application });
  }
  if (!writer.closed) unsubscribe = state.store.onApplicationChange(deliver);
  return STREAMED;
}

async function watchResourceTree(context: RouteContext): Promise<typeof STREAMED> {
  const name = loadApplication(context, context.params.applicationName ?? '').metadata.name;
  let unsubscribe: () => void = () => undefined;
  const writer = openStream(context, () => unsubscribe());
  // Like the real server (Redis pub/sub), nothing is sent on connect: GET the tree first, then stream changes.
  unsubscribe = context.state.store.onTreeChange((changed, tree) => {
    if (changed === name) writer.send(tree);
  });
  return STREAMED;
}

/** Watch stream routes. */
export const streamRoutes: Route[] = [
  { method: 'GET', pattern: '/api/v1/stream/applications', auth: 'required', handler: watchApplications },
  {
    method: 'GET',
    pattern: '/api/v1/stream/applications/:applicationName/resource-tree',
    auth: 'required',
    handler: watchResourceTree,
  },
];
