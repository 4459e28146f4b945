import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeFaults } from './fault-injection.js';
import { statusError } from './kube-status.js';
import type { ObjectStore } from './object-store.js';
import { isJsonObject } from './patches.js';
import { type ContainerLog, type PodLogStore, toLogTimestamp } from './pod-logs.js';
import type { ResourceType } from './resource-types.js';

function containerNames(pod: Record<string, unknown>, field: 'containers' | 'initContainers'): string[] {
  const spec = pod['spec'];
  const list = isJsonObject(spec) ? spec[field] : undefined;
  return Array.isArray(list)
    ? list.map((container) => (isJsonObject(container) ? String(container['name']) : ''))
    : [];
}

/**
 * Serves `GET pods/<name>/log` with `container`, `follow`, `timestamps`, `sinceTime`, `sinceSeconds` and
 * `tailLines`. A container that has not started answers 400 `... is waiting to start: <reason>` and a pod
 * without a node 400 `... does not have a host assigned`, as the API server does; a followed stream ends when the
 * container terminates or the pod is deleted.
 *
 * @throws KubeEmulatorStatusError 400 / 404 before any byte is written.
 */
export async function handlePodLog(
  context: {
    store: ObjectStore;
    logs: PodLogStore;
    faults: KubeFaults;
    podType: ResourceType;
    now: () => number;
  },
  namespace: string,
  podName: string,
  query: URLSearchParams,
  response: ServerResponse,
): Promise<void> {
  const pod = context.store.require(context.podType, namespace, podName);
  const containers = containerNames(pod, 'containers');
  const initContainers = containerNames(pod, 'initContainers');
  let container = query.get('container') ?? '';
  if (container === '') {
    if (containers.length !== 1) {
      throw statusError(
        400,
        'BadRequest',
        `a container name must be specified for pod ${podName}, choose one of: [${containers.join(' ')}]${initContainers.length > 0 ? ` or one of the init containers: [${initContainers.join(' ')}]` : ''}`,
      );
    }
    container = containers[0] ?? '';
  }
  if (!containers.includes(container) && !initContainers.includes(container)) {
    throw statusError(400, 'BadRequest', `container ${container} is not valid for pod ${podName}`);
  }
  const spec = pod['spec'];
  if (!isJsonObject(spec) || typeof spec['nodeName'] !== 'string' || spec['nodeName'] === '') {
    throw statusError(400, 'BadRequest', `pod ${podName} does not have a host assigned`);
  }
  const log: ContainerLog | undefined = context.logs.get(namespace, podName, container);
  if (log?.state === 'waiting') {
    throw statusError(
      400,
      'BadRequest',
      `container "${container}" in pod "${podName}" is waiting to start: ${log.waitingReason}`,
    );
  }
  const follow = query.get('follow') === 'true' || query.get('follow') === '1';
  const timestamps = query.get('timestamps') === 'true' || query.get('timestamps') === '1';
  const sinceTime = query.get('sinceTime');
  const sinceSeconds = Number(query.get('sinceSeconds') ?? 'NaN');
  let notBeforeMs = sinceTime === null ? Number.NEGATIVE_INFINITY : Date.parse(sinceTime);
  if (Number.isNaN(notBeforeMs)) throw statusError(400, 'BadRequest', `invalid sinceTime "${sinceTime}"`);
  if (Number.isFinite(sinceSeconds)) notBeforeMs = Math.max(notBeforeMs, context.now() - sinceSeconds * 1000);
  const tailLines = Number(query.get('tailLines') ?? 'NaN');

  response.writeHead(200, { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' });
  response.flushHeaders();
  let clientGone = false;
  let wake: (() => void) | undefined;
  response.on('close', () => {
    clientGone = true;
    wake?.();
  });
  if (log === undefined) {
    response.end();
    return;
  }
  let index = Number.isInteger(tailLines) && tailLines >= 0 ? Math.max(0, log.lines.length - tailLines) : 0;
  while (!clientGone) {
    while (index < log.lines.length && !clientGone) {
      const line = log.lines[index];
      index += 1;
      if (line === undefined || line.timeMs < notBeforeMs) continue;
      const delayMs = context.faults.logLineDelayMs;
      if (delayMs !== undefined && delayMs > 0) await sleep(delayMs);
      if (clientGone) break;
      response.write(`${timestamps ? `${toLogTimestamp(line.timeMs)} ` : ''}${line.text}\n`);
    }
    if (!follow || log.state === 'terminated' || log.removed || clientGone) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      log.listeners.add(resolve);
    });
    wake = undefined;
  }
  if (!clientGone) response.end();
}
