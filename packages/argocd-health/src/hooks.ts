import { annotations, field } from './object-fields.js';
import type { KubernetesObject } from './types.js';

const ARGO_HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
const HELM_HOOK_ANNOTATION = 'helm.sh/hook';
const ARGO_HOOK_TYPES = new Set(['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip']);
const HELM_HOOK_TYPES: Record<string, string> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-upgrade': 'PostSync',
  'post-install': 'PostSync',
};

/** The finalizer Argo CD puts on hooks; a hook being deleted with it is not "Pending deletion". */
export const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';

function annotationValues(object: KubernetesObject, key: string): string[] {
  const raw = annotations(object)[key];
  if (typeof raw !== 'string') return [];
  const values: string[] = [];
  for (const item of raw.split(',')) {
    const value = item.trim();
    if (value !== '' && !values.includes(value)) values.push(value);
  }
  return values;
}

/** Hook types of an object: Argo CD's annotation first, Helm's when there is none (gitops-engine `hook.Types`). */
export function hookTypes(object: KubernetesObject): string[] {
  const types = annotationValues(object, ARGO_HOOK_ANNOTATION).filter((value) => ARGO_HOOK_TYPES.has(value));
  if (types.length > 0) return types;
  return annotationValues(object, HELM_HOOK_ANNOTATION)
    .map((value) => HELM_HOOK_TYPES[value])
    .filter((value): value is string => value !== undefined);
}

function isSkip(object: KubernetesObject): boolean {
  const types = hookTypes(object);
  return types.includes('Skip') && types.length === 1;
}

/** Whether an object is a sync hook (gitops-engine `hook.IsHook`). */
export function isHook(object: KubernetesObject): boolean {
  const values = annotations(object);
  if (ARGO_HOOK_ANNOTATION in values) return !isSkip(object);
  const helm = values[HELM_HOOK_ANNOTATION];
  return helm !== undefined && helm !== 'crd-install';
}

/** Whether a hook annotation names no known type, so Argo CD ignores the object (gitops-engine `ignore.Ignore`). */
export function isIgnoredHook(object: KubernetesObject): boolean {
  return isHook(object) && hookTypes(object).length === 0;
}

/** Whether a target is a `Skip`-only hook, never applied (gitops-engine `hook.Skip`). */
export function isSkippedHook(object: KubernetesObject): boolean {
  return isSkip(object);
}

/** Whether the object carries the hook finalizer. */
export function hasHookFinalizer(object: KubernetesObject): boolean {
  const finalizers = field(object, 'metadata', 'finalizers');
  return Array.isArray(finalizers) && finalizers.includes(HOOK_FINALIZER);
}
