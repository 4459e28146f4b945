import { ArgoCDClient, type ArgoCDClientOptions } from '@gitops-kit/argocd-client';
import type { ChangeRequest, CommitChecks, ForgeClient } from '@gitops-kit/forge-client';
import { getYamlValue, type WriteBackAuth, type WriteBackSshOptions } from '@gitops-kit/manifest-updater';
import { type DeployFiles, readDeployFiles } from './read-deploy-files.js';
import { parseReleaseStages, type ReleaseStage, type ReleaseStageDefinition } from './release-definition.js';
import { ownEntry, repositoryAccess } from './repository-access.js';

/** Options of {@link releaseStatus}. */
export interface ReleaseStatusOptions {
  stages: readonly ReleaseStageDefinition[];
  argocd: ArgoCDClient | ArgoCDClientOptions;
  /**
   * HTTP credentials for every http(s) deploy repository (`gitAuthByUrl` per URL). Only read access is needed: the
   * files are read through git-upload-pack, so a read-only token (GitLab `read_repository`) is enough.
   */
  gitAuth?: WriteBackAuth;
  /** HTTP credentials per deploy repository URL, exactly as the stages name it. */
  gitAuthByUrl?: Readonly<Record<string, WriteBackAuth>>;
  /** SSH key and trusted host keys for every SSH deploy repository (`gitSshByUrl` per URL); read access suffices. */
  gitSsh?: WriteBackSshOptions;
  /** SSH options per SSH deploy repository URL, exactly as the stages name it. */
  gitSshByUrl?: Readonly<Record<string, WriteBackSshOptions>>;
  /** Forge clients, to find each change-request stage's open change request. */
  forges?: Readonly<Record<string, ForgeClient>>;
  /** A release's values: each stage then says whether it holds them (`atRelease`). */
  values?: Readonly<Record<string, string | number | boolean>>;
  /** Requests in flight at once; default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Where one stage stands. */
export interface StageStatus {
  name: string;
  application: string;
  branch: string;
  /** The commit at the head of the stage's branch. */
  branchHead: string | undefined;
  /** The release values the stage's files hold, by value name. */
  values: Record<string, unknown>;
  /** Whether the files hold `options.values` (only when given). */
  atRelease?: boolean;
  syncStatus: string | undefined;
  healthStatus: string | undefined;
  syncedRevision: string | undefined;
  operationPhase: string | undefined;
  /** Argo CD runs the branch head. */
  deployed: boolean;
  /**
   * An open change request from a release branch into this stage (change-request stages), with the verdict of the
   * checks on its head (`checks`: `none`, `pending`, `success` or `failed`, and the failed ones by name) when they
   * could be read.
   */
  changeRequest?: {
    number: number;
    sourceBranch: string;
    webUrl: string;
    mergeability: string;
    /** The commit at the head of its source branch. */
    headSha: string;
    checks?: { state: CommitChecks['state']; failed: string[] };
  };
  /** What could not be read (git, Argo CD or the forge), without secrets. */
  errors: string[];
}

type Read =
  | { kind: 'git'; key: string; result: DeployFiles | Error }
  | { kind: 'app'; key: string; result: StatusOfApplication | Error }
  | { kind: 'apps'; key: '*'; result: Map<string, StatusOfApplication | Error> | Error }
  | { kind: 'forge'; key: string; result: ChangeRequest[] | Error };

/** The part of an application the status reads (from a get, or from a projected list). */
interface StatusOfApplication {
  status?:
    | {
        sync?:
          | {
              status?: string | undefined;
              revision?: string | undefined;
              revisions?: string[] | null | undefined;
            }
          | null
          | undefined;
        health?: { status?: string | undefined } | null | undefined;
        operationState?: unknown;
      }
    | null
    | undefined;
}

/** The fields of an application the status needs, for a projected list. */
const STATUS_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'status.sync.status',
  'status.sync.revision',
  'status.sync.revisions',
  'status.health.status',
  'status.operationState.phase',
];

/**
 * Reads the stages' applications: one get per application while there are few; past `limit`, one projected list
 * per project set instead (Argo CD lists without pagination, and the projection keeps the body to what is read),
 * which turns 50 requests into one.
 */
