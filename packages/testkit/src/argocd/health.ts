import { createHealthAssessor, type KubernetesObject } from '@gitops-kit/argocd-health';
import type { KubeObject } from './model.js';

/** `{status, message}` as Argo CD's health checks return it; `null` means "no opinion" (no check for the kind). */
export type ResourceHealth = { status: string; message?: string } | null;

/** Assesses one live object; `close` releases the Lua runtime (if customisations needed one). */
export interface ResourceHealthAssessor {
  assess(object: KubeObject): ResourceHealth;
  close(): Promise<void>;
}

/**
 * The single seam to @gitops-kit/argocd-health: argocd-cm Lua customisations (e.g.
 * `resource.customizations.health.networking.k8s.io_Ingress`), then the Go-equivalent built-in checks, exactly
 * the order gitops-engine's GetResourceHealth uses.
 *
 * @throws HealthConfigurationError (from argocd-health) when the argocd-cm data is malformed.
 */
export async function createResourceHealthAssessor(
  argocdCm: Record<string, string>,
): Promise<ResourceHealthAssessor> {
  const assessor = await createHealthAssessor({ customizations: argocdCm });
  return {
    assess: (object) => assessor.assess(object as unknown as KubernetesObject),
    close: () => assessor.close(),
  };
}
