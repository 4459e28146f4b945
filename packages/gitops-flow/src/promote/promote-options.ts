import type {
  ArgoCDClient,
  ArgoCDClientOptions,
  SyncOptions,
  WaitCondition,
} from '@gitops-kit/argocd-client';
import type { Logger } from '@gitops-kit/core';
import type { WriteBackAuth, YamlUpdate } from '@gitops-kit/manifest-updater';
import type { PromotionEvent } from './promotion-events.js';

/** A kustomize `images:` entry to set (what `kustomize edit set image` does). */
export interface KustomizeImageChange {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** One file in the deploy repo and what to set in it. */
export interface PromotionChange {
  /** Repository-relative path, e.g. `helm/my-values.yaml`. */
  file: string;
  /** Values to set: `{ 'image.tag': 'abc123' }` or a list of `{ path, value }`. */
  set?: Readonly<Record<string, unknown>> | readonly YamlUpdate[];
  /** Kustomize images to set in a `kustomization.yaml`. */
  kustomizeImages?: readonly KustomizeImageChange[];
  /** Insert keys that do not exist yet (the `yq w` behaviour); default false → `PathNotFoundError`. */
  createMissing?: boolean;
}

/** The deploy repository. */
export interface PromotionRepository {
  /** `https://` URL without credentials. */
  url: string;
  /** The branch Argo CD tracks. */
  branch: string;
  /** Credentials (basic, token, or a callback), sent only in the Authorization header. */
  auth?: WriteBackAuth;
  /** Commit author; default `gitops-kit`. */
  author?: { name: string; email: string };
  /** Commit message template (see manifest-updater `writeBack`). */
  message?: string;
  /** Trailers for the commit message. */
  trailers?: Readonly<Record<string, string>>;
}

/** The Argo CD application to deploy. */
export interface PromotionApplication {
  name: string;
  /** The AppProject; pass it so a missing app is a clear 404 rather than Argo CD's 403. */
  project?: string;
  appNamespace?: string;
}

/**
 * What to do when the deployment fails.
 * - `git-revert`: write the previous values back to git (the GitOps-native rollback, also for auto-sync apps).
 * - `argocd-rollback`: Argo CD's history rollback (refused by Argo CD for auto-sync apps, so not used there).
 * - `none`: report the diagnosis and stop.
 */
export type FailurePolicy = 'git-revert' | 'argocd-rollback' | 'none';

/** What {@link PromoteOptions.beforeSync} is told. */
export interface BeforeSyncContext {
  application: string;
  /** The revision about to be deployed. */
  revision: string;
  /** Whether this promotion made a commit (false on a re-run with the same values). */
  changed: boolean;
  /** The values that changed: file, path, old and new value. */
  edits: ReadonlyArray<{ file: string; path: string; oldValue: unknown; newValue: unknown }>;
}

/** What {@link PromoteOptions.verify} is told, once the application is Synced and Healthy at the revision. */
export interface VerifyContext {
  application: string;
  /** The revision deployed. */
  revision: string | undefined;
  signal: AbortSignal | undefined;
}

/** Options of {@link promote}. */
export interface PromoteOptions {
  /** The deploy repository (not needed in `helm-parameters` mode). */
  repository?: PromotionRepository;
  /** The values to change. */
  changes?: readonly PromotionChange[];
  /**
   * `git` (default): change the files in git, then sync that commit. `helm-parameters`: set Helm parameters on the
   * Application instead (`argocd app set -p`) — the weaker choice: git no longer records what runs.
   */
  mode?: 'git' | 'helm-parameters';
  /** Helm parameters for `helm-parameters` mode, e.g. `{ 'image.tag': 'abc123' }`. */
  helmParameters?: Readonly<Record<string, string>>;
  application: PromotionApplication;
  /** A client, or the options to build one. */
  argocd: ArgoCDClient | ArgoCDClientOptions;
  /** Sync flags (prune, strategy, sync options, controller retries). */
  sync?: Pick<SyncOptions, 'prune' | 'strategy' | 'force' | 'syncOptions' | 'retryStrategy'>;
  /** How long and for what to wait; default 10 minutes for operation, sync and health. */
  wait?: { timeoutMs?: number; conditions?: readonly WaitCondition[] };
  /** How long to wait for Argo CD to see the new commit, in ms; default 120 000. */
  refreshTimeoutMs?: number;
  /** Default `none`. */
  onFailure?: FailurePolicy;
  /** Decide whether to deploy; returning false stops before the sync (outcome `skipped`). */
  beforeSync?: (context: BeforeSyncContext) => boolean | Promise<boolean>;
  /**
   * Checks the deployment once it is Synced and Healthy (a smoke test, a soak period): returning `false` or
   * throwing fails the promotion like a failed deployment (diagnosis, then the failure policy).
   */
  verify?: (context: VerifyContext) => boolean | undefined | Promise<boolean | undefined>;
  /** Compute and report the change (with a diff) without pushing or syncing. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** Progress events for a UI or log. */
  onEvent?: (event: PromotionEvent) => void;
  logger?: Logger;
}