function applicationReads(
  stages: readonly ReleaseStage[],
  client: ArgoCDClient,
  limit: number,
  signal: AbortSignal | undefined,
): Array<() => Promise<Read>> {
  const projects = [...new Set(stages.map((stage) => stage.application.project))];
  const getOne = (stage: ReleaseStage): Promise<StatusOfApplication | Error> =>
    client.applications
      .get(stage.application.name, {
        project: stage.application.project,
        appNamespace: stage.application.appNamespace,
        signal,
      })
      .then((app): StatusOfApplication => ({ status: app.status }))
      .catch((error: unknown) => new Error(`Argo CD ${stage.application.name}: ${message(error)}`));
  if (stages.length <= limit || projects.includes(undefined)) {
    return stages.map(
      (stage) => async (): Promise<Read> => ({ kind: 'app', key: stage.name, result: await getOne(stage) }),
    );
  }
  return [
    async (): Promise<Read> => {
      try {
        const items = await client.applications.listProjected(STATUS_FIELDS, {
          projects: projects as string[],
          signal,
        });
        // Names are unique per namespace only (applications in any namespace): a stage that names its namespace
        // takes that one; one without takes the only application of that name, and when several namespaces hold
        // one, asks Argo CD for it alone (its control-plane namespace is not known here).
        const byStage = new Map<string, StatusOfApplication | Error>();
        for (const stage of stages) {
          const { name, appNamespace } = stage.application;
          const matches = items.filter(
            (item) =>
              item.metadata?.name === name &&
              (appNamespace === undefined || item.metadata?.namespace === appNamespace),
          );
          if (matches.length === 1) {
            byStage.set(stage.name, { status: (matches[0] as (typeof items)[number]).status });
          } else if (matches.length === 0) {
            byStage.set(stage.name, new Error(`Argo CD ${name}: not found`));
          } else {
            byStage.set(stage.name, await getOne(stage));
          }
        }
        return { kind: 'apps', key: '*', result: byStage };
      } catch (error) {
        return { kind: 'apps', key: '*', result: new Error(`Argo CD list: ${message(error)}`) };
      }
    },
  ];
}

