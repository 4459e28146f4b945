import { loadApplication } from './application-access.js';
import { GrpcCode, rpcError } from './grpc-status.js';
import type { JsonObject, KubeObject } from './model.js';
import { formatKubeTime } from './model.js';
import type { PodLogLine } from './pod-logs.js';
import { type EmulatorState, type Route, type RouteContext, STREAMED } from './routing.js';
import { openStream } from './streams.js';

/** settings.go GetMaxPodLogsToRender default. */
const MAX_POD_LOGS_TO_RENDER = 10;

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros, none when whole. */
export function formatRfc3339Nano(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

interface SelectablePod {
  node: JsonObject;
  object: KubeObject | undefined;
}

interface LogQuery {
  kind: string;
  group: string;
  resourceName: string;
  namespace: string;
}

/** server/application/application.go isTheSelectedOne: the node matches, or one of its parents does. */
function isSelected(
  node: JsonObject,
  query: LogQuery,
  nodes: readonly JsonObject[],
  seen: Map<string, boolean>,
): boolean {
  const uid = String(node.uid ?? '');
  const known = seen.get(uid);
  if (known !== undefined) return known;
  if (
    (!query.resourceName || node.name === query.resourceName) &&
    (!query.kind || node.kind === query.kind) &&
    (!query.group || node.group === query.group) &&
    (!query.namespace || node.namespace === query.namespace)
  ) {
    seen.set(uid, true);
    return true;
  }
  seen.set(uid, false);
  const parents = (node.parentRefs ?? []) as JsonObject[];
  for (const parent of parents) {
    const parentNode = nodes.find(
      (candidate) =>
        candidate.namespace === parent.namespace &&
        candidate.name === parent.name &&
        candidate.group === parent.group &&
        candidate.kind === parent.kind,
    );
    if (parentNode && isSelected(parentNode, query, nodes, seen)) {
      seen.set(uid, true);
      return true;
    }
  }
  return false;
}

/** getSelectedPods: core-group Pods with a uid that match the query themselves or through their owners. */
export function selectPods(
  nodes: readonly JsonObject[],
  objects: readonly KubeObject[],
  query: LogQuery,
): SelectablePod[] {
  const seen = new Map<string, boolean>();
  return nodes
    .map((node, index) => ({ node, object: objects[index] }))
    .filter(
      ({ node }) =>
        node.kind === 'Pod' && node.group === '' && node.uid !== '' && isSelected(node, query, nodes, seen),
    );
}

function containersOf(pod: KubeObject | undefined): string[] {
  const containers = ((pod?.spec ?? {}) as { containers?: Array<{ name?: string }> }).containers ?? [];
  return containers.map((container) => container.name ?? '').filter(Boolean);
}

function int64Query(context: RouteContext, name: string): number {
  const raw = context.query.get(name);
  if (raw === null || raw === '') return 0;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw rpcError(
      GrpcCode.InvalidArgument,
      `type mismatch, parameter: ${name}, error: strconv.ParseInt: parsing "${raw}": invalid syntax`,
    );
  return value;
}

interface Entry {
  podName: string;
  content: string;
  atMs: number;
}

function logEntry(entry: Entry, last: boolean): JsonObject {
  return {
    content: entry.content,
    timeStamp: formatKubeTime(entry.atMs),
    podName: entry.podName,
    timeStampStr: formatRfc3339Nano(entry.atMs),
    last,
  };
}

/**
 * PodLogs: streams the logs of the app's pods that match the query (a Deployment's name selects its pods through
 * the ReplicaSet), merged in time order, as NDJSON `{"result": LogEntry}` lines with `last: false`, then one entry
 * with `last: true` (empty pod name and content). Kubernetes errors for a pod (unknown container, no previous
 * container) arrive as a log line, as upstream does. With `follow=true` new lines keep coming until the client
 * goes away, the app is deleted or the emulator stops.
 */
async function streamPodLogs(context: RouteContext): Promise<typeof STREAMED> {
  const { query, state } = context;
  const podName = context.params.podName;
  const logQuery: LogQuery = {
    kind: podName !== undefined ? 'Pod' : (query.get('kind') ?? ''),
    group: query.get('group') ?? '',
    resourceName: podName ?? query.get('resourceName') ?? '',
    namespace: query.get('namespace') ?? '',
  };
  const sinceSeconds = int64Query(context, 'sinceSeconds');
  const tailLines = int64Query(context, 'tailLines');
  const untilRaw = query.get('untilTime') ?? '';
  const untilMs = untilRaw ? Date.parse(untilRaw) : undefined;
  if (untilMs !== undefined && Number.isNaN(untilMs))
    throw rpcError(
      GrpcCode.Unknown,
      `invalid untilTime parameter value: parsing time "${untilRaw}" as RFC3339Nano`,
    );
  const filter = query.get('filter') ?? '';
  const inverse = filter.startsWith('!');
  const literal = inverse ? filter.slice(1) : filter;
  const matchCase = query.get('matchCase') === 'true';
  const follow = query.get('follow') === 'true';
  const container = query.get('container') ?? '';
  const previous = query.get('previous') === 'true';

  const app = loadApplication(context, context.params.name ?? '');
  const name = app.metadata.name;
  const tree = state.store.getTree(name) ?? { nodes: [] };
  const pods = selectPods(tree.nodes, state.controller.treeObjects(name), logQuery);
  if (pods.length > MAX_POD_LOGS_TO_RENDER)
    throw rpcError(
      GrpcCode.InvalidArgument,
      'max pods to view logs are reached. Please provide more granular query',
    );

  let unsubscribe: () => void = () => undefined;
  const writer = openStream(context, () => unsubscribe());
  if (pods.length === 0) {
    // No pod matches: the server returns without sending anything.
    writer.close();
    return STREAMED;
  }
  const keep = (content: string) => {
    if (!filter) return true;
    const contains = matchCase
      ? content.includes(literal)
      : content.toLowerCase().includes(literal.toLowerCase());
    return inverse ? !contains : contains;
  };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    unsubscribe();
    const now = state.clock();
    writer.send(logEntry({ podName: '', content: '', atMs: now }, true));
    writer.close();
  };
  const deliver = (entry: Entry): void => {
    if (finished || !keep(entry.content)) return;
    if (untilMs !== undefined && entry.atMs > untilMs) {
      // Upstream sends the first entry past untilTime with last=true and stops.
      finished = true;
      unsubscribe();
      writer.send(logEntry(entry, true));
      writer.close();
      return;
    }
    writer.send(logEntry(entry, false));
  };

  const errors: Entry[] = [];
  const initial: Entry[] = [];
  const streams = new Map<string, { namespace: string; container: string }>();
  for (const { node, object } of pods) {
    const pod = String(node.name);
    const namespace = String(node.namespace ?? '');
    const containers = containersOf(object);
    // What the Kubernetes API answers for the log request; the error text becomes a line without pod or time.
    let problem: string | undefined;
    const podHealth = (node.health as { status?: string } | undefined)?.status;
    if (container && !containers.includes(container))
      problem = `container ${container} is not valid for pod ${pod}`;
    else if (!container && containers.length > 1)
      problem = `a container name must be specified for pod ${pod}, choose one of: [${containers.join(' ')}]`;
    // kubelet validateContainerLogStatus: a container that has not started has no logs yet (the tree shows such
    // pods as ImagePullBackOff or ContainerCreating, so those are the waiting reasons).
    else if (podHealth === 'Degraded')
      problem = `container "${container || containers[0]}" in pod "${pod}" is waiting to start: trying and failing to pull image`;
    else if (podHealth === 'Progressing')
      problem = `container "${container || containers[0]}" in pod "${pod}" is waiting to start: ContainerCreating`;
    else if (previous)
      problem = `previous terminated container "${container || containers[0]}" in pod "${pod}" not found`;
    if (problem) {
      errors.push({ podName: '', content: problem, atMs: Date.parse('0001-01-01T00:00:00Z') });
      continue;
    }
    const chosen = container || containers[0] || '';
    streams.set(`${namespace}/${pod}`, { namespace, container: chosen });
    let lines = state.podLogs.read(name, namespace, pod, chosen);
    if (sinceSeconds > 0) lines = lines.filter((line) => line.atMs >= state.clock() - sinceSeconds * 1000);
    if (tailLines > 0) lines = lines.slice(-tailLines);
    initial.push(...lines.map((line) => ({ podName: pod, content: line.content, atMs: line.atMs })));
  }
  initial.sort((a, b) => a.atMs - b.atMs);
  for (const entry of [...errors, ...initial]) deliver(entry);
  if (!follow || streams.size === 0) {
    finish();
    return STREAMED;
  }
  const onLine = (line: PodLogLine) => {
    const wanted = streams.get(`${line.namespace}/${line.podName}`);
    if (wanted && wanted.container === line.container)
      deliver({ podName: line.podName, content: line.content, atMs: line.atMs });
  };
  const stopOnDelete = state.store.onApplicationChange((change) => {
    if (change.type === 'DELETED' && change.application.metadata.name === name) finish();
  });
  const stopFollowing = state.podLogs.follow(name, onLine);
  unsubscribe = () => {
    stopFollowing();
    stopOnDelete();
  };
  return STREAMED;
}

