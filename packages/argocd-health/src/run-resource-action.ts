import { ResourceActionError } from './errors.js';
import { sharedRuntime } from './evaluate-health-script.js';
import { toLuaChunk } from './lua/lua-literal.js';
import type { LuaRuntimeOptions } from './lua/lua-runtime.js';
import type { KubernetesObject } from './types.js';

/** One action a discovery script offers (`v1alpha1.ResourceAction`). */
export interface DiscoveredResourceAction {
  name: string;
  disabled: boolean;
  iconClass?: string;
  displayName?: string;
  params?: Array<{ name?: string; type?: string; default?: string }>;
}

/** One resource an action changes or creates (`lua.ImpactedResource`). */
export interface ImpactedResource {
  operation: 'patch' | 'create';
  resource: KubernetesObject;
}

/** Options of {@link runResourceAction}. */
export interface RunResourceActionOptions extends LuaRuntimeOptions {
  /** The `actionParams` global: names to string values (Argo CD's `resourceActionParameters`). */
  parameters?: ReadonlyArray<{ name: string; value: string }>;
}

type Json = unknown;

async function evaluateJson(
  script: string,
  object: KubernetesObject,
  options: LuaRuntimeOptions,
  parameters?: Record<string, string>,
): Promise<Json> {
  const runtime = await sharedRuntime(options);
  // Like the Argo CD server's lua.VM for actions, scripts get base/table/package/os only (no open libraries).
  const evaluation = runtime.evaluate(
    script,
    toLuaChunk(object),
    false,
    'json',
    toLuaChunk(parameters ?? {}),
  );
  if (evaluation.kind === 'error') throw new ResourceActionError(evaluation.message);
  if (evaluation.kind !== 'ok') throw new ResourceActionError('expect table output from Lua script, not nil');
  return JSON.parse(evaluation.status) as Json;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Lua cannot tell an empty table meant as an object from an empty array, and gopher-json writes `[]`: where the
 * original had an object, an empty array becomes `{}` again (util/lua/lua.go cleanReturnedObj / cleanReturnedArray).
 */
function restoreEmptyObjects(changed: Json, original: Json): Json {
  if (isPlainObject(changed) && isPlainObject(original)) {
    for (const key of Object.keys(original)) {
      if (!(key in changed)) continue;
      const value = changed[key];
      if (Array.isArray(value) && value.length === 0 && isPlainObject(original[key])) changed[key] = {};
      else changed[key] = restoreEmptyObjects(value, original[key]);
    }
    return changed;
  }
  if (Array.isArray(changed) && Array.isArray(original)) {
    for (let index = 0; index < Math.min(changed.length, original.length); index += 1) {
      changed[index] = restoreEmptyObjects(changed[index], original[index]);
    }
  }
  return changed;
}

/**
 * Runs the discovery scripts of a resource's actions (Argo CD `ExecuteResourceActionDiscovery`): each returns a
 * table of action name → `{ disabled?, iconClass?, displayName?, params? }`; the first script naming an action
 * wins, an empty table offers nothing. Order of the result: by name.
 *
 * @throws {ResourceActionError} when a script fails or returns something other than a table.
 * @throws {LuaRuntimeError} when the Lua worker cannot start.
 * @example
 * ```ts
 * const actions = await discoverResourceActions(['return { restart = {} }'], deployment);
 * // [{ name: 'restart', disabled: false }]
 * ```
 */
export async function discoverResourceActions(
  discoveryScripts: readonly string[],
  object: KubernetesObject,
  options: LuaRuntimeOptions = {},
): Promise<DiscoveredResourceAction[]> {
  const found = new Map<string, DiscoveredResourceAction>();
  for (const script of discoveryScripts) {
    const result = await evaluateJson(script, object, options);
    if (Array.isArray(result) && result.length === 0) continue;
    if (!isPlainObject(result)) throw new ResourceActionError('error unmarshaling action table');
    for (const [name, value] of Object.entries(result)) {
      if (found.has(name)) continue;
      const action: DiscoveredResourceAction = { name, disabled: false };
      if (isPlainObject(value)) {
        if (typeof value.disabled === 'boolean') action.disabled = value.disabled;
        if (typeof value.iconClass === 'string') action.iconClass = value.iconClass;
        if (typeof value.displayName === 'string') action.displayName = value.displayName;
        if (Array.isArray(value.params))
          action.params = value.params as NonNullable<DiscoveredResourceAction['params']>;
      }
      found.set(name, action);
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Runs one action script against a live object (Argo CD `ExecuteResourceAction`), in the same sandbox and budget
 * as health scripts. An old-style script returns the changed object (a `patch`); a new-style one returns a list of
 * `{ operation = "patch" | "create", resource = … }`. Empty tables the script kept from the original object stay
 * objects.
 *
 * @throws {ResourceActionError} when the script fails, returns no table, or returns malformed impacted resources.
 * @throws {LuaRuntimeError} when the Lua worker cannot start.
 * @example
 * ```ts
 * const [change] = await runResourceAction('obj.spec.paused = true\nreturn obj', deployment);
 * // change.operation === 'patch', change.resource.spec.paused === true
 * ```
 */
export async function runResourceAction(
  actionLua: string,
  object: KubernetesObject,
  options: RunResourceActionOptions = {},
): Promise<ImpactedResource[]> {
  const { parameters, ...runtimeOptions } = options;
  const params = Object.fromEntries((parameters ?? []).map(({ name, value }) => [name, value]));
  const result = await evaluateJson(actionLua, object, runtimeOptions, params);
  const original = structuredClone(object);
  if (Array.isArray(result)) {
    return result.map((entry) => {
      if (!isPlainObject(entry) || !isPlainObject(entry.resource))
        throw new ResourceActionError('json: cannot unmarshal impacted resource: expected an object');
      const operation = entry.operation;
      if (operation !== 'patch' && operation !== 'create')
        throw new ResourceActionError(`unsupported operation: ${String(operation)}`);
      const resource =
        operation === 'patch'
          ? (restoreEmptyObjects(entry.resource, original) as KubernetesObject)
          : entry.resource;
      return { operation, resource };
    });
  }
  if (!isPlainObject(result))
    throw new ResourceActionError('Lua output was not a valid json object or array');
  return [{ operation: 'patch', resource: restoreEmptyObjects(result, original) as KubernetesObject }];
}