function isClient(value: ArgoCDClient | ArgoCDClientOptions): value is ArgoCDClient {
  return typeof (value as ArgoCDClient).applications === 'object';
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order of the results. */
async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Where every stage stands: the release values in git, Argo CD's synced revision, sync and health, and an open
 * change request — read in parallel (one git fetch per repository and branch, one Argo CD read per stage, one
 * forge list per project and branch), with at most `concurrency` requests at once. Nothing is written, and git is
 * only read (git-upload-pack): read-only git credentials are enough.
 *
 * @throws {ValidationError} for invalid stages. Read failures do not throw: they are listed in `errors`.
 * @example
 * ```ts
 * for (const stage of await releaseStatus({ stages, argocd, gitAuth, values: { 'image.tag': 'v2' } })) {
 *   console.log(stage.name, stage.values['image.tag'], stage.syncStatus, stage.healthStatus);
 * }
 * ```
 */
export async function releaseStatus(options: ReleaseStatusOptions): Promise<StageStatus[]> {
  const stages = parseReleaseStages(options.stages);
  const client = isClient(options.argocd) ? options.argocd : new ArgoCDClient(options.argocd);
  const limit = Math.max(1, options.concurrency ?? 8);

  // Plan the reads: one per repository and branch, one per stage application, one per forge project and branch.
  const repositories = new Map<string, { url: string; branch: string; files: Set<string> }>();
  for (const stage of stages) {
    const key = `${stage.repository.url}#${stage.repository.branch}`;
    const entry = repositories.get(key) ?? {
      url: stage.repository.url,
      branch: stage.repository.branch,
      files: new Set(),
    };
    for (const change of stage.changes) entry.files.add(change.file);
    repositories.set(key, entry);
  }
  const changeRequestLists = new Map<string, { forge: ForgeClient; project: string; branch: string }>();
  for (const stage of stages) {
    if (stage.strategy.type !== 'change-request') continue;
    const forge = ownEntry(options.forges, stage.strategy.forge);
    if (forge === undefined) continue;
    changeRequestLists.set(`${stage.strategy.forge}#${stage.strategy.project}#${stage.repository.branch}`, {
      forge,
      project: stage.strategy.project,
      branch: stage.repository.branch,
    });
  }
  const jobs: Array<() => Promise<Read>> = [
    ...[...repositories].map(
      ([key, repository]) =>
        async (): Promise<Read> => ({
          kind: 'git',
          key,
          result: await readDeployFiles(
            { url: repository.url, branch: repository.branch, ...repositoryAccess(options, repository.url) },
            [...repository.files],
            options.signal,
          ).catch((error: unknown) => new Error(`git ${repository.branch}: ${message(error)}`)),
        }),
    ),
    ...applicationReads(stages, client, limit, options.signal),
    ...[...changeRequestLists].map(
      ([key, list]) =>
        async (): Promise<Read> => ({
          kind: 'forge',
          key,
          result: await list.forge.changeRequests
            .list(
              { project: list.project, state: 'open', targetBranch: list.branch },
              options.signal ? { signal: options.signal } : {},
            )
            .catch((error: unknown) => new Error(`forge ${list.project}: ${message(error)}`)),
        }),
    ),
  ];
  const reads = await mapConcurrent(jobs, limit, (job) => job());
  const find = <K extends Read['kind']>(kind: K, key: string) =>
    reads.find((read): read is Extract<Read, { kind: K }> => read.kind === kind && read.key === key)?.result;

  const statuses = stages.map((stage) => statusOf(stage, find, options.values));
  await addChecks(stages, statuses, options.forges, limit, options.signal);
  return statuses;
}

/**
 * Reads the checks on the head of each open change request (one request per change request: only the open ones,
 * so a handful), as the merge waits on them: `checks.get` gives the forge's verdict.
 */
async function addChecks(
  stages: readonly ReleaseStage[],
  statuses: StageStatus[],
  forges: ReleaseStatusOptions['forges'],
  limit: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const pending = statuses.flatMap((status, index) => {
    const stage = stages[index] as ReleaseStage;
    const request = status.changeRequest;
    if (stage.strategy.type !== 'change-request' || request === undefined) return [];
    const forge = ownEntry(forges, stage.strategy.forge);
    const sha = request.headSha;
    return forge === undefined || sha === ''
      ? []
      : [{ status, forge, project: stage.strategy.project, sha, request }];
  });
  await mapConcurrent(pending, limit, async ({ status, forge, project, sha, request }) => {
    try {
      const checks = await forge.checks.get({ project, sha }, signal ? { signal } : {});
      request.checks = {
        state: checks.state,
        failed: checks.statuses
          .filter((check) => check.state === 'failed' || check.state === 'canceled')
          .map((check) => check.name),
      };
    } catch (error) {
      status.errors.push(`forge ${project} checks of ${sha.slice(0, 12)}: ${message(error)}`);
    }
  });
}

function statusOf(
  stage: ReleaseStage,
  find: (kind: 'git' | 'app' | 'apps' | 'forge', key: string) => unknown,
  releaseValues: ReleaseStatusOptions['values'],
): StageStatus {
  const errors: string[] = [];
  const files = find('git', `${stage.repository.url}#${stage.repository.branch}`) as
    | DeployFiles
    | Error
    | undefined;
  // No prototype: a release value named `__proto__` is a key like any other.
  const values = Object.create(null) as Record<string, unknown>;
  let atRelease = releaseValues === undefined ? undefined : true;
  if (files instanceof Error || files === undefined) {
    errors.push(files?.message ?? 'git not read');
    atRelease = undefined;
  } else {
    for (const change of stage.changes) {
      const mapping = Array.isArray(change.paths)
        ? Object.fromEntries(change.paths.map((p) => [p, p]))
        : change.paths;
      for (const [path, valueName] of Object.entries(mapping)) {
        let value: unknown;
        try {
          value = getYamlValue(files.texts.get(change.file) ?? '', path);
        } catch {
          value = undefined;
        }
        values[valueName] = value;
        if (releaseValues !== undefined && String(value) !== String(releaseValues[valueName]))
          atRelease = false;
      }
    }
  }
  const listed = find('apps', '*') as Map<string, StatusOfApplication | Error> | Error | undefined;
  const app =
    listed === undefined
      ? (find('app', stage.name) as StatusOfApplication | Error | undefined)
      : listed instanceof Error
        ? listed
        : listed.get(stage.name);
  const status = app instanceof Error || app === undefined ? undefined : app.status;
  if (app instanceof Error) errors.push(app.message);
  const branchHead = files instanceof Error || files === undefined ? undefined : files.head;
  const syncedRevision: string | undefined =
    status?.sync?.revision ?? status?.sync?.revisions?.[0] ?? undefined;
  const result: StageStatus = {
    name: stage.name,
    application: stage.application.name,
    branch: stage.repository.branch,
    branchHead,
    values,
    syncStatus: status?.sync?.status ?? undefined,
    healthStatus: status?.health?.status ?? undefined,
    syncedRevision,
    operationPhase: phaseOf(status?.operationState),
    deployed: branchHead !== undefined && syncedRevision === branchHead,
    errors,
  };
  if (atRelease !== undefined) result.atRelease = atRelease;
  if (stage.strategy.type === 'change-request') {
    const list = find(
      'forge',
      `${stage.strategy.forge}#${stage.strategy.project}#${stage.repository.branch}`,
    ) as ChangeRequest[] | Error | undefined;
    if (list instanceof Error) errors.push(list.message);
    const open =
      list instanceof Error
        ? undefined
        : list?.find((request) => request.sourceBranch.endsWith(`/${stage.name}`));
    if (open) {
      result.changeRequest = {
        number: open.number,
        sourceBranch: open.sourceBranch,
        webUrl: open.webUrl,
        mergeability: open.mergeability,
        headSha: open.headSha,
      };
    }
  }
  return result;
}

function phaseOf(operationState: unknown): string | undefined {
  const phase = (operationState as { phase?: unknown } | null | undefined)?.phase;
  return typeof phase === 'string' ? phase : undefined;
}
