/**
 * The emulator's view of Argo CD objects. Field names are the Go json tags (the wire format); only what the
 * emulator reads is typed, everything else passes through untouched.
 */
export type JsonObject = Record<string, unknown>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  [field: string]: unknown;
}

export interface HelmParameter {
  name?: string;
  value?: string;
  forceString?: boolean;
}

export interface HelmSource {
  valueFiles?: string[];
  values?: string;
  valuesObject?: unknown;
  parameters?: HelmParameter[];
  releaseName?: string;
  [field: string]: unknown;
}

export interface ApplicationSource {
  repoURL?: string;
  path?: string;
  targetRevision?: string;
  chart?: string;
  helm?: HelmSource;
  [field: string]: unknown;
}

export interface SyncPolicy {
  automated?: { enabled?: boolean; prune?: boolean; selfHeal?: boolean; allowEmpty?: boolean };
  syncOptions?: string[];
  [field: string]: unknown;
}

export interface ApplicationSpec {
  project?: string;
  source?: ApplicationSource;
  sources?: ApplicationSource[];
  destination?: { server?: string; name?: string; namespace?: string };
  syncPolicy?: SyncPolicy;
  revisionHistoryLimit?: number;
  [field: string]: unknown;
}

export interface SyncOperation {
  revision?: string;
  revisions?: string[];
  prune?: boolean;
  dryRun?: boolean;
  resources?: Array<{ group?: string; kind?: string; name?: string; namespace?: string }> | undefined;
  source?: ApplicationSource;
  /** Multi-source apps: the sources the operation syncs (with `revisions`, one per source). */
  sources?: ApplicationSource[];
  syncStrategy?: JsonObject;
  syncOptions?: string[];
  [field: string]: unknown;
}

export interface Operation {
  sync?: SyncOperation;
  initiatedBy?: { username?: string; automated?: boolean };
  info?: Array<{ name?: string; value?: string }>;
  retry?: JsonObject;
  [field: string]: unknown;
}

export interface ResourceResult {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
  status: string;
  message: string;
  hookPhase: string;
  syncPhase: string;
  images?: string[];
}

export interface OperationState {
  operation: Operation;
  phase: 'Running' | 'Terminating' | 'Failed' | 'Error' | 'Succeeded';
  message?: string;
  startedAt: string;
  finishedAt?: string;
  retryCount?: number;
  syncResult?: {
    revision: string;
    source?: ApplicationSource;
    revisions?: string[];
    sources?: ApplicationSource[];
    resources?: ResourceResult[];
  };
}

export interface RevisionHistory {
  id: number;
  revision: string;
  source?: ApplicationSource;
  revisions?: string[];
  sources?: ApplicationSource[];
  deployStartedAt?: string;
  deployedAt: string;
  initiatedBy?: { username?: string; automated?: boolean };
}

export interface HealthStatus {
  status: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface ResourceStatus {
  group?: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  status: string;
  health?: HealthStatus;
  syncWave?: number;
}

export interface ApplicationStatus {
  sync?: { status: string; revision?: string; revisions?: string[]; comparedTo?: JsonObject };
  health?: HealthStatus;
  resources?: ResourceStatus[];
  history?: RevisionHistory[];
  operationState?: OperationState;
  reconciledAt?: string;
  observedAt?: string;
  sourceType?: string;
  summary?: { images?: string[]; externalURLs?: string[] };
  conditions?: Array<{ type: string; message: string; lastTransitionTime?: string }>;
  resourceHealthSource?: string;
  controllerNamespace?: string;
  [field: string]: unknown;
}

export interface Application {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: ApplicationSpec;
  status?: ApplicationStatus;
  operation?: Operation;
  [field: string]: unknown;
}

export interface ProjectRole {
  name: string;
  description?: string;
  policies?: string[];
  groups?: string[];
  jwtTokens?: JwtToken[];
}

export interface JwtToken {
  iat: number;
  exp?: number;
  id?: string;
}

export interface AppProject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    description?: string;
    sourceRepos?: string[];
    destinations?: Array<{ server?: string; name?: string; namespace?: string }>;
    roles?: ProjectRole[];
    [field: string]: unknown;
  };
  status?: { jwtTokensByRole?: Record<string, { items?: JwtToken[] }> };
  [field: string]: unknown;
}

export interface Repository {
  repo: string;
  type?: string;
  name?: string;
  project?: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  connectionState?: { status: string; message: string; attemptedAt?: string };
  [field: string]: unknown;
}

/** A Kubernetes object the emulator rendered and "applied". */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string | undefined;
    uid?: string;
    labels?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: JsonObject;
  status?: JsonObject;
  [field: string]: unknown;
}

/** Splits `apps/v1` into group and version (core group is ''). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** RFC 3339 with second precision, as metav1.Time marshals. */
export function formatKubeTime(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}
