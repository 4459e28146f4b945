import { type Application, type ArgoCDClient, explainHealth } from '@gitops-kit/argocd-client';
import { evaluateHealthScript, type KubernetesObject } from '@gitops-kit/argocd-health';
import type { Logger } from '@gitops-kit/core';
import type { PromotionApplication } from '../promote/promote-options.js';
import type { DiagnosisFinding, PromotionDiagnosis } from '../promote/promotion-report.js';
import { PROPOSED_HEALTH_SCRIPTS } from './proposed-health-scripts.js';

function parseLiveState(liveState: unknown): KubernetesObject | undefined {
  if (typeof liveState !== 'string' || liveState === '' || liveState === 'null') return undefined;
  try {
    const parsed: unknown = JSON.parse(liveState);
    return parsed && typeof parsed === 'object' ? (parsed as KubernetesObject) : undefined;
  } catch {
    return undefined;
  }
}

function summarise(app: Application, findings: DiagnosisFinding[]): string {
  const name = app.metadata?.name ?? 'application';
  const health = app.status?.health?.status ?? 'Unknown';
  const phase = app.status?.operationState?.phase;
  const head =
    phase && phase !== 'Succeeded'
      ? `${name}: sync ${phase}${app.status?.operationState?.message ? ` (${app.status.operationState.message})` : ''}`
      : `${name} is ${health}`;
  if (findings.length === 0) return head;
  const first = findings[0] as DiagnosisFinding;
  const more = findings.length > 1 ? ` and ${findings.length - 1} more` : '';
  return `${head}: ${first.kind} ${first.name} is ${first.health}${first.message ? ` (${first.message})` : ''}${more}`;
}

/**
 * Explains why an application is not healthy: which resources, why, and what to change. For the known stuck
 * cases (an Ingress or LoadBalancer Service waiting for an address) it proposes a health script and evaluates it
 * offline against the live object with @gitops-kit/argocd-health, so the report can say what Argo CD would
 * answer once the script is in argocd-cm.
 *
 * @example
 * ```ts
 * const diagnosis = await diagnoseApplication(client, { name: 'devops-demo', project: 'demo' });
 * console.log(diagnosis.summary);
 * ```
 */
export async function diagnoseApplication(
  client: ArgoCDClient,
  application: PromotionApplication,
  options: { signal?: AbortSignal | undefined; logger?: Logger | undefined } = {},
): Promise<PromotionDiagnosis> {
  const scope = {
    project: application.project,
    appNamespace: application.appNamespace,
    signal: options.signal,
  };
  const app = await client.applications.get(application.name, scope);
  const tree = await client.applications.resourceTree(application.name, scope).catch(() => undefined);
  const explanation = explainHealth(app, tree);
  const causes = new Map(
    explanation.knownCauses.map((cause) => [
      `${cause.resource.kind}/${cause.resource.namespace ?? ''}/${cause.resource.name}`,
      cause,
    ]),
  );
  const findings: DiagnosisFinding[] = [];
  let liveObjects: Map<string, KubernetesObject> | undefined;
  for (const resource of explanation.holdingBack) {
    const finding: DiagnosisFinding = { kind: resource.kind, name: resource.name, health: resource.health };
    if (resource.namespace) finding.namespace = resource.namespace;
    if (resource.message) finding.message = resource.message;
    const cause = causes.get(`${resource.kind}/${resource.namespace ?? ''}/${resource.name}`);
    if (cause) {
      finding.cause = cause.cause;
      finding.suggestion = cause.explanation;
      finding.argocdCmKey = cause.argocdCmKey;
      const script = PROPOSED_HEALTH_SCRIPTS[cause.cause];
      if (script) {
        finding.proposedHealthLua = script;
        liveObjects ??= await readLiveObjects(client, application, options);
        const live = liveObjects.get(`${resource.kind}/${resource.namespace ?? ''}/${resource.name}`);
        if (live) {
          try {
            const result = await evaluateHealthScript(script, live);
            if (result) {
              finding.proposedHealthResult = { status: result.status };
              if (result.message) finding.proposedHealthResult.message = result.message;
            }
          } catch (error) {
            options.logger?.warn(`Could not evaluate the proposed health script offline: ${String(error)}`);
          }
        }
      }
    }
    findings.push(finding);
  }
  for (const result of app.status?.operationState?.syncResult?.resources ?? []) {
    if (result.status && result.status !== 'Synced' && result.kind && result.name) {
      findings.push({
        kind: result.kind,
        name: result.name,
        ...(result.namespace ? { namespace: result.namespace } : {}),
        health: result.status,
        ...(result.message ? { message: result.message } : {}),
      });
    }
  }
  return {
    summary: summarise(app, findings),
    applicationHealth: app.status?.health?.status,
    syncStatus: app.status?.sync?.status,
    operationPhase: app.status?.operationState?.phase,
    operationMessage: app.status?.operationState?.message,
    findings,
  };
}

async function readLiveObjects(
  client: ArgoCDClient,
  application: PromotionApplication,
  options: { signal?: AbortSignal | undefined },
): Promise<Map<string, KubernetesObject>> {
  const objects = new Map<string, KubernetesObject>();
  try {
    const managed = await client.applications.managedResources(application.name, {
      project: application.project,
      appNamespace: application.appNamespace,
      signal: options.signal,
    });
    for (const item of managed.items ?? []) {
      const live = parseLiveState(item.liveState);
      if (live && item.kind && item.name)
        objects.set(`${item.kind}/${item.namespace ?? ''}/${item.name}`, live);
    }
  } catch {
    // The diagnosis still stands without the offline evaluation.
  }
  return objects;
}
