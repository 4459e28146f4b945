import { HttpClient, type HttpClientOptions, registerSecret } from '@gitops-kit/core';
import { z } from 'zod';
import { TriggerError, WaitTimeoutError } from '../errors/tekton-errors.js';
import type { PipelineRuns } from '../runs/pipeline-runs.js';
import type { PipelineRun } from '../schemas/runs.js';

/** The label Tekton Triggers puts on everything it creates for an event (the code's spelling, not the docs'). */
export const TRIGGERS_EVENT_ID_LABEL = 'triggers.tekton.dev/triggers-eventid';

const sinkResponseSchema = z.looseObject({
  eventListener: z.string().optional(),
  namespace: z.string().optional(),
  eventListenerUID: z.string().optional(),
  eventID: z.string(),
});

/** Options of {@link sendGitLabPushEvent}. */
export interface GitLabPushEventOptions {
  /** The GitLab webhook secret (`X-Gitlab-Token`). Registered for redaction. */
  secretToken?: string;
  /** `X-Gitlab-Event`; default `Push Hook`. */
  eventType?: string;
  /** How long to wait for the PipelineRun to appear; default 60 000 ms. */
  findRunTimeoutMs?: number;
  /** Set false to return right after the listener accepted the event. */
  findRun?: boolean;
  /** Namespace the run is created in; default the client's. */
  namespace?: string;
  signal?: AbortSignal;
  /** Transport options for the listener (TLS, proxy, dispatcher). */
  http?: Omit<HttpClientOptions, 'baseUrl'>;
}

/** What the listener said, and the PipelineRun it created when it was found. */
export interface GitLabPushEventResult {
  eventId: string;
  eventListener: string | undefined;
  namespace: string | undefined;
  pipelineRun: PipelineRun | undefined;
}

/**
 * POSTs a GitLab push payload to an EventListener (with `X-Gitlab-Event` and `X-Gitlab-Token`) and, since the
 * listener answers 202 before it creates anything, finds the PipelineRun it created by the
 * `triggers.tekton.dev/triggers-eventid` label with a watch, within a deadline.
 *
 * @throws {TriggerError} when the listener answers with an error status or no event id.
 * @throws {WaitTimeoutError} when no PipelineRun carries the event id before the deadline (a rejected trigger
 *   still gets a 202: tektoncd/triggers#1183).
 * @example
 * ```ts
 * const { pipelineRun } = await sendGitLabPushEvent(client.pipelineRuns, listenerUrl, payload, { secretToken });
 * ```
 */
export async function sendGitLabPushEvent(
  pipelineRuns: PipelineRuns,
  listenerUrl: string,
  payload: unknown,
  options: GitLabPushEventOptions = {},
): Promise<GitLabPushEventResult> {
  registerSecret(options.secretToken);
  const url = new URL(listenerUrl);
  const http = new HttpClient({ ...options.http, baseUrl: url.origin, retry: false });
  let eventId: string;
  let accepted: z.infer<typeof sinkResponseSchema>;
  try {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-gitlab-event': options.eventType ?? 'Push Hook',
    };
    if (options.secretToken) headers['x-gitlab-token'] = options.secretToken;
    const response = await http.request({
      method: 'POST',
      path: url.pathname || '/',
      headers,
      body: JSON.stringify(payload),
      idempotent: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const parsed = sinkResponseSchema.safeParse(response.data);
    if (!parsed.success)
      throw new TriggerError('the EventListener accepted the event but sent no eventID', {
        status: response.status,
      });
    accepted = parsed.data;
    eventId = parsed.data.eventID;
  } catch (error) {
    if (TriggerError.isInstance(error)) throw error;
    const status = (error as { status?: number }).status;
    throw new TriggerError(`the EventListener refused the event${status ? ` (HTTP ${status})` : ''}`, {
      cause: error,
      ...(status ? { status } : {}),
    });
  } finally {
    await http.close();
  }
  const result: GitLabPushEventResult = {
    eventId,
    eventListener: accepted.eventListener,
    namespace: accepted.namespace,
    pipelineRun: undefined,
  };
  if (options.findRun === false) return result;
  const timeoutMs = options.findRunTimeoutMs ?? 60_000;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const namespace = options.namespace ?? accepted.namespace;
  try {
    for await (const event of pipelineRuns.watch({
      labelSelector: `${TRIGGERS_EVENT_ID_LABEL}=${eventId}`,
      signal: controller.signal,
      ...(namespace ? { namespace } : {}),
    })) {
      if (event.type !== 'DELETED') return { ...result, pipelineRun: event.object };
    }
  } catch (error) {
    if (!timedOut) throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  throw new WaitTimeoutError(
    `no PipelineRun labelled ${TRIGGERS_EVENT_ID_LABEL}=${eventId} appeared within ${timeoutMs} ms (the trigger may have been rejected)`,
    { timeoutMs },
  );
}
