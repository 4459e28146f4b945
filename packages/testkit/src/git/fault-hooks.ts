/** The two git services served over smart HTTP. */
export type GitServiceName = 'git-upload-pack' | 'git-receive-pack';

/**
 * Which part of the smart-HTTP exchange a request is: the ref advertisement (`GET …/info/refs?service=…`) or the
 * RPC that carries the pack (`POST …/git-upload-pack`, `POST …/git-receive-pack`).
 */
export type GitRequestPhase = 'advertisement' | 'rpc';

/** What the server knows about a request when it decides whether a fault applies. */
export interface GitRequestInfo {
  method: string;
  /** Repository name without `.git` (`deploy` for `/deploy.git/info/refs`), or undefined for other paths. */
  repo: string | undefined;
  service: GitServiceName | undefined;
  phase: GitRequestPhase | undefined;
  /** The path below the server root, e.g. `/deploy.git/git-receive-pack`. */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Which requests a fault applies to; every field given must match. */
export interface GitFaultMatch {
  repo?: string;
  service?: GitServiceName;
  phase?: GitRequestPhase;
  method?: string;
  /** Any other condition. */
  when?: (request: GitRequestInfo) => boolean;
}

/** A hook that runs before `git receive-pack` sees the push, with the server to commit through. */
export type BeforeReceivePackHook = (context: {
  repo: string;
  request: GitRequestInfo;
}) => void | Promise<void>;

/**
 * A fault injected into matching requests. Several behaviours may be combined; they apply in this order:
 * `delayMs`, `respondWithStatus` (which ends the request), `beforeReceivePack`, then the request runs,
 * `delayResponseMs` holds its answer back and `dropConnectionAfterResponseStarts` cuts it short.
 */
export interface GitFault extends GitFaultMatch {
  /** How many matching requests the fault applies to (default: every one until removed). */
  times?: number;
  /** Wait this long before handling the request. */
  delayMs?: number;
  /** Answer with this HTTP status (and `responseBody`) without running git. */
  respondWithStatus?: number;
  /** Body for `respondWithStatus` (default: the status text). */
  responseBody?: string;
  /**
   * Run git to completion (so a push is applied and its ref moved), send the response headers and the first
   * part of the body, then destroy the connection: the client sees a connection reset although the server
   * acted on the request.
   */
  dropConnectionAfterResponseStarts?: boolean;
  /**
   * Run git to completion (so a push is applied and its ref moved), then hold the response back this long: the
   * window in which a client that gives up cannot know that its push landed.
   */
  delayResponseMs?: number;
  /** Runs before receive-pack handles a push (only for `git-receive-pack` RPCs); may commit to the repo. */
  beforeReceivePack?: BeforeReceivePackHook;
}

/** A fault installed on a server; `remove()` uninstalls it, `hits` counts the requests it applied to. */
export interface InstalledGitFault {
  readonly hits: number;
  remove(): void;
}

/** Whether `fault` applies to `request` (ignoring its remaining `times`). */
export function faultMatches(fault: GitFaultMatch, request: GitRequestInfo): boolean {
  if (fault.repo !== undefined && fault.repo !== request.repo) return false;
  if (fault.service !== undefined && fault.service !== request.service) return false;
  if (fault.phase !== undefined && fault.phase !== request.phase) return false;
  if (fault.method !== undefined && fault.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (fault.when !== undefined && !fault.when(request)) return false;
  return true;
}