/** Pod selection for `ArgoCDEmulator.writePodLogs`: the pods `GET …/logs` would stream for the same query. */
export interface PodLogSelector {
  podName?: string;
  kind?: string;
  name?: string;
  group?: string;
  namespace?: string;
  container?: string;
}

/** Appends lines (stamped with the emulator clock) to each selected pod's container; returns the pod names. */
export function writeSelectedPodLogs(
  state: EmulatorState,
  appName: string,
  selector: PodLogSelector,
  lines: readonly string[],
): string[] {
  const nodes = state.store.getTree(appName)?.nodes ?? [];
  const pods = selectPods(nodes, state.controller.treeObjects(appName), {
    kind: selector.podName !== undefined ? 'Pod' : (selector.kind ?? ''),
    group: selector.group ?? '',
    resourceName: selector.podName ?? selector.name ?? '',
    namespace: selector.namespace ?? '',
  });
  const atMs = state.clock();
  for (const { node, object } of pods) {
    const container = selector.container ?? containersOf(object)[0] ?? '';
    state.podLogs.append(
      appName,
      lines.map((content) => ({
        podName: String(node.name),
        namespace: String(node.namespace ?? ''),
        container,
        content,
        atMs,
      })),
    );
  }
  return pods.map(({ node }) => String(node.name));
}

/** `GET …/logs` and `GET …/pods/{podName}/logs`. */
export const logRoutes: Route[] = [
  { method: 'GET', pattern: '/api/v1/applications/:name/logs', auth: 'required', handler: streamPodLogs },
  {
    method: 'GET',
    pattern: '/api/v1/applications/:name/pods/:podName/logs',
    auth: 'required',
    handler: streamPodLogs,
  },
];
