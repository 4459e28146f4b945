import type { Application, ArgoCDClient } from '@gitops-kit/argocd-client';
import { GitOpsKitError, sleep, TimeoutError } from '@gitops-kit/core';
import type { PromotionApplication } from './promote-options.js';

/** The revision Argo CD resolves the app's source to (single- or multi-source). */
export function resolvedRevisions(app: Application): string[] {
  const sync = app.status?.sync;
  return [sync?.revision, ...(sync?.revisions ?? [])].filter((revision): revision is string =>
    Boolean(revision),
  );
}

/**
 * The revision Argo CD compares the deploy repository at: the app's (first) resolved revision, or for a
 * multi-source app that of the first source reading the deploy repo (`sourcePositions`, 1-based).
 */
export function deployRepositoryRevision(
  app: Application,
  sourcePositions: readonly number[] | undefined,
): string | undefined {
  const position = sourcePositions?.[0];
  if (position !== undefined) return app.status?.sync?.revisions?.[position - 1] ?? undefined;
  return resolvedRevisions(app)[0];
}

/** Whether Argo CD reports this revision as the one the app's source resolves to. */
export function seesRevision(app: Application, revision: string): boolean {
  return resolvedRevisions(app).includes(revision);
}

/**
 * What the branch head holds compared with what we pushed: `contains` (our values are there: later commits only
 * changed other things), `superseded` (a later commit changed our values again) or `unknown` (the head moved on
 * again since Argo CD read it).
 */
export type HeadVerdict = 'contains' | 'superseded' | 'unknown';

/** Argo CD confirmed a revision that holds our change. */
export interface ConfirmedRevision {
  app: Application;
  /** Our commit, or a later head that still holds our values (other promotions pushed after us). */
  revision: string;
}

/**
 * Makes Argo CD look at git now (`refresh=normal`) and reads the app until its source resolves to `revision` —
 * or, when other writers pushed after us, to a later head that still holds our values (checked with
 * `verifyHead`), since Argo CD only ever resolves a branch to its newest commit. Backs off 250 ms → 2 s.
 *
 * @throws {TimeoutError} when Argo CD has not seen the revision within `timeoutMs`.
 * @throws {GitOpsKitError} `PROMOTION_SUPERSEDED` when a later commit changed our values again.
 */
export async function confirmRevision(
  client: ArgoCDClient,
  application: PromotionApplication,
  revision: string,
  options: {
    timeoutMs: number;
    signal?: AbortSignal | undefined;
    verifyHead?: ((resolved: string) => Promise<HeadVerdict>) | undefined;
    /** Multi-source apps: the 1-based positions of the sources that read the deploy repo. */
    sourcePositions?: readonly number[] | undefined;
  },
): Promise<ConfirmedRevision> {
  const deadline = Date.now() + options.timeoutMs;
  const checked = new Set<string>();
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
    if (seesRevision(app, revision)) return { app, revision };
    const resolved = deployRepositoryRevision(app, options.sourcePositions);
    if (resolved && options.verifyHead && !checked.has(resolved)) {
      checked.add(resolved);
      const verdict = await options.verifyHead(resolved);
      if (verdict === 'contains') return { app, revision: resolved };
      if (verdict === 'superseded') {
        throw new GitOpsKitError(
          `A later commit (${resolved.slice(0, 12)}) changed the promoted values again; this promotion's values are no longer on the branch`,
          { code: 'PROMOTION_SUPERSEDED', retryable: false },
        );
      }
    }
    if (Date.now() + delayMs > deadline) {
      const seen = resolved ?? 'nothing';
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
