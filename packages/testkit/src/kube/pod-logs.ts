import type { SimulatedClock } from './simulated-clock.js';

/** One log line of a container, stamped with simulated time. */
export interface PodLogLine {
  timeMs: number;
  text: string;
}

/** Log and lifecycle of one container as the log endpoint sees it. */
export interface ContainerLog {
  lines: PodLogLine[];
  state: 'waiting' | 'running' | 'terminated';
  /** Why the container is waiting (`PodInitializing`, `ContainerCreating`). */
  waitingReason: string;
  /** Set when the pod was deleted: followers end, new readers get 404 from the pod lookup. */
  removed: boolean;
  readonly listeners: Set<() => void>;
}

/** Formats simulated epoch ms like the kubelet's fixed-width RFC 3339 nano timestamps. */
export function toLogTimestamp(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 23)}000000Z`;
}

/**
 * Container logs of the pods the emulator runs, with change notification for `follow` readers.
 *
 * @example
 * ```ts
 * logs.ensure('default', 'run-build-pod', ['step-compile']);
 * logs.setState('default', 'run-build-pod', 'step-compile', 'running');
 * logs.append('default', 'run-build-pod', 'step-compile', 'compiling');
 * ```
 */
export class PodLogStore {
  private readonly containers = new Map<string, ContainerLog>();

  constructor(private readonly clock: SimulatedClock) {}

  private key(namespace: string, pod: string, container: string): string {
    return `${namespace}/${pod}/${container}`;
  }

  /** Creates log records (waiting) for containers that have none. */
  ensure(
    namespace: string,
    pod: string,
    containers: readonly string[],
    waitingReason = 'ContainerCreating',
  ): void {
    for (const container of containers) {
      const key = this.key(namespace, pod, container);
      if (!this.containers.has(key)) {
        this.containers.set(key, {
          lines: [],
          state: 'waiting',
          waitingReason,
          removed: false,
          listeners: new Set(),
        });
      }
    }
  }

  /** The record of a container, or `undefined` when the emulator never ran it. */
  get(namespace: string, pod: string, container: string): ContainerLog | undefined {
    return this.containers.get(this.key(namespace, pod, container));
  }

  private notify(log: ContainerLog): void {
    const listeners = [...log.listeners];
    log.listeners.clear();
    for (const listener of listeners) listener();
  }

  /** Moves a container to another state (followers of a terminated container finish). */
  setState(
    namespace: string,
    pod: string,
    container: string,
    state: ContainerLog['state'],
    waitingReason?: string,
  ): void {
    const log = this.get(namespace, pod, container);
    if (log === undefined) return;
    log.state = state;
    if (waitingReason !== undefined) log.waitingReason = waitingReason;
    this.notify(log);
  }

  /** Appends a line at the current simulated time. */
  append(namespace: string, pod: string, container: string, text: string): void {
    const log = this.get(namespace, pod, container);
    if (log === undefined || log.removed) return;
    log.lines.push({ timeMs: this.clock.now(), text });
    this.notify(log);
  }

  /** Forgets every container of a pod (the pod was deleted); open followers end. */
  removePod(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const [key, log] of [...this.containers]) {
      if (!key.startsWith(prefix)) continue;
      log.removed = true;
      this.containers.delete(key);
      this.notify(log);
    }
  }
}
