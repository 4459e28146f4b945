import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyText, sendJson } from './http-util.js';
import { notFound } from './kube-status.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import { isJsonObject, type JsonObject } from './patches.js';
import { findResourceTypeByKind } from './resource-types.js';
import type { SimulatedClock } from './simulated-clock.js';

const type = (kind: string) => findResourceTypeByKind(kind)!;

/** What one trigger did with one request. */
export interface TriggerOutcome {
  trigger: string;
  /** `created` when the template was applied, `rejected` by an interceptor, `failed` otherwise. */
  result: 'created' | 'rejected' | 'failed';
  message?: string;
  /** `Kind/namespace/name` of each created object. */
  created: string[];
}

/** One request to an EventListener sink. */
export interface EventListenerDelivery {
  eventListener: string;
  namespace: string;
  eventId: string;
  triggers: TriggerOutcome[];
  /** Resolves when every trigger has run (the HTTP answer comes before). */
  settled: Promise<void>;
}

interface Trigger {
  name?: string;
  interceptors?: Array<{
    name?: string;
    ref?: { name?: string };
    params?: Array<{ name: string; value: unknown }>;
  }>;
  bindings?: Array<{ ref?: string; kind?: string; name?: string; value?: string }>;
  template?: {
    ref?: string;
    name?: string;
    spec?: { params?: Array<{ name: string; default?: string }>; resourcetemplates?: unknown[] };
  };
}

function lookup(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path === '' ? [] : path.split('.'))
    current = isJsonObject(current as never) ? (current as JsonObject)[part] : undefined;
  return current;
}

/**
 * EventListener sinks in the manner of Tekton Triggers: the GitLab interceptor (`X-Gitlab-Event` against
 * `eventTypes`, `X-Gitlab-Token` compared in constant time with the secret from `secretRef`), TriggerBindings
 * (`$(body.x.y)`, `$(header.X)`, `$(context.eventID)`), TriggerTemplates (`$(tt.params.x)` by text substitution in
 * the JSON, `$(uid)`), and creation of the rendered objects with the `triggers.tekton.dev/*` labels. It
 * answers 202 with the event id **before** anything is created (Triggers runs triggers in goroutines), and also
 * 202 when a trigger is rejected (tektoncd/triggers#1183); `deliveries` says what really happened.
 */
