import type { Logger } from '@gitops-kit/core';
import type { UpdateYamlOptions, YamlUpdate } from '../yaml/update-yaml.js';
import type { CommitMessageTemplate } from './commit-message.js';
import type { CommitIdentity } from './git-objects.js';
import type { WriteBackSshOptions } from './ssh-options.js';

/** Credentials for HTTP Basic: a username and a password or token. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/** A token (GitHub, GitLab, Gitea personal access tokens); sent as Basic with `username` (default `x-access-token`). */
export interface TokenCredentials {
  token: string;
  username?: string;
}

/** A bearer token, sent as `Authorization: Bearer …` (servers behind an OAuth proxy, Azure DevOps). */
export interface BearerCredentials {
  bearerToken: string;
}

/** Credentials, or a callback (the `onAuth` pattern) that returns them when the write-back starts. */
export type WriteBackAuth =
  | BasicCredentials
  | TokenCredentials
  | BearerCredentials
  | ((context: { url: string }) => WriteBackCredentials | Promise<WriteBackCredentials>);

/** One of the credential shapes. */
export type WriteBackCredentials = BasicCredentials | TokenCredentials | BearerCredentials;

/** Set values in a YAML file with `updateYaml`. */
export interface YamlFileChange {
  /** Repository-relative POSIX path, e.g. `helm/my-values.yaml`. */
  file: string;
  updates: YamlUpdate | readonly YamlUpdate[];
  /** Passed to `updateYaml` (`createMissing`, `document`, …). */
  yamlOptions?: UpdateYamlOptions;
}

/** Rewrite a file with a function; return the text unchanged for "no change". Called again after a race. */
export interface FunctionFileChange {
  file: string;
  edit: (text: string, context: { file: string; attempt: number }) => string | Promise<string>;
}

/** One change to one file. Several changes may name the same file; they apply in order. */
export type WriteBackChange = YamlFileChange | FunctionFileChange;

/** How races and transient failures are retried. */
export interface WriteBackRetryOptions {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Ceiling of the first backoff delay (full jitter below it), doubled per retry, in milliseconds. */
  baseDelayMs: number;
  /** The largest backoff delay, in milliseconds. */
  maxDelayMs: number;
  /** Uniform random numbers in `[0, 1)`, for jitter. */
  random: () => number;
}

/** Defaults: Kargo retries a lost push race 10 times with 1 s × 1.5 up to 30 s; a deploy bot needs less patience. */
export const DEFAULT_WRITE_BACK_RETRY: Readonly<WriteBackRetryOptions> = Object.freeze({
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  random: () => Math.random(),
});

/** Options of {@link writeBack}. */
export interface WriteBackOptions {
  /**
   * `https://` (or `http://`) URL of the repository, without credentials; or an SSH remote
   * (`git@host:team/deploy.git`, `ssh://git@host:2222/team/deploy.git`) with `ssh` options.
   */
  url: string;
  /** The branch to update (or to start `targetBranch` from). */
  branch: string;
  /**
   * Push to this branch instead (a review branch): built on it when it exists, else created from `branch`,
   * which stays untouched.
   */
  targetBranch?: string;
  /** Credentials; only ever sent in the `Authorization` header, never stored or put in a URL or message. */
  auth?: WriteBackAuth;
  /** For SSH remotes: the private key and the trusted host keys (checked by default). */
  ssh?: WriteBackSshOptions;
  /** Commit author; default `gitops-kit <gitops-kit@users.noreply.invalid>`. */
  author?: CommitIdentity;
  /** Committer; default the author. */
  committer?: CommitIdentity;
  /** Commit message template (`{summary}`, `{files}`, `{paths}`, `{changes}`, `{branch}`) or function. */
  message?: CommitMessageTemplate;
  /** Trailers appended to the message, e.g. `{ 'Signed-off-by': 'bot <bot@example.com>' }`. */
  trailers?: Readonly<Record<string, string>>;
  changes: readonly WriteBackChange[];
  signal?: AbortSignal;
  /** Retry table overrides, or `false` for a single attempt. */
  retry?: Partial<WriteBackRetryOptions> | false;
  /** Limit per HTTP request, in milliseconds; default 60 000. */
  timeoutMs?: number;
  /** Ask for `filter blob:none` when the server supports it, then fetch only the edited blobs; default true. */
  partialFetch?: boolean;
  /** Largest server answer accepted, in bytes; default 512 MiB. */
  maxResponseBytes?: number;
  /**
   * Run write-backs to the same repository and branch one after the other inside this process; default true.
   * Turn off only when the caller already serialises them (the race handling still applies).
   */
  inProcessLock?: boolean;
  /**
   * Largest whole-history fetch, in bytes, from a server that cannot fetch shallow (no `shallow` capability);
   * default 64 MiB. Past it: `GitFetchTooLargeError`.
   */
  maxHistoryBytes?: number;
  /**
   * Most bytes a fetched pack may unpack to (inflated entries and objects rebuilt from deltas); default 1 GiB.
   * `maxResponseBytes` caps the compressed answer only, and zlib expands about 1000:1. Past it:
   * `ResponseTooLargeError`.
   */
  maxUnpackedBytes?: number;
  /**
   * Push options (`git push -o`), e.g. GitLab's `ci.skip`; the server must offer `push-options`, or the
   * write-back fails with `UnsupportedGitServerError` before pushing.
   */
  pushOptions?: readonly string[];
  /**
   * Follow a redirect of the first request to another origin (credentials are then dropped); default false.
   * Redirects within the origin and http → https on the same host are always followed.
   */
  allowCrossOriginRedirects?: boolean;
  logger?: Logger;
  /**
   * Sent as `User-Agent` and as the `agent=` capability; default `gitops-kit/<version>`. Made valid for both:
   * control characters become `.`, and for the capability spaces too.
   */
  userAgent?: string;
  /** The clock for commit timestamps. */
  now?: () => Date;
}

/** What happened to one file. */
export interface WriteBackFileResult {
  file: string;
  changed: boolean;
  /** The values set (for YAML changes): path, old and new value. */
  edits: Array<{ path: string; oldValue: unknown; newValue: unknown }>;
}

/** The result of {@link writeBack}. */
export interface WriteBackResult {
  /** The pushed commit, or null when nothing changed. */
  commit: string | null;
  changed: boolean;
  /** Attempts made, the first included (more than 1 after races or transient failures). */
  attempts: number;
  /** The branch pushed to (or that would have been). */
  branch: string;
  /** The commit the change was built on. */
  parent: string;
  files: WriteBackFileResult[];
  /** `partial`: trees only, then the edited blobs; `full`: a whole depth-1 snapshot. */
  fetchMode: 'partial' | 'full';
}
