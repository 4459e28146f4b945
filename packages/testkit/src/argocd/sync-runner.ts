import { isInSync, reapplyOverDrift } from './live-drift.js';
import type { LiveObject } from './live-state.js';
import { objectKey } from './live-state.js';
import { imagesOf } from './manifest-renderer.js';
import type {
  Application,
  ApplicationSource,
  KubeObject,
  Operation,
  OperationState,
  ResourceResult,
  RevisionHistory,
} from './model.js';
import { formatKubeTime, splitApiVersion } from './model.js';

/** What executing a sync operation produced. */
export interface SyncOutcome {
  phase: 'Succeeded' | 'Failed' | 'Error';
  message: string;
  /** The synced commit ('' for a multi-source app, which reports `revisions`). */
  revision: string;
  source: ApplicationSource | undefined;
  /** Multi-source apps: one revision per source, and the sources. */
  revisions?: string[];
  sources?: ApplicationSource[];
  resources: ResourceResult[];
}

/** Everything {@link executeSync} needs; rendering and revision resolution happen before it is called. */
export interface SyncInput {
  app: Application;
  live: Map<string, LiveObject>;
  desired: KubeObject[];
  revision: string;
  source: ApplicationSource | undefined;
  nowMs: number;
  /** A failure scripted by the test (`failNextSync`), reported on the first selected resource. */
  scriptedFailure?: string;
}

function resultFor(object: KubeObject, status: string, message: string): ResourceResult {
  const { group, version } = splitApiVersion(object.apiVersion);
  const images = imagesOf(object);
  return {
    group,
    version,
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    status,
    message,
    hookPhase: status === 'SyncFailed' ? 'Failed' : 'Running',
    syncPhase: 'Sync',
    ...(images.length > 0 ? { images } : {}),
  };
}

