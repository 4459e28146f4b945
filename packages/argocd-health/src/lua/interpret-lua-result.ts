import { type HealthResult, isHealthStatusCode } from '../types.js';
import type { LuaEvaluation } from './lua-runtime.js';

/** Message Argo CD reports when a script returns a status that is not one of the six codes. */
export const INVALID_HEALTH_STATUS_MESSAGE = 'Lua returned an invalid health status';

/**
 * Maps a Lua evaluation to a health as Argo CD does (`ExecuteHealthLua` + `GetResourceHealth`): an error becomes
 * `Unknown` with its text, nil or an empty table is no opinion (null), an invalid status is `Unknown`.
 * @internal
 */
export function interpretLuaEvaluation(evaluation: LuaEvaluation): HealthResult | null {
  if (evaluation.kind === 'empty') return null;
  if (evaluation.kind === 'error') return { status: 'Unknown', message: evaluation.message };
  if (!isHealthStatusCode(evaluation.status))
    return { status: 'Unknown', message: INVALID_HEALTH_STATUS_MESSAGE };
  return { status: evaluation.status, message: evaluation.message };
}
