import { parse as parseYaml } from 'yaml';
import { statusError } from './kube-status.js';
import type { KubeObject, ObjectStore, WriteOptions } from './object-store.js';
import { applyMergePatch, isJsonObject, type JsonObject } from './patches.js';
import { apiVersionOf, type ResourceType } from './resource-types.js';

/** The media type of a server-side apply patch (kubectl apply --server-side). */
export const APPLY_PATCH_MEDIA_TYPE = 'application/apply-patch+yaml';

function parseApplied(text: string): JsonObject {
  let applied: unknown;
  try {
    applied = parseYaml(text) as unknown;
  } catch {
    throw statusError(400, 'BadRequest', 'error decoding YAML: the apply patch is not valid YAML or JSON');
  }
  if (!isJsonObject(applied)) throw statusError(400, 'BadRequest', 'the apply patch must be an object');
  return applied;
}

/**
 * Server-side apply (PATCH with `application/apply-patch+yaml`): creates the object when it does not exist,
 * otherwise merges the applied configuration into the live object (maps merged, lists replaced). As the API
 * server, it needs `fieldManager`, `apiVersion` and `kind`, honours `dryRun` and a `metadata.resourceVersion`
 * precondition. Not emulated: field ownership (managedFields, conflicts between managers, `force`) and the
 * removal of fields a manager stops applying.
 *
 * @throws KubeEmulatorStatusError 422 without fieldManager, 400 for a bad body or an identity mismatch, and
 *   the store's errors (409 Conflict, 422 Invalid).
 */
export function serverSideApply(
  store: ObjectStore,
  type: ResourceType,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  text: string,
  fieldManager: string,
  options: WriteOptions,
): { object: KubeObject; created: boolean } {
  if (fieldManager === '') {
    throw statusError(
      422,
      'Invalid',
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  }
  const applied = parseApplied(text);
  if (applied['apiVersion'] !== apiVersionOf(type) || applied['kind'] !== type.kind) {
    throw statusError(
      400,
      'BadRequest',
      `the apply patch's apiVersion and kind (${String(applied['apiVersion'])}, ${String(applied['kind'])}) do not match the resource (${apiVersionOf(type)}, ${type.kind})`,
    );
  }
  const metadata = isJsonObject(applied['metadata']) ? applied['metadata'] : {};
  if (metadata['name'] !== undefined && metadata['name'] !== name) {
    throw statusError(
      400,
      'BadRequest',
      `the name of the object (${String(metadata['name'])}) does not match the name on the URL (${name})`,
    );
  }
  const live = store.get(type, namespace, name);
  if (live === undefined) {
    if (subresource !== undefined) throw statusError(404, 'NotFound', `${type.plural} "${name}" not found`);
    const object = store.create(type, namespace, { ...applied, metadata: { ...metadata, name } }, options);
    return { object, created: true };
  }
  const merged = applyMergePatch(live as unknown as JsonObject, applied);
  if (!isJsonObject(merged)) throw statusError(422, 'Invalid', 'the applied object is not an object');
  const status = subresource === 'status' ? 'status' : undefined;
  return { object: store.update(type, namespace, name, merged, status, options), created: false };
}
