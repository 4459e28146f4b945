import { ConnectionError, GitOpsKitError, readLines, sleep, TimeoutError } from '@gitops-kit/core';
import { z } from 'zod';
import { KubernetesApiError } from '../errors/kubernetes-api-error.js';
import { PodGoneError, WaitTimeoutError } from '../errors/tekton-errors.js';
import type { KubeTransport } from './kube-transport.js';
import { RESOURCES, resourcePath } from './resource.js';

/** One log line with the kubelet's timestamp. */
export interface PodLogLine {
  line: string;
  /** RFC 3339 time the kubelet recorded, when known. */
  time: string | undefined;
}

/** Options of {@link streamPodLogs}. */
export interface PodLogOptions {
  namespace: string;
  pod: string;
  container?: string;
  follow?: boolean;
  /** Only lines at or after this RFC 3339 time (second precision on the server). */
  sinceTime?: string;
  signal?: AbortSignal;
  /** How long to wait for a container that is not started yet (PodInitializing, unscheduled); default 10 min. */
  startTimeoutMs?: number;
  /** Poll interval while waiting for the container to start; default 500 ms. */
  pollIntervalMs?: number;
  /** Consecutive reconnections without a new line before giving up; default 10. */
  maxReconnects?: number;
}

// The apiserver's 400s for containers that will start later: init containers running, image pulling, no node yet.
const WAITING =
  /waiting to start|PodInitializing|ContainerCreating|does not have a host assigned|is not yet|pending/i;

/** Normalises an RFC 3339 timestamp to nanosecond digits so equal instants compare equal as strings. */
function normaliseTimestamp(time: string): string {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) return time;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0').slice(0, 9)}${match[3]}`;
}

function splitTimestamp(raw: string): PodLogLine {
  const space = raw.indexOf(' ');
  const candidate = space > 0 ? raw.slice(0, space) : raw;
  if (/^\d{4}-\d\d-\d\dT/.test(candidate))
    return { time: candidate, line: space > 0 ? raw.slice(space + 1) : '' };
  return { time: undefined, line: raw };
}

function isWaiting(error: unknown): boolean {
  return KubernetesApiError.isInstance(error) && error.status === 400 && WAITING.test(error.message);
}

const podStatusSchema = z.looseObject({
  status: z
    .looseObject({
      phase: z.string().optional(),
      containerStatuses: z
        .array(
          z.looseObject({
            name: z.string(),
            state: z.looseObject({ terminated: z.unknown().optional() }).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

async function containerTerminated(transport: KubeTransport, options: PodLogOptions): Promise<boolean> {
  const pod = await transport.get(
    RESOURCES.pods,
    options.namespace,
    options.pod,
    podStatusSchema,
    options.signal ? { signal: options.signal } : {},
  );
  const status = pod.status;
  if (status?.phase === 'Succeeded' || status?.phase === 'Failed') return true;
  const container = status?.containerStatuses?.find((entry) => entry.name === options.container);
  return Boolean(container?.state?.terminated);
}

/**
 * Streams a container's log (`GET …/pods/{pod}/log`) with timestamps. Waits — instead of failing — while the
 * container is not started yet ("waiting to start: PodInitializing", unscheduled pods). A stream that breaks (or,
 * when following, ends before the container terminated) is reopened with `sinceTime` at the last line's second,
 * and lines already delivered are skipped by timestamp, so nothing is lost or repeated.
 *
 * @throws {PodGoneError} when the pod does not exist (deleted by cancellation or timeout).
 * @throws {WaitTimeoutError} when the container does not start within `startTimeoutMs`.
 * @example
 * ```ts
 * for await (const { line } of streamPodLogs(transport, { namespace: 'ci', pod: 'run-build-pod', container: 'step-build', follow: true })) console.log(line);
 * ```
 */
export async function* streamPodLogs(
  transport: KubeTransport,
  options: PodLogOptions,
): AsyncGenerator<PodLogLine> {
  const startTimeoutMs = options.startTimeoutMs ?? 600_000;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const maxReconnects = options.maxReconnects ?? 10;
  const waitDeadline = Date.now() + startTimeoutMs;
  let lastTime: string | undefined; // normalised
  let atLastTime = 0; // lines already delivered carrying exactly lastTime
  let sinceTime = options.sinceTime;
  let reconnects = 0;
  while (true) {
    let stream: Awaited<ReturnType<KubeTransport['http']['stream']>> | undefined;
    try {
      transport.requestCount += 1;
      stream = await transport.http.stream({
        path: resourcePath(RESOURCES.pods, options.namespace, options.pod, 'log'),
        query: {
          timestamps: true,
          ...(options.container ? { container: options.container } : {}),
          ...(options.follow ? { follow: true } : {}),
          ...(sinceTime ? { sinceTime } : {}),
        },
        retry: { maxAttempts: 3 },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      let skipAtLastTime = atLastTime;
      for await (const raw of readLines(stream.body, options.signal ? { signal: options.signal } : {})) {
        const entry = splitTimestamp(raw);
        if (entry.time !== undefined && lastTime !== undefined) {
          const normalised = normaliseTimestamp(entry.time);
          if (normalised < lastTime) continue;
          if (normalised === lastTime && skipAtLastTime > 0) {
            skipAtLastTime -= 1;
            continue;
          }
        }
        if (entry.time !== undefined) {
          const normalised = normaliseTimestamp(entry.time);
          atLastTime = normalised === lastTime ? atLastTime + 1 : 1;
          lastTime = normalised;
        }
        reconnects = 0; // progress: the budget is for consecutive failures
        yield entry;
      }
      if (!options.follow || !options.container) return;
      if (await containerTerminated(transport, options)) return;
      throw new ConnectionError('log stream ended before the container terminated');
    } catch (error) {
      if (KubernetesApiError.isNotFound(error)) throw new PodGoneError(options.pod, { cause: error });
      if (isWaiting(error)) {
        if (Date.now() + pollIntervalMs > waitDeadline) {
          throw new WaitTimeoutError(
            `container ${options.container ?? ''} of pod "${options.pod}" did not start in time`,
            {
              timeoutMs: startTimeoutMs,
            },
          );
        }
        await sleep(pollIntervalMs, options.signal);
        continue;
      }
      const broken = ConnectionError.isInstance(error) || TimeoutError.isInstance(error);
      if (!broken || reconnects >= maxReconnects || !GitOpsKitError.isInstance(error)) throw error;
      reconnects += 1;
      if (lastTime !== undefined) sinceTime = `${lastTime.slice(0, 19)}Z`;
      await sleep(Math.min(100 * 2 ** reconnects, 2_000), options.signal);
    } finally {
      stream?.close();
    }
  }
}
