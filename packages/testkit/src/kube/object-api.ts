import { parseAllDocuments } from 'yaml';
import { statusError } from './kube-status.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import { applyMergePatch, isJsonObject, type JsonObject, type JsonValue } from './patches.js';
import { findResourceTypeByKind, type ResourceType } from './resource-types.js';
import { convertTektonObject } from './tekton-conversion.js';

/** Names an object by kind (kinds are unique among the served types). */
export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
}

function typeOf(kind: string, apiVersion?: string): ResourceType {
  const type = findResourceTypeByKind(kind, apiVersion);
  if (type === undefined)
    throw statusError(
      404,
      'NotFound',
      `the emulator does not serve kind ${kind}${apiVersion ? ` (${apiVersion})` : ''}`,
    );
  return type;
}

/** The stored type of an object and the object as stored (a `tekton.dev/v1beta1` object is converted to v1). */
function stored(object: Record<string, unknown>): { type: ResourceType; object: Record<string, unknown> } {
  const type = typeOf(String(object['kind']), object['apiVersion'] as string | undefined);
  if (type.storage === undefined) return { type, object };
  return { type: type.storage, object: convertTektonObject(object, 'toV1') };
}

/**
 * In-process access to the emulator's objects, for seeding and asserting without HTTP. Writes go through the
 * same store as the API (resourceVersions, watch events, the Tekton controller all see them).
 *
 * @example
 * ```ts
 * kube.apply(`apiVersion: tekton.dev/v1\nkind: Task\nmetadata: { name: build }\nspec: { steps: [{ name: make, image: alpine }] }`);
 * const run = kube.getObject({ kind: 'PipelineRun', namespace: 'default', name: 'run-1' });
 * ```
 */
export class KubeObjectApi {
  constructor(
    protected readonly store: ObjectStore,
    /** Namespace used when a call or manifest names none (the emulator's `namespace` option). */
    protected readonly defaultNamespace = 'default',
  ) {}

  /** The latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.store.currentResourceVersion();
  }

  /** Creates an object (POST semantics, `generateName` honoured). @throws KubeEmulatorStatusError as the API would. */
  createObject(input: Record<string, unknown>): KubeObject {
    const { type, object } = stored(input);
    const metadata = isJsonObject(object['metadata'] as JsonValue) ? (object['metadata'] as JsonObject) : {};
    const namespace = type.namespaced
      ? ((metadata['namespace'] as string | undefined) ?? this.defaultNamespace)
      : undefined;
    return this.store.create(type, namespace, object as JsonObject);
  }

  /**
   * Creates or replaces objects given as objects or as (multi-document) YAML text; objects with only
   * `generateName` are always created. A `status` in the input is stored as given (for seeding finished runs;
   * start with `tekton: false` to keep the controller away from them). Returns the stored objects.
   *
   * @throws KubeEmulatorStatusError for an unserved kind or an invalid object; YAML errors from `yaml`.
   */
  apply(input: string | Record<string, unknown> | Array<Record<string, unknown>>): KubeObject[] {
    const objects =
      typeof input === 'string'
        ? parseAllDocuments(input)
            .map((document) => document.toJS() as Record<string, unknown> | null)
            .filter((object): object is Record<string, unknown> => object !== null)
        : Array.isArray(input)
          ? input
          : [input];
    return objects.map((input) => {
      const { type, object } = stored(input);
      const metadata = (object['metadata'] ?? {}) as { name?: string; namespace?: string };
      const namespace = type.namespaced ? (metadata.namespace ?? this.defaultNamespace) : undefined;
      if (metadata.name !== undefined && this.store.get(type, namespace, metadata.name) !== undefined) {
        const { metadata: _sent, ...body } = object;
        const { resourceVersion: _version, ...unversioned } = metadata as Record<string, unknown>;
        const input = { ...body, metadata: unversioned } as JsonObject;
        const updated = this.store.update(type, namespace, metadata.name, input);
        // Seeding: a status given to apply() is written too (through the status subresource).
        if (!type.statusSubresource || object['status'] === undefined) return updated;
        return this.store.update(
          type,
          namespace,
          metadata.name,
          { ...updated, status: object['status'] } as unknown as JsonObject,
          'status',
        );
      }
      return this.store.create(type, namespace, object as JsonObject);
    });
  }

  /** One object, or `undefined`. */
  getObject(reference: ObjectReference): KubeObject | undefined {
    const type = typeOf(reference.kind);
    return this.store.get(
      type,
      type.namespaced ? (reference.namespace ?? this.defaultNamespace) : undefined,
      reference.name,
    );
  }

  /** Objects of a kind, in one namespace or (without `namespace`) all, sorted by namespace and name. */
  listObjects(kind: string, namespace?: string): KubeObject[] {
    return this.store.list(typeOf(kind), namespace);
  }

  /** Applies a JSON merge patch (status included). @throws KubeEmulatorStatusError 404. */
  patchObject(reference: ObjectReference, patch: Record<string, unknown>): KubeObject {
    const type = typeOf(reference.kind);
    const namespace = type.namespaced ? (reference.namespace ?? this.defaultNamespace) : undefined;
    const result = this.store.mutate(type, namespace, reference.name, (object) => {
      const patched = applyMergePatch(
        object as unknown as JsonObject,
        patch as JsonObject,
      ) as unknown as KubeObject;
      for (const key of Object.keys(object)) delete object[key];
      Object.assign(object, patched);
    });
    if (result === undefined)
      throw statusError(404, 'NotFound', `${reference.kind} "${reference.name}" not found`);
    return result;
  }

  /** Deletes an object (and what it owns). @throws KubeEmulatorStatusError 404. */
  deleteObject(reference: ObjectReference): KubeObject {
    const type = typeOf(reference.kind);
    return this.store.delete(
      type,
      type.namespaced ? (reference.namespace ?? this.defaultNamespace) : undefined,
      reference.name,
    );
  }

  /**
   * Resolves with the first state of an object that satisfies `predicate` (checked now and on every change).
   *
   * @throws Error when `timeoutMs` (real ms, default 10 000) passes first.
   */
  waitForObject(
    reference: ObjectReference,
    predicate: (object: KubeObject) => boolean,
    options: { timeoutMs?: number } = {},
  ): Promise<KubeObject> {
    const type = typeOf(reference.kind);
    const namespace = type.namespaced ? (reference.namespace ?? this.defaultNamespace) : undefined;
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const object = this.store.get(type, namespace, reference.name);
        if (object === undefined || !predicate(object)) return false;
        finish();
        resolve(object);
        return true;
      };
      const unsubscribe = this.store.subscribe((event) => {
        if (event.resourceType === type && event.object.metadata.name === reference.name) check();
      });
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${reference.kind} ${namespace ?? ''}/${reference.name}`));
      }, options.timeoutMs ?? 10_000);
      const finish = (): void => {
        unsubscribe();
        clearTimeout(timer);
      };
      check();
    });
  }
}
