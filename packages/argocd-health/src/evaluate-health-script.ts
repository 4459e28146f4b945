import { interpretLuaEvaluation } from './lua/interpret-lua-result.js';
import { toLuaChunk } from './lua/lua-literal.js';
import { LuaRuntime, type LuaRuntimeOptions } from './lua/lua-runtime.js';
import type { HealthResult, KubernetesObject } from './types.js';

/** Options of {@link evaluateHealthScript}. */
export interface EvaluateHealthScriptOptions extends LuaRuntimeOptions {
  /**
   * Give the script string/math/coroutine. Default false, as for an argocd-cm script without
   * `resource.customizations.useOpenLibs.<group>_<kind>: "true"`; Argo CD's bundled scripts always get them.
   */
  useOpenLibs?: boolean;
}

/**
 * Evaluates one health script against one object offline, the way Argo CD would once the script is in argocd-cm
 * (same sandbox, libraries, budget and result rules) — use it to test a customisation before deploying it. The
 * Lua worker is started on first use and reused by later calls: a pending call keeps the process alive, the idle
 * worker never does.
 *
 * Returns null when the script gives no opinion (nil or an empty table); a script error gives `Unknown` with its
 * text, an invalid status `Unknown "Lua returned an invalid health status"`.
 *
 * @throws {LuaRuntimeError} when the Lua worker cannot start.
 * @example
 * ```ts
 * const health = await evaluateHealthScript(
 *   'if obj.spec.rules ~= nil then return { status = "Healthy" } end return { status = "Progressing" }',
 *   ingress,
 * );
 * ```
 */
export async function evaluateHealthScript(
  healthLua: string,
  object: KubernetesObject,
  options: EvaluateHealthScriptOptions = {},
): Promise<HealthResult | null> {
  const { useOpenLibs = false, ...runtimeOptions } = options;
  const runtime = await sharedRuntime(runtimeOptions);
  return interpretLuaEvaluation(runtime.evaluate(healthLua, toLuaChunk(object), useOpenLibs));
}

// One runtime per distinct set of limits, started on first use and kept, so repeated offline evaluations do not pay
// the VM start-up each time. Its worker is ref'd only while it loads (the one asynchronous wait; an evaluation
// itself blocks on Atomics.wait), so an idle worker never keeps the process alive.
const sharedRuntimes = new Map<string, Promise<LuaRuntime>>();

/** @internal One shared runtime per set of limits (also used by resource actions). */
export function sharedRuntime(options: LuaRuntimeOptions): Promise<LuaRuntime> {
  const key = JSON.stringify(Object.entries(options).sort(([left], [right]) => (left < right ? -1 : 1)));
  let runtime = sharedRuntimes.get(key);
  if (runtime === undefined) {
    runtime = LuaRuntime.create(options);
    // A failed start is not cached: the next call tries again.
    runtime.catch(() => sharedRuntimes.delete(key));
    sharedRuntimes.set(key, runtime);
  }
  return runtime;
}
