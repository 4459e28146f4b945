import { builtInHealth } from './builtin/builtin-health.js';
import type { ResourceCustomizationScript } from './customizations/load-resource-customizations.js';
import { parseHealthCustomizations } from './customizations/parse-customizations.js';
import { HealthScriptResolver, type ResolvedHealthScript } from './customizations/script-resolver.js';
import { LuaRuntimeError } from './errors.js';
import { hasHookFinalizer } from './hooks.js';
import { interpretLuaEvaluation } from './lua/interpret-lua-result.js';
import { toLuaChunk } from './lua/lua-literal.js';
import { LuaRuntime, type LuaRuntimeOptions } from './lua/lua-runtime.js';
import { configMapKey, field, groupVersionKind } from './object-fields.js';
import type { HealthCustomizationsInput, HealthResult, KubernetesObject } from './types.js';

/** Options of {@link createHealthAssessor}. Runtime limits default to Argo CD's (1 s per evaluation). */
export interface HealthAssessorOptions extends LuaRuntimeOptions {
  /** argocd-cm `data` (block and split keys) or a list of `{ group, kind, healthLua, useOpenLibs? }`. */
  customizations?: HealthCustomizationsInput;
  /** Scripts from `loadResourceCustomizations(dir)`: Argo CD's bundled checks, consulted after `customizations`. */
  resourceCustomizations?: readonly ResourceCustomizationScript[];
}

/** Which rule decided a resource's health. */
export type HealthSource = 'pending-deletion' | 'lua' | 'builtin' | 'none';

/** A health with the rule that produced it; `script` is set when a Lua script resolved. */
export interface HealthAssessment {
  health: HealthResult | null;
  source: HealthSource;
  /** `group/Kind` (or `Kind`) of the object, the key argocd-cm uses. */
  key: string;
  script?: ResolvedHealthScript;
}

/** Assesses resource health exactly as Argo CD's application controller does. Create with {@link createHealthAssessor}. */
export interface HealthAssessor {
  /**
   * The health of one live object, or null when nothing has an opinion (no script and no built-in check, or a
   * script that returned nil / an empty table). Synchronous: Lua runs in a worker thread and the call blocks until
   * it answers (at most the budget plus the hard-stop grace).
   * @throws {LuaRuntimeError} after `close()`, or when a replacement worker cannot start.
   */
  assess(object: KubernetesObject): HealthResult | null;
  /** Like `assess`, also saying which rule decided and which script matched. */
  explain(object: KubernetesObject): HealthAssessment;
  /** Stops the Lua worker. */
  close(): Promise<void>;
}

class DefaultHealthAssessor implements HealthAssessor {
  readonly #resolver: HealthScriptResolver;
  readonly #runtime: LuaRuntime | undefined;
  #closed = false;

  constructor(resolver: HealthScriptResolver, runtime: LuaRuntime | undefined) {
    this.#resolver = resolver;
    this.#runtime = runtime;
  }

  assess(object: KubernetesObject): HealthResult | null {
    return this.explain(object).health;
  }

  explain(object: KubernetesObject): HealthAssessment {
    const { group, kind } = groupVersionKind(object);
    const key = configMapKey(group, kind);
    // gitops-engine GetResourceHealth: deletion first, then the Lua override, then the Go check.
    if (field(object, 'metadata', 'deletionTimestamp') != null && !hasHookFinalizer(object)) {
      return {
        health: { status: 'Progressing', message: 'Pending deletion' },
        source: 'pending-deletion',
        key,
      };
    }
    const script = this.#resolver.resolve(key);
    if (script !== null) {
      if (this.#runtime === undefined || this.#closed) {
        throw new LuaRuntimeError('The health assessor is closed; create a new one.');
      }
      const evaluation = this.#runtime.evaluate(script.healthLua, toLuaChunk(object), script.useOpenLibs);
      return { health: interpretLuaEvaluation(evaluation), source: 'lua', key, script };
    }
    const health = builtInHealth(object);
    return { health, source: health === null ? 'none' : 'builtin', key };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#runtime?.close();
  }
}

/**
 * Creates a health assessor: parses the customisations, and when any Lua script is configured starts one worker
 * thread with the Lua VM (wasmoon), loaded once and reused for every evaluation. Compiled scripts are cached.
 *
 * @throws {HealthConfigurationError} for customisations Argo CD would reject.
 * @throws {LuaRuntimeError} when the Lua worker cannot start.
 * @example
 * ```ts
 * const assessor = await createHealthAssessor({
 *   customizations: { 'resource.customizations.health.networking.k8s.io_Ingress': 'return { status = "Healthy" }' },
 * });
 * assessor.assess(ingress); // { status: 'Healthy', message: '' }
 * await assessor.close();
 * ```
 */
export async function createHealthAssessor(options: HealthAssessorOptions = {}): Promise<HealthAssessor> {
  const { customizations, resourceCustomizations = [], ...runtimeOptions } = options;
  const overrides = parseHealthCustomizations(customizations);
  const resolver = new HealthScriptResolver(overrides, resourceCustomizations);
  const needsLua =
    resourceCustomizations.length > 0 || [...overrides.values()].some((item) => item.healthLua !== '');
  const runtime = needsLua ? await LuaRuntime.create(runtimeOptions) : undefined;
  return new DefaultHealthAssessor(resolver, runtime);
}
