import { randomUUID } from 'node:crypto';
import { notFound, statusError } from './kube-status.js';
import type { JsonObject } from './patches.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';
import type { SimulatedClock } from './simulated-clock.js';

/** Metadata of a stored object (the fields the emulator manages plus whatever the client sent). */
export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  generateName?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{
    apiVersion: string;
    kind: string;
    name: string;
    uid: string;
    controller?: boolean;
  }>;
  deletionTimestamp?: string;
  [key: string]: unknown;
}

/** A stored Kubernetes object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [key: string]: unknown;
}

/** A change to the store, in the order the global resourceVersion counter assigned. Its objects are read-only. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resourceType: ResourceType;
  object: KubeObject;
  resourceVersion: number;
  /** For MODIFIED: the object before the change (lets filtered watches turn a change into ADDED/DELETED). */
  previousObject?: KubeObject;
}

/** Mutates an object before it is stored (the emulator's stand-in for admission webhooks such as Tekton's defaults). */
export type AdmissionHook = (type: ResourceType, object: KubeObject, operation: 'CREATE' | 'UPDATE') => void;

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function qualifiedKind(type: ResourceType): string {
  return type.group === '' ? type.kind : `${type.kind}.${type.group}`;
}

function keyOf(type: ResourceType, namespace: string | undefined, name: string): string {
  return `${type.plural}.${type.group}/${type.namespaced ? (namespace ?? '') : ''}/${name}`;
}

/** Options of a write. */
export interface WriteOptions {
  /** `dryRun=All`: validate and answer as for a real write, store nothing, notify no watch. */
  dryRun?: boolean;
}

/**
 * The emulator's storage: objects per resource type with one global resourceVersion counter (as etcd gives the
 * API server), uid, creationTimestamp, generation, generateName, optimistic concurrency, owner-reference garbage
 * collection and a bounded event history that backs watches (older versions → 410 Expired).
 *
 * @example
 * ```ts
 * const created = store.create(type, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cm-' } });
 * ```
 */
export class ObjectStore {
  /** Stored objects are never mutated after they are set; `json` is their serialised form (cheap copies and diffs). */
  private readonly objects = new Map<string, { object: KubeObject; json: string }>();
  /** Per resource type, like the API server's watch cache: churn in pods does not expire PipelineRun watches. */
  private readonly history = new Map<ResourceType, StoreEvent[]>();
  private readonly compactedByType = new Map<ResourceType, number>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly admissionHooks: AdmissionHook[] = [];
  private resourceVersion = 1000;
  private compactedResourceVersion = 0;
  /** Suffixes handed out for `generateName` before random ones (lets tests force a collision). */
  readonly scriptedNameSuffixes: string[] = [];

  constructor(
    private readonly clock: SimulatedClock,
    private readonly historyLimit: number,
  ) {}

  /** The latest resourceVersion handed out. */
  currentResourceVersion(): number {
    return this.resourceVersion;
  }

  /** Versions below this one have left the history of `type`; a watch or continue from an older version gets 410. */
  oldestWatchableResourceVersion(type: ResourceType): number {
    return Math.max(this.compactedResourceVersion, this.compactedByType.get(type) ?? 0);
  }

  /** Drops the whole event history, as an etcd compaction does. */
  compact(): void {
    this.history.clear();
    this.compactedByType.clear();
    this.compactedResourceVersion = this.resourceVersion;
  }

  /** Registers an admission hook. */
  addAdmissionHook(hook: AdmissionHook): void {
    this.admissionHooks.push(hook);
  }

