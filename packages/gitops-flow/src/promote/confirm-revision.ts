import type { Application, ArgoCDClient } from '@gitops-kit/argocd-client';
import { sleep, TimeoutError } from '@gitops-kit/core';
import type { PromotionApplication } from './promote-options.js';

/** Whether Argo CD reports this revision as the one the app's source resolves to. */
export function seesRevision(app: Application, revision: string): boolean {
  const sync = app.status?.sync;
  return sync?.revision === revision || (sync?.revisions ?? []).includes(revision);
}

/**
 * Makes Argo CD look at git now (`refresh=normal`) and reads the app until its source resolves to `revision`
 * (the commit just pushed, or the branch head), so the sync that follows deploys what we wrote and the wait can
 * insist on it. Backs off 250 ms → 2 s between reads.
 *
 * @throws {TimeoutError} when Argo CD has not seen the revision within `timeoutMs`.
 */
export async function confirmRevision(
  client: ArgoCDClient,
  application: PromotionApplication,
  revision: string,
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<Application> {
  const deadline = Date.now() + options.timeoutMs;
  let delayMs = 250;
  for (;;) {
    const remainingMs = deadline - Date.now();
    const app = await client.applications.get(application.name, {
      project: application.project,
      appNamespace: application.appNamespace,
      refresh: 'normal',
      signal: options.signal,
      timeoutMs: Math.max(1_000, Math.min(remainingMs, 60_000)),
    });
    if (seesRevision(app, revision)) return app;
    if (Date.now() + delayMs > deadline) {
      const seen = app.status?.sync?.revision ?? 'nothing';
      const tracked = app.spec?.source?.targetRevision ?? app.spec?.sources?.[0]?.targetRevision ?? 'HEAD';
      throw new TimeoutError(
        `Argo CD still resolves application "${application.name}" to ${seen}, not ${revision}, after ${options.timeoutMs} ms; check that it tracks the branch that was pushed (it tracks "${tracked}")`,
        { timeoutMs: options.timeoutMs },
      );
    }
    await sleep(delayMs, options.signal);
    delayMs = Math.min(delayMs * 2, 2_000);
  }
}