function kubectlName(object: KubeObject): string {
  const { group } = splitApiVersion(object.apiVersion);
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ''}/${object.metadata.name}`;
}

/**
 * Applies the selected desired objects to the live state like gitops-engine's sync: created/configured/unchanged
 * per object, pruning only when asked (otherwise "ignored (requires pruning)"), nothing changed on dry runs.
 */
export function executeSync(input: SyncInput): SyncOutcome {
  const { app, live, desired, revision, source, nowMs } = input;
  const sync = app.operation?.sync ?? {};
  const selected = sync.resources?.length
    ? desired.filter((object) =>
        sync.resources?.some(
          (wanted) =>
            (wanted.kind ?? '') === object.kind &&
            (wanted.name ?? '') === object.metadata.name &&
            (wanted.group ?? '') === splitApiVersion(object.apiVersion).group &&
            (!wanted.namespace || wanted.namespace === object.metadata.namespace),
        ),
      )
    : desired;
  const dryRun = sync.dryRun === true;
  const suffix = dryRun ? ' (dry run)' : '';
  if (input.scriptedFailure !== undefined) {
    const [first, ...rest] = selected;
    const resources = [
      ...(first ? [resultFor(first, 'SyncFailed', input.scriptedFailure)] : []),
      ...rest.map((object) => resultFor(object, 'Synced', `${kubectlName(object)} unchanged${suffix}`)),
    ];
    return {
      phase: 'Failed',
      message: `one or more objects failed to apply, reason: ${input.scriptedFailure}`,
      revision,
      source,
      resources,
    };
  }
  const resources: ResourceResult[] = [];
  for (const object of selected) {
    const key = objectKey(object);
    const current = live.get(key);
    const unchanged = current !== undefined && isInSync(object, current);
    resources.push(
      resultFor(
        object,
        'Synced',
        `${kubectlName(object)} ${current ? (unchanged ? 'unchanged' : 'configured') : 'created'}${suffix}`,
      ),
    );
    if (!dryRun)
      live.set(key, {
        desired: object,
        drifted: reapplyOverDrift(current, object),
        appliedAtMs: unchanged && current ? current.appliedAtMs : nowMs,
        revision,
      });
  }
  if (!sync.resources?.length) {
    const wanted = new Set(desired.map(objectKey));
    for (const [key, current] of [...live.entries()]) {
      if (wanted.has(key)) continue;
      if (sync.prune === true) {
        resources.push(resultFor(current.desired, 'Pruned', `pruned${suffix}`));
        if (!dryRun) live.delete(key);
      } else {
        resources.push(resultFor(current.desired, 'PruneSkipped', 'ignored (requires pruning)'));
      }
    }
  }
  return { phase: 'Succeeded', message: 'successfully synced (all tasks run)', revision, source, resources };
}

/** Writes a finished operation into the app: final phase, syncResult, history entry, `operation` cleared. */
export function recordSyncOutcome(app: Application, outcome: SyncOutcome, nowMs: number): void {
  const status = app.status ?? {};
  app.status = status;
  const state = status.operationState as OperationState;
  state.phase = outcome.phase;
  state.message = outcome.message;
  state.finishedAt = formatKubeTime(nowMs);
  state.syncResult = {
    revision: outcome.revision,
    ...(outcome.source ? { source: outcome.source } : {}),
    ...(outcome.revisions ? { revisions: outcome.revisions } : {}),
    ...(outcome.sources ? { sources: outcome.sources } : {}),
    ...(outcome.resources.length > 0 ? { resources: outcome.resources } : {}),
  };
  const sync = state.operation.sync ?? {};
  // controller/sync.go: only successful, non-dry-run, full syncs become history.
  if (outcome.phase === 'Succeeded' && sync.dryRun !== true && !sync.resources?.length) {
    const history = status.history ?? [];
    const entry: RevisionHistory = {
      id: (history.at(-1)?.id ?? -1) + 1,
      revision: outcome.revision,
      deployStartedAt: state.startedAt,
      deployedAt: state.finishedAt,
      ...(outcome.source ? { source: outcome.source } : {}),
      ...(outcome.revisions ? { revisions: outcome.revisions } : {}),
      ...(outcome.sources ? { sources: outcome.sources } : {}),
      ...(state.operation.initiatedBy ? { initiatedBy: state.operation.initiatedBy } : {}),
    };
    const limit = app.spec.revisionHistoryLimit ?? 10;
    status.history = [...history, entry].slice(-Math.max(1, limit));
  }
  delete app.operation;
}

/**
 * The operation the controller sets when auto-sync applies: enabled, OutOfSync, no operation running, and the most
 * recent sync did not already go to this revision (Argo CD skips that unless self-heal applies to a success).
 */
export function autoSyncOperation(
  app: Application,
  revision: string | string[],
  outOfSync: boolean,
): Operation | undefined {
  const automated = app.spec.syncPolicy?.automated;
  if (!automated || automated.enabled === false || !outOfSync || app.operation) return undefined;
  const last = app.status?.operationState;
  const lastRevision = Array.isArray(revision)
    ? JSON.stringify(last?.syncResult?.revisions ?? [])
    : last?.syncResult?.revision;
  if (
    last !== undefined &&
    lastRevision === (Array.isArray(revision) ? JSON.stringify(revision) : revision) &&
    (last.phase !== 'Succeeded' || automated.selfHeal !== true)
  ) {
    return undefined;
  }
  const syncOptions = app.spec.syncPolicy?.syncOptions;
  return {
    sync: {
      ...(Array.isArray(revision) ? { revisions: revision, sources: app.spec.sources ?? [] } : { revision }),
      prune: automated.prune === true,
      ...(syncOptions ? { syncOptions } : {}),
    },
    initiatedBy: { automated: true },
  };
}

/** Marks an operation Running (keeping the retry count of a retried one); returns the OperationStarted message. */
export function beginOperation(app: Application, nowMs: number): string {
  const operation = app.operation ?? {};
  const previous = app.status?.operationState;
  const retryCount = previous?.phase === 'Running' ? (previous.retryCount ?? 0) : 0;
  app.status ??= {};
  app.status.operationState = {
    operation: structuredClone(operation),
    phase: 'Running',
    message: 'one or more tasks are running',
    startedAt: formatKubeTime(nowMs),
    ...(retryCount > 0 ? { retryCount } : {}),
  };
  const who = operation.initiatedBy?.automated
    ? 'Initiated automated sync'
    : `${operation.initiatedBy?.username ?? 'Unknown user'} initiated sync`;
  return `${who} to ${operation.sync?.revision ?? 'HEAD'}`;
}

/** What {@link performSync} needs from the controller. */
export interface PerformSyncInput {
  app: Application;
  live: Map<string, LiveObject>;
  nowMs: () => number;
  resolve: (repoURL: string, revision: string | undefined) => Promise<string>;
  render: (source: ApplicationSource, revision: string) => Promise<KubeObject[]>;
  /** Renders the sources of a multi-source app at their revisions. */
  renderSources: (sources: ApplicationSource[], revisions: string[]) => Promise<KubeObject[]>;
  scriptedFailure?: string;
}

/**
 * Runs the app's sync operation: resolves the revision (the operation's, else the source's target), renders the
 * source (the operation's for rollbacks, else the spec's) and applies it; a multi-source app resolves and renders
 * each source (`revisions[i]`, else its target). Resolution or render failures end the operation in phase Error, as
 * a ComparisonError does in Argo CD.
 */
export async function performSync(input: PerformSyncInput): Promise<SyncOutcome> {
  const sync = input.app.operation?.sync ?? {};
  const sources = sync.sources?.length ? sync.sources : input.app.spec.sources;
  const source: ApplicationSource | undefined = sync.source ?? input.app.spec.source;
  const scripted = input.scriptedFailure !== undefined ? { scriptedFailure: input.scriptedFailure } : {};
  try {
    if (sources?.length && !sync.source) {
      const revisions = await Promise.all(
        sources.map((candidate, index) => {
          if (!candidate.repoURL) throw new Error('application source is missing repoURL');
          return input.resolve(candidate.repoURL, sync.revisions?.[index] || candidate.targetRevision);
        }),
      );
      const desired = await input.renderSources(sources, revisions);
      const outcome = executeSync({
        app: input.app,
        live: input.live,
        desired,
        revision: '',
        source: undefined,
        nowMs: input.nowMs(),
        ...scripted,
      });
      return { ...outcome, revisions, sources };
    }
    if (!source?.repoURL) throw new Error('application source is missing repoURL');
    const revision = await input.resolve(source.repoURL, sync.revision ?? source.targetRevision);
    const desired = await input.render(source, revision);
    return executeSync({
      app: input.app,
      live: input.live,
      desired,
      revision,
      source,
      nowMs: input.nowMs(),
      ...scripted,
    });
  } catch (error) {
    const message = `ComparisonError: ${(error as Error).message}`;
    return { phase: 'Error', message, revision: sync.revision ?? '', source, resources: [] };
  }
}