export class EventListenerSink {
  readonly deliveries: EventListenerDelivery[] = [];
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: SimulatedClock,
    /** Simulated ms between the 202 and the creation of the objects. */
    private readonly processingDelayMs = 200,
  ) {}

  /** Stops processing (pending deliveries are dropped). */
  stop(): void {
    this.stopped = true;
  }

  /** Serves one POST to the sink. @throws KubeEmulatorStatusError 404 when the EventListener does not exist. */
  async handle(
    namespace: string,
    name: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const listener = this.store.get(type('EventListener'), namespace, name);
    if (listener === undefined) throw notFound('eventlisteners', 'triggers.tekton.dev', name);
    const text = await readBodyText(request);
    let body: unknown = {};
    try {
      body = text === '' ? {} : (JSON.parse(text) as unknown);
    } catch {
      sendJson(response, 400, { eventListener: name, namespace, message: 'the body is not valid JSON' });
      return;
    }
    const eventId = randomUUID();
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers))
      headers[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : String(value ?? '');
    const delivery: EventListenerDelivery = {
      eventListener: name,
      namespace,
      eventId,
      triggers: [],
      settled: Promise.resolve(),
    };
    delivery.settled = this.clock.sleep(this.processingDelayMs).then(() => {
      if (this.stopped) return;
      const triggers = (listener['spec'] as { triggers?: unknown } | undefined)?.triggers;
      // A malformed listener (triggers not a list, a trigger not an object) fails its triggers; it must never
      // reject `settled`, which nobody may be awaiting (an unhandled rejection would end the process).
      for (const [index, trigger] of (Array.isArray(triggers) ? triggers : []).entries()) {
        try {
          delivery.triggers.push(this.runTrigger(listener, trigger as Trigger, body, headers, eventId));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          delivery.triggers.push({ trigger: `#${index}`, result: 'failed', message, created: [] });
        }
      }
    });
    this.deliveries.push(delivery);
    sendJson(response, 202, {
      eventListener: name,
      namespace,
      eventListenerUID: listener.metadata.uid,
      eventID: eventId,
    });
  }

  private runTrigger(
    listener: KubeObject,
    trigger: Trigger,
    body: unknown,
    headers: Record<string, string>,
    eventId: string,
  ): TriggerOutcome {
    const namespace = listener.metadata.namespace ?? 'default';
    const outcome: TriggerOutcome = { trigger: trigger.name ?? '', result: 'failed', created: [] };
    try {
      const rejection = this.intercept(namespace, trigger, headers);
      if (rejection !== undefined) return { ...outcome, result: 'rejected', message: rejection };
      const params = new Map<string, string>();
      for (const binding of trigger.bindings ?? []) {
        const entries =
          binding.ref === undefined
            ? [{ name: binding.name ?? '', value: binding.value ?? '' }]
            : this.bindingParams(namespace, binding.ref, binding.kind);
        for (const entry of entries) {
          if (params.has(entry.name)) throw new Error(`duplicate param name "${entry.name}" in bindings`);
          params.set(entry.name, this.resolveBindingValue(entry.value, body, headers, eventId));
        }
      }
      const templateName = trigger.template?.ref ?? trigger.template?.name;
      const template =
        templateName === undefined
          ? { spec: trigger.template?.spec ?? {} }
          : this.store.get(type('TriggerTemplate'), namespace, templateName);
      if (template === undefined)
        throw new Error(`triggertemplates.triggers.tekton.dev "${templateName}" not found`);
      const spec = (template['spec'] ?? {}) as NonNullable<NonNullable<Trigger['template']>['spec']>;
      for (const param of spec.params ?? []) {
        if (params.has(param.name)) continue;
        if (param.default === undefined)
          throw new Error(`parameter "${param.name}" has no value and no default`);
        params.set(param.name, param.default);
      }
      const uid = randomUUID().slice(0, 5);
      for (const resource of spec.resourcetemplates ?? []) {
        let json = JSON.stringify(resource).replaceAll('$(uid)', uid);
        for (const [key, value] of params) {
          const escaped = JSON.stringify(value.replaceAll('$(', '$$(')).slice(1, -1);
          json = json.replaceAll(`$(tt.params.${key})`, escaped);
        }
        const object = JSON.parse(json) as KubeObject;
        object.metadata ??= {} as KubeObject['metadata'];
        object.metadata.labels = {
          ...(object.metadata.labels ?? {}),
          'triggers.tekton.dev/eventlistener': listener.metadata.name,
          'triggers.tekton.dev/trigger': trigger.name ?? '',
          'triggers.tekton.dev/triggers-eventid': eventId,
        };
        const resourceType = findResourceTypeByKind(String(object.kind), object.apiVersion);
        if (resourceType === undefined) throw new Error(`the emulator does not serve ${String(object.kind)}`);
        const created = this.store.create(
          resourceType,
          object.metadata.namespace ?? namespace,
          object as never,
        );
        outcome.created.push(`${created.kind}/${created.metadata.namespace}/${created.metadata.name}`);
      }
      return { ...outcome, result: 'created' };
    } catch (error) {
      return { ...outcome, message: (error as Error).message };
    }
  }

  private intercept(
    namespace: string,
    trigger: Trigger,
    headers: Record<string, string>,
  ): string | undefined {
    for (const interceptor of trigger.interceptors ?? []) {
      const interceptorName = interceptor.ref?.name ?? interceptor.name;
      if (interceptorName !== 'gitlab')
        return `interceptor "${interceptorName}" is not supported by the KubeEmulator`;
      const param = (key: string): unknown => interceptor.params?.find((entry) => entry.name === key)?.value;
      const eventTypes = param('eventTypes');
      const event = headers['x-gitlab-event'] ?? '';
      if (Array.isArray(eventTypes) && !eventTypes.includes(event))
        return `event type ${event} is not allowed`;
      const secretRef = param('secretRef') as { secretName?: string; secretKey?: string } | undefined;
      if (secretRef === undefined) continue;
      const token = headers['x-gitlab-token'];
      if (token === undefined) return 'no X-Gitlab-Token header set';
      const secret = this.store.get(type('Secret'), namespace, secretRef.secretName ?? '');
      const encoded = (secret?.['data'] as Record<string, string> | undefined)?.[secretRef.secretKey ?? ''];
      if (encoded === undefined)
        return `secret ${secretRef.secretName ?? ''} or key ${secretRef.secretKey ?? ''} not found`;
      const expected = Buffer.from(encoded, 'base64');
      const given = Buffer.from(token);
      if (expected.length !== given.length || !timingSafeEqual(expected, given))
        return 'Invalid X-Gitlab-Token';
    }
    return undefined;
  }

  private bindingParams(
    namespace: string,
    ref: string,
    kind: string | undefined,
  ): Array<{ name: string; value: string }> {
    if (kind === 'ClusterTriggerBinding')
      throw new Error('ClusterTriggerBinding is not supported by the KubeEmulator');
    const binding = this.store.get(type('TriggerBinding'), namespace, ref);
    if (binding === undefined) throw new Error(`triggerbindings.triggers.tekton.dev "${ref}" not found`);
    return (binding['spec'] as { params?: Array<{ name: string; value: string }> } | undefined)?.params ?? [];
  }

  private resolveBindingValue(
    value: string,
    body: unknown,
    headers: Record<string, string>,
    eventId: string,
  ): string {
    return value.replace(/\$\(([^()]+)\)/g, (text, expression: string) => {
      let resolved: unknown;
      if (expression === 'body' || expression.startsWith('body.'))
        resolved = lookup(body, expression.slice(5));
      else if (expression.startsWith('header.')) resolved = headers[expression.slice(7).toLowerCase()];
      else if (expression === 'header') resolved = headers;
      else if (expression === 'context.eventID') resolved = eventId;
      else return text;
      if (resolved === undefined) throw new Error(`failed to replace JSONPath value for param ${expression}`);
      return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    });
  }
}
