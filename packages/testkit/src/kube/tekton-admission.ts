import { statusError } from './kube-status.js';
import type { KubeObject } from './object-store.js';
import type { ResourceType } from './resource-types.js';
import { decodeTektonObject } from './tekton-decode.js';
import { applyTektonDefaults } from './tekton-defaults.js';
import { formatFieldErrors } from './tekton-field-errors.js';
import { tektonValidationErrors } from './tekton-validation.js';

/** Names of Tekton's two admission webhooks (tektoncd/pipeline `cmd/webhook/main.go`). */
export const TEKTON_DEFAULTING_WEBHOOK = 'webhook.pipeline.tekton.dev';
export const TEKTON_VALIDATING_WEBHOOK = 'validation.webhook.pipeline.tekton.dev';

/**
 * A webhook denial as the API server reports it: knative's `webhook.MakeErrorStatus` answers with a BadRequest
 * result, and the API server prefixes its message with `admission webhook "<name>" denied the request: `.
 */
function denied(webhook: string, message: string) {
  return statusError(400, 'BadRequest', `admission webhook "${webhook}" denied the request: ${message}`);
}

/**
 * Tekton's admission, in the order the API server calls it: the defaulting webhook (which decodes strictly, so
 * unknown fields and invalid durations fail here: `mutation failed: cannot decode incoming new object: …`, then
 * applies defaults), then the validating webhook (`validation failed: <field errors>`). Runs on create and on every
 * update of the main resource (PUT and the result of a PATCH), not on status writes. Non-Tekton kinds pass.
 *
 * @throws KubeEmulatorStatusError 400 BadRequest with the webhook's message when Tekton would deny the request.
 * @example
 * ```ts
 * store.addAdmissionHook(tektonAdmission);
 * ```
 */
export function tektonAdmission(
  type: ResourceType,
  object: KubeObject,
  operation: 'CREATE' | 'UPDATE',
): void {
  if (type.group !== 'tekton.dev') return;
  const decodeError = decodeTektonObject(type.kind, object);
  if (decodeError !== undefined) {
    throw denied(
      TEKTON_DEFAULTING_WEBHOOK,
      `mutation failed: cannot decode incoming new object: ${decodeError}`,
    );
  }
  if (typeof object['spec'] !== 'object' || object['spec'] === null) object['spec'] = {};
  applyTektonDefaults(type.kind, object['spec'] as Record<string, unknown>, operation);
  const errors = tektonValidationErrors(type.kind, object);
  if (errors.length > 0) {
    throw denied(TEKTON_VALIDATING_WEBHOOK, `validation failed: ${formatFieldErrors(errors)}`);
  }
}
