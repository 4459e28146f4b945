import { HealthConfigurationError } from '../errors.js';
import type { KubernetesObject } from '../types.js';

/**
 * The `data` of an `argocd-cm` ConfigMap object, ready for `createHealthAssessor({ customizations })` — what
 * `argocd admin settings resource-overrides health --argocd-cm-path argocd-cm.yaml` reads.
 *
 * @throws {HealthConfigurationError} when the object is not a ConfigMap or a `data` value is not text.
 * @example
 * ```ts
 * const [configMap] = parseKubernetesYaml(await readFile('argocd-cm.yaml', 'utf8'));
 * const assessor = await createHealthAssessor({ customizations: argoCdConfigMapData(configMap) });
 * ```
 */
export function argoCdConfigMapData(configMap: KubernetesObject): Record<string, string> {
  if (configMap.kind !== 'ConfigMap' || configMap.apiVersion !== 'v1') {
    throw new HealthConfigurationError(
      `Expected a v1 ConfigMap (argocd-cm), got ${String(configMap.apiVersion)} ${String(configMap.kind)}.`,
    );
  }
  const data = configMap.data;
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new HealthConfigurationError('The ConfigMap "data" field must be a map of strings.');
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (value === null || value === undefined) continue;
    // YAML turns an unquoted `true` into a boolean; Kubernetes would reject it, argocd admin reads it as text.
    if (typeof value === 'boolean' || typeof value === 'number') result[key] = String(value);
    else if (typeof value === 'string') result[key] = value;
    else throw new HealthConfigurationError(`The ConfigMap data key "${key}" must be text.`);
  }
  return result;
}
