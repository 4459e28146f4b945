import { EventEmitter } from 'node:events';

/** One line a container wrote (what `kubectl logs --timestamps` returns). */
export interface PodLogLine {
  podName: string;
  namespace: string;
  container: string;
  content: string;
  atMs: number;
}

/**
 * The container logs of the emulated pods, per application, written by tests (`ArgoCDEmulator.writePodLogs`);
 * followers are told about new lines as they arrive. Bounded per app like a kubelet's log rotation.
 */
export class PodLogStore {
  private readonly lines = new Map<string, PodLogLine[]>();
  private readonly emitter = new EventEmitter();
  private static readonly MAX_LINES_PER_APP = 10_000;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  append(appName: string, lines: readonly PodLogLine[]): void {
    const list = this.lines.get(appName) ?? [];
    list.push(...lines.map((line) => ({ ...line })));
    this.lines.set(appName, list.slice(-PodLogStore.MAX_LINES_PER_APP));
    for (const line of lines) this.emitter.emit(appName, { ...line });
  }

  /** Lines of one container of one pod, oldest first. */
  read(appName: string, namespace: string, podName: string, container: string): PodLogLine[] {
    return (this.lines.get(appName) ?? []).filter(
      (line) => line.podName === podName && line.namespace === namespace && line.container === container,
    );
  }

  /** Calls `listener` for every line written to the app from now on; returns the unsubscribe function. */
  follow(appName: string, listener: (line: PodLogLine) => void): () => void {
    this.emitter.on(appName, listener);
    return () => this.emitter.off(appName, listener);
  }

  forget(appName: string): void {
    this.lines.delete(appName);
  }
}
