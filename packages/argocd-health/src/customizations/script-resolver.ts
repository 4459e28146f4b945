import { compileGlob, isGlob } from './glob-pattern.js';
import type { ResourceCustomizationScript } from './load-resource-customizations.js';
import type { HealthOverride } from './parse-customizations.js';

/** The script that applies to a resource, and where it came from. */
export interface ResolvedHealthScript {
  healthLua: string;
  useOpenLibs: boolean;
  /** `override` (argocd-cm / list) or `builtin` (a `resource_customizations` directory). */
  source: 'override' | 'builtin';
  /** The key or folder that matched, e.g. `networking.k8s.io/Ingress` or `_.crossplane.io/_`. */
  matchedKey: string;
}

interface CompiledPattern<T> {
  pattern: RegExp;
  entry: T;
}

/**
 * Picks the health script for a `group/Kind` key in Argo CD's order (`util/lua/lua.go` `GetHealthScript`):
 * 1. the exact override key, 2. override wildcard keys (sorted, first match), 3. the exact built-in folder,
 * 4. wildcard built-in folders (sorted by path, first match). Overrides without a script are skipped.
 * @internal
 */
export class HealthScriptResolver {
  readonly #overrides: Map<string, HealthOverride>;
  readonly #overridePatterns: CompiledPattern<HealthOverride>[];
  readonly #builtins = new Map<string, ResourceCustomizationScript>();
  readonly #builtinPatterns: CompiledPattern<ResourceCustomizationScript>[];
  readonly #cache = new Map<string, ResolvedHealthScript | null>();

  constructor(overrides: Map<string, HealthOverride>, builtins: readonly ResourceCustomizationScript[]) {
    this.#overrides = overrides;
    this.#overridePatterns = [...overrides.values()]
      .filter((override) => override.healthLua !== '' && isGlob(override.key))
      .sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0))
      .map((entry) => ({ pattern: compileGlob(entry.key, true), entry }));
    const wildcardFolders: ResourceCustomizationScript[] = [];
    for (const script of builtins) {
      if (script.path.includes('_')) wildcardFolders.push(script);
      else this.#builtins.set(script.path, script);
    }
    this.#builtinPatterns = wildcardFolders
      .sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0))
      .map((entry) => ({ pattern: compileGlob(entry.key, false), entry }));
  }

  resolve(key: string): ResolvedHealthScript | null {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const resolved = this.#resolveUncached(key);
    if (this.#cache.size > 4096) this.#cache.clear();
    this.#cache.set(key, resolved);
    return resolved;
  }

  #resolveUncached(key: string): ResolvedHealthScript | null {
    const exact = this.#overrides.get(key);
    if (exact !== undefined && exact.healthLua !== '') {
      return {
        healthLua: exact.healthLua,
        useOpenLibs: exact.useOpenLibs,
        source: 'override',
        matchedKey: key,
      };
    }
    for (const { pattern, entry } of this.#overridePatterns) {
      if (pattern.test(key)) {
        return {
          healthLua: entry.healthLua,
          useOpenLibs: entry.useOpenLibs,
          source: 'override',
          matchedKey: entry.key,
        };
      }
    }
    const builtin = this.#builtins.get(key);
    if (builtin !== undefined) {
      return { healthLua: builtin.healthLua, useOpenLibs: true, source: 'builtin', matchedKey: builtin.path };
    }
    for (const { pattern, entry } of this.#builtinPatterns) {
      if (pattern.test(key)) {
        return { healthLua: entry.healthLua, useOpenLibs: true, source: 'builtin', matchedKey: entry.path };
      }
    }
    return null;
  }
}