  /** Calls `listener` synchronously for every change; returns the unsubscribe function. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events of `type` after `resourceVersion`, or `undefined` when that version is older than its history. */
  eventsSince(type: ResourceType, resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestWatchableResourceVersion(type)) return undefined;
    return (this.history.get(type) ?? []).filter((event) => event.resourceVersion > resourceVersion);
  }

  /** A copy of one object, or `undefined`. */
  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const entry = this.objects.get(keyOf(type, namespace, name));
    return entry === undefined ? undefined : (JSON.parse(entry.json) as KubeObject);
  }

  /** The stored object itself, for read-only use by the emulator's controllers (no copy). */
  peek(type: ResourceType, namespace: string | undefined, name: string): Readonly<KubeObject> | undefined {
    return this.objects.get(keyOf(type, namespace, name))?.object;
  }

  /** A copy of one object. @throws KubeEmulatorStatusError 404 NotFound. */
  require(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.get(type, namespace, name);
    if (object === undefined) throw notFound(type.plural, type.group, name);
    return object;
  }

  /** Copies of the objects of a type, in one namespace or all, sorted by namespace then name. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    return this.entries(type, namespace).map((entry) => JSON.parse(entry.json) as KubeObject);
  }

  /** The stored objects of a type, for read-only use by the emulator's controllers (no copies). */
  peekList(type: ResourceType, namespace?: string): ReadonlyArray<Readonly<KubeObject>> {
    return this.entries(type, namespace).map((entry) => entry.object);
  }

  private entries(type: ResourceType, namespace?: string): Array<{ object: KubeObject; json: string }> {
    const prefix = `${type.plural}.${type.group}/${type.namespaced && namespace !== undefined ? `${namespace}/` : ''}`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
      .map(([, entry]) => entry);
  }

  private nextName(generateName: string): string {
    let suffix = this.scriptedNameSuffixes.shift();
    if (suffix === undefined) {
      suffix = '';
      for (let index = 0; index < 5; index += 1) {
        suffix += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
      }
    }
    return `${generateName}${suffix}`;
  }

  private validate(type: ResourceType, object: KubeObject): void {
    const name = object.metadata.name;
    if (!NAME_PATTERN.test(name) || name.length > 253) {
      const why = `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`;
      const message = `Invalid value: "${name}": ${why}`;
      throw statusError(
        422,
        'Invalid',
        `${qualifiedKind(type)} "${name}" is invalid: metadata.name: ${message}`,
        {
          name,
          group: type.group,
          kind: type.kind,
          causes: [{ reason: 'FieldValueInvalid', message, field: 'metadata.name' }],
        },
      );
    }
  }

  private normalise(type: ResourceType, object: KubeObject): void {
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    if (type.kind === 'Secret' && object['stringData'] !== undefined) {
      const data = { ...((object['data'] as Record<string, string> | undefined) ?? {}) };
      for (const [key, value] of Object.entries(object['stringData'] as Record<string, string>)) {
        data[key] = Buffer.from(String(value)).toString('base64');
      }
      object['data'] = data;
      delete object['stringData'];
    }
  }

  private emit(
    type: StoreEvent['type'],
    resourceType: ResourceType,
    object: KubeObject,
    previous?: KubeObject,
  ): void {
    const event: StoreEvent = {
      type,
      resourceType,
      object,
      resourceVersion: Number(object.metadata.resourceVersion),
    };
    if (previous !== undefined) event.previousObject = previous;
    const history = this.history.get(resourceType) ?? [];
    this.history.set(resourceType, history);
    history.push(event);
    while (history.length > this.historyLimit) {
      const dropped = history.shift();
      if (dropped !== undefined) this.compactedByType.set(resourceType, dropped.resourceVersion);
    }
    for (const listener of [...this.listeners]) listener(event);
  }

  /**
   * Creates an object (POST semantics).
   *
   * @throws KubeEmulatorStatusError 409 AlreadyExists, 422 Invalid (no name, bad name), 400 BadRequest
   *   (namespace in the body differs from the URL).
   */
  create(
    type: ResourceType,
    namespace: string | undefined,
    input: JsonObject | KubeObject,
    options: WriteOptions = {},
  ): KubeObject {
    const object = structuredClone(input) as unknown as KubeObject;
    const metadata = (object.metadata ?? {}) as Partial<KubeObjectMeta>;
    object.metadata = metadata as KubeObjectMeta;
    if (type.namespaced) {
      if (metadata.namespace !== undefined && namespace !== undefined && metadata.namespace !== namespace) {
        throw statusError(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = namespace ?? metadata.namespace ?? 'default';
    } else delete metadata.namespace;
    if ((metadata.name ?? '') === '') {
      if ((metadata.generateName ?? '') === '') {
        const message = 'name or generateName is required';
        throw statusError(
          422,
          'Invalid',
          `${qualifiedKind(type)} "" is invalid: metadata.name: Required value: ${message}`,
          {
            group: type.group,
            kind: type.kind,
            causes: [
              { reason: 'FieldValueRequired', message: `Required value: ${message}`, field: 'metadata.name' },
            ],
          },
        );
      }
      metadata.name = this.nextName(metadata.generateName ?? '');
    }
    this.normalise(type, object);
    this.validate(type, object);
    const key = keyOf(type, metadata.namespace, object.metadata.name);
    if (this.objects.has(key)) {
      const name = object.metadata.name;
      throw statusError(
        409,
        'AlreadyExists',
        `${type.plural}${type.group === '' ? '' : `.${type.group}`} "${name}" already exists`,
        {
          name,
          group: type.group,
          kind: type.plural,
        },
      );
    }
    for (const hook of this.admissionHooks) hook(type, object, 'CREATE');
    Object.assign(metadata, {
      uid: randomUUID(),
      resourceVersion: String(this.resourceVersion + 1),
      creationTimestamp: this.clock.isoNow(),
      generation: 1,
    });
    delete metadata.deletionTimestamp;
    // A dry run answers what would be stored, without a resourceVersion (nothing was written).
    if (options.dryRun === true) {
      delete (metadata as Partial<KubeObjectMeta>).resourceVersion;
      return structuredClone(object);
    }
    this.resourceVersion += 1;
    const json = JSON.stringify(object);
    this.objects.set(key, { object, json });
    this.emit('ADDED', type, object);
    return JSON.parse(json) as KubeObject;
  }

  /**
   * Replaces an object (PUT semantics). With a status subresource, a main-resource write keeps the stored
   * `status` and a `status` write keeps everything else. A stale `metadata.resourceVersion` is a conflict.
   *
   * @throws KubeEmulatorStatusError 404 NotFound, 409 Conflict.
   */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    input: JsonObject | KubeObject,
    subresource?: 'status',
    options: WriteOptions = {},
  ): KubeObject {
    const key = keyOf(type, namespace, name);
    const entry = this.objects.get(key);
    if (entry === undefined) throw notFound(type.plural, type.group, name);
    const current = entry.object;
    const incoming = structuredClone(input) as unknown as KubeObject;
    incoming.metadata = (incoming.metadata ?? {}) as KubeObjectMeta;
    const sentVersion = incoming.metadata.resourceVersion;
    if (sentVersion !== undefined && sentVersion !== '' && sentVersion !== current.metadata.resourceVersion) {
      const message = `Operation cannot be fulfilled on ${type.plural}${type.group === '' ? '' : `.${type.group}`} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
      throw statusError(409, 'Conflict', message, { name, group: type.group, kind: type.plural });
    }
    let next: KubeObject;
    if (subresource === 'status')
      next = { ...(JSON.parse(entry.json) as KubeObject), status: incoming['status'] };
    else {
      next = incoming;
      if (type.statusSubresource) {
        if (current['status'] === undefined) delete next['status'];
        else next['status'] = structuredClone(current['status']);
      }
    }
    this.normalise(type, next);
    const immutable = [
      'name',
      'namespace',
      'uid',
      'creationTimestamp',
      'generation',
      'resourceVersion',
    ] as const;
    for (const field of immutable) {
      if (current.metadata[field] === undefined) delete next.metadata[field];
      else (next.metadata as Record<string, unknown>)[field] = current.metadata[field];
    }
    if (next.metadata.namespace === undefined) delete next.metadata.namespace;
    if (subresource !== 'status') for (const hook of this.admissionHooks) hook(type, next, 'UPDATE');
    if (JSON.stringify(next) === entry.json) return JSON.parse(entry.json) as KubeObject;
    if (JSON.stringify(next['spec']) !== JSON.stringify(current['spec'])) {
      next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    if (options.dryRun === true) return structuredClone(next);
    this.resourceVersion += 1;
    next.metadata.resourceVersion = String(this.resourceVersion);
    const json = JSON.stringify(next);
    this.objects.set(key, { object: next, json });
    this.emit('MODIFIED', type, next, current);
    return JSON.parse(json) as KubeObject;
  }

  /**
   * Read-modify-write for the emulator's own controllers: `change` edits a copy (status included) and the
   * result is stored in one write (one event); nothing is written when it leaves the object unchanged.
   * Returns the stored result, or `undefined` if the object is gone.
   */
  mutate(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    change: (object: KubeObject) => void,
  ): KubeObject | undefined {
    const key = keyOf(type, namespace, name);
    const entry = this.objects.get(key);
    if (entry === undefined) return undefined;
    const current = entry.object;
    const next = JSON.parse(entry.json) as KubeObject;
    change(next);
    if (JSON.stringify(next) === entry.json) return next;
    next.metadata.uid = current.metadata.uid;
    next.metadata.name = current.metadata.name;
    if (JSON.stringify(next['spec']) !== JSON.stringify(current['spec'])) {
      next.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
    this.resourceVersion += 1;
    next.metadata.resourceVersion = String(this.resourceVersion);
    const json = JSON.stringify(next);
    this.objects.set(key, { object: next, json });
    this.emit('MODIFIED', type, next, current);
    return JSON.parse(json) as KubeObject;
  }

  /**
   * Deletes an object and (as the garbage collector would) everything it owns.
   *
   * @throws KubeEmulatorStatusError 404 NotFound.
   */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: WriteOptions = {},
  ): KubeObject {
    const key = keyOf(type, namespace, name);
    const entry = this.objects.get(key);
    if (entry === undefined) throw notFound(type.plural, type.group, name);
    if (options.dryRun === true) return JSON.parse(entry.json) as KubeObject;
    const current = entry.object;
    this.objects.delete(key);
    this.resourceVersion += 1;
    const deleted = JSON.parse(entry.json) as KubeObject;
    deleted.metadata.resourceVersion = String(this.resourceVersion);
    deleted.metadata.deletionTimestamp = this.clock.isoNow();
    this.emit('DELETED', type, deleted);
    const ownerUid = current.metadata.uid;
    for (const [ownedKey, { object: owned }] of [...this.objects.entries()]) {
      if (owned.metadata.ownerReferences?.some((reference) => reference.uid === ownerUid) !== true) continue;
      const ownedType = this.typeOfKey(ownedKey);
      if (ownedType !== undefined && this.objects.has(ownedKey)) {
        this.delete(ownedType, owned.metadata.namespace, owned.metadata.name);
      }
    }
    return JSON.parse(JSON.stringify(deleted)) as KubeObject;
  }

  private readonly typesByKeyPrefix = new Map<string, ResourceType>();

  /** Makes `type` known for garbage collection of owned objects. */
  registerType(type: ResourceType): void {
    this.typesByKeyPrefix.set(`${type.plural}.${type.group}/`, type);
  }

  private typeOfKey(key: string): ResourceType | undefined {
    for (const [prefix, type] of this.typesByKeyPrefix) if (key.startsWith(prefix)) return type;
    return undefined;
  }
}
