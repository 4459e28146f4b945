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
 * (same sandbox, libraries, budget and result rules) — use it to test a customisation before deploying it. Starts
 * a Lua worker for the call; for many evaluations use `createHealthAssessor`.
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
  const runtime = await LuaRuntime.create(runtimeOptions);
  try {
    return interpretLuaEvaluation(runtime.evaluate(healthLua, toLuaChunk(object), useOpenLibs));
  } finally {
    await runtime.close();
  }
}
