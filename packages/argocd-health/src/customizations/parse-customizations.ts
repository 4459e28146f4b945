import { parse as parseYaml } from 'yaml';
import { HealthConfigurationError } from '../errors.js';
import type { HealthCustomization, HealthCustomizationsInput } from '../types.js';

/** One health override keyed like argocd-cm: `group/Kind`, `Kind` for the core group, wildcards allowed. */
export interface HealthOverride {
  key: string;
  healthLua: string;
  useOpenLibs: boolean;
}

const CUSTOMIZATIONS_KEY = 'resource.customizations';
const SPLIT_KEY_TYPES = new Set([
  'health',
  'useOpenLibs',
  'actions',
  'ignoreDifferences',
  'ignoreResourceUpdates',
  'knownTypeFields',
]);
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const GO_FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

function parseGoBool(value: string, key: string): boolean {
  if (GO_TRUE.has(value)) return true;
  if (GO_FALSE.has(value)) return false;
  throw new HealthConfigurationError(`argocd-cm key "${key}" must be a boolean, got "${value}".`);
}

/** `<group>_<kind>` → `group/kind`, a bare `<kind>` for the core group (Argo CD `convertToOverrideKey`). */
function overrideKey(groupKind: string, key: string): string {
  const parts = groupKind.split('_');
  if (parts.length === 2) return `${parts[0]}/${parts[1]}`;
  if (parts.length === 1 && groupKind !== '') return groupKind === 'all' ? '*/*' : groupKind;
  throw new HealthConfigurationError(
    `argocd-cm key "${key}": the group and kind must be written <group>_<kind> or <kind>, got "${groupKind}".`,
  );
}

function parseBlock(text: string, overrides: Map<string, HealthOverride>): void {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new HealthConfigurationError('argocd-cm "resource.customizations" is not valid YAML.', {
      cause: error,
    });
  }
  if (parsed === null || parsed === undefined) return;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HealthConfigurationError(
      'argocd-cm "resource.customizations" must be a map keyed by group/Kind.',
    );
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new HealthConfigurationError(`argocd-cm "resource.customizations" entry "${key}" must be a map.`);
    }
    const entry = value as Record<string, unknown>;
    const healthLua = entry['health.lua'];
    const useOpenLibs = entry['health.lua.useOpenLibs'];
    if (healthLua !== undefined && healthLua !== null && typeof healthLua !== 'string') {
      throw new HealthConfigurationError(
        `argocd-cm "resource.customizations" entry "${key}": health.lua must be text.`,
      );
    }
    if (useOpenLibs !== undefined && useOpenLibs !== null && typeof useOpenLibs !== 'boolean') {
      throw new HealthConfigurationError(
        `argocd-cm "resource.customizations" entry "${key}": health.lua.useOpenLibs must be true or false.`,
      );
    }
    overrides.set(key, { key, healthLua: healthLua ?? '', useOpenLibs: useOpenLibs === true });
  }
}

function fromConfigMapData(data: Readonly<Record<string, string>>): Map<string, HealthOverride> {
  const overrides = new Map<string, HealthOverride>();
  const block = data[CUSTOMIZATIONS_KEY];
  if (typeof block === 'string' && block !== '') parseBlock(block, overrides);
  // Split keys are merged over the block (Argo CD `appendResourceOverridesFromSplitKeys`).
  for (const [key, value] of Object.entries(data)) {
    if (!key.startsWith(CUSTOMIZATIONS_KEY)) continue;
    const parts = key.split('.');
    if (parts.length < 4) continue;
    const type = parts[2] as string;
    const groupKind = parts.slice(3).join('.');
    const target = overrideKey(groupKind, key);
    if (!SPLIT_KEY_TYPES.has(type)) {
      throw new HealthConfigurationError(
        `argocd-cm key "${key}": resource customization type "${type}" is not supported.`,
      );
    }
    const current = overrides.get(target) ?? { key: target, healthLua: '', useOpenLibs: false };
    if (type === 'health') current.healthLua = String(value);
    else if (type === 'useOpenLibs') current.useOpenLibs = parseGoBool(String(value), key);
    overrides.set(target, current);
  }
  return overrides;
}

function fromList(list: readonly HealthCustomization[]): Map<string, HealthOverride> {
  const overrides = new Map<string, HealthOverride>();
  for (const [index, item] of list.entries()) {
    if (item === null || typeof item !== 'object' || typeof item.kind !== 'string' || item.kind === '') {
      throw new HealthConfigurationError(`Health customization #${index} needs a non-empty "kind".`);
    }
    if (typeof item.group !== 'string') {
      throw new HealthConfigurationError(
        `Health customization #${index} needs a "group" ('' for the core group).`,
      );
    }
    if (typeof item.healthLua !== 'string') {
      throw new HealthConfigurationError(`Health customization #${index} needs "healthLua" text.`);
    }
    const key = item.group === '' ? item.kind : `${item.group}/${item.kind}`;
    overrides.set(key, { key, healthLua: item.healthLua, useOpenLibs: item.useOpenLibs === true });
  }
  return overrides;
}

/**
 * Reads health customisations from an `argocd-cm` `data` map (the `resource.customizations` block and the split
 * `resource.customizations.<type>.<group>_<kind>` keys, split keys winning) or from a list.
 *
 * @throws {HealthConfigurationError} for a key or value Argo CD would reject.
 * @example
 * ```ts
 * const overrides = parseHealthCustomizations({
 *   'resource.customizations.health.networking.k8s.io_Ingress': 'return { status = "Healthy" }',
 * });
 * overrides.get('networking.k8s.io/Ingress')?.healthLua;
 * ```
 */
export function parseHealthCustomizations(
  input: HealthCustomizationsInput | undefined,
): Map<string, HealthOverride> {
  if (input === undefined) return new Map();
  if (Array.isArray(input)) return fromList(input as readonly HealthCustomization[]);
  if (input === null || typeof input !== 'object') {
    throw new HealthConfigurationError('Health customizations must be an argocd-cm data map or a list.');
  }
  return fromConfigMapData(input as Readonly<Record<string, string>>);
}
