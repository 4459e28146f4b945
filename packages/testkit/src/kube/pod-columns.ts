import type { KubeObject } from './object-store.js';

type Fields = Record<string, unknown>;

const fields = (value: unknown): Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : {};
const list = (value: unknown): Fields[] => (Array.isArray(value) ? value.map(fields) : []);

function terminatedReason(terminated: Fields, prefix: string): string {
  const reason = terminated['reason'];
  if (typeof reason === 'string' && reason !== '') return `${prefix}${reason}`;
  const signal = Number(terminated['signal'] ?? 0);
  return signal !== 0
    ? `${prefix}Signal:${signal}`
    : `${prefix}ExitCode:${Number(terminated['exitCode'] ?? 0)}`;
}

/**
 * A pod's READY, STATUS and RESTARTS cells as kubectl prints them (printPod in
 * pkg/printers/internalversion/printers.go): the status is the phase unless an init container is still
 * pending/failing (`Init:1/2`, `Init:Error`) or a container waits or terminated with a reason (the last
 * container listed wins); a pod being deleted is `Terminating`.
 */
export function podStatusColumns(pod: KubeObject): { ready: string; status: string; restarts: number } {
  const spec = fields(pod['spec']);
  const status = fields(pod['status']);
  const initContainers = list(spec['initContainers']);
  let reason = String(status['reason'] ?? '') || String(status['phase'] ?? 'Pending');
  let restarts = 0;
  let ready = 0;
  let initializing = false;
  const initStatuses = list(status['initContainerStatuses']);
  for (const [index, container] of initStatuses.entries()) {
    restarts += Number(container['restartCount'] ?? 0);
    const state = fields(container['state']);
    const terminated = state['terminated'] === undefined ? undefined : fields(state['terminated']);
    const waitingReason = String(fields(state['waiting'])['reason'] ?? '');
    if (terminated !== undefined && Number(terminated['exitCode'] ?? 0) === 0) continue;
    if (terminated !== undefined) reason = terminatedReason(terminated, 'Init:');
    else if (waitingReason !== '' && waitingReason !== 'PodInitializing') reason = `Init:${waitingReason}`;
    else reason = `Init:${index}/${initContainers.length}`;
    initializing = true;
    break;
  }
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const statuses = list(status['containerStatuses']);
    for (const container of [...statuses].reverse()) {
      restarts += Number(container['restartCount'] ?? 0);
      const state = fields(container['state']);
      const waitingReason = String(fields(state['waiting'])['reason'] ?? '');
      if (waitingReason !== '') reason = waitingReason;
      else if (state['terminated'] !== undefined) reason = terminatedReason(fields(state['terminated']), '');
      else if (container['ready'] === true && state['running'] !== undefined) {
        hasRunning = true;
        ready += 1;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = 'Running';
  }
  if (pod.metadata.deletionTimestamp !== undefined) reason = 'Terminating';
  return { ready: `${ready}/${list(spec['containers']).length}`, status: reason, restarts };
}
