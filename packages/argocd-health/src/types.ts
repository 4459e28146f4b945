/** Argo CD's health status codes (`gitops-engine/pkg/health`). */
export type HealthStatusCode = 'Healthy' | 'Progressing' | 'Degraded' | 'Suspended' | 'Missing' | 'Unknown';

/** The health of one resource, as Argo CD reports it. */
export interface HealthResult {
  status: HealthStatusCode;
  /** Empty when the check gives no message. */
  message: string;
}

/** A Kubernetes object as parsed from JSON or YAML (`apiVersion`, `kind`, `metadata`, …). */
export type KubernetesObject = Record<string, unknown>;

/** One health customisation, as in an `argocd-cm` entry. `group` is `''` for the core group; `*` is a wildcard. */
export interface HealthCustomization {
  group: string;
  kind: string;
  healthLua: string;
  /** Give the script string/math/coroutine (Argo CD: `resource.customizations.useOpenLibs.<group>_<kind>`). */
  useOpenLibs?: boolean;
}

/** Either the `data` map of an `argocd-cm` ConfigMap or a list of customisations. */
export type HealthCustomizationsInput = Readonly<Record<string, string>> | readonly HealthCustomization[];

/** Every valid status code, worst last (Argo CD `healthOrder`). */
export const HEALTH_STATUS_ORDER: readonly HealthStatusCode[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
  'Unknown',
];

/** Whether a string is one of Argo CD's health status codes. */
export function isHealthStatusCode(value: unknown): value is HealthStatusCode {
  return typeof value === 'string' && (HEALTH_STATUS_ORDER as readonly string[]).includes(value);
}
