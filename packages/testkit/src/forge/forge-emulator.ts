import type {
  ForgeFault,
  ForgeHttpServer,
  ForgeReply,
  ForgeRequestRecord,
  ForgeSpecViolation,
} from './forge-http.js';

/**
 * What the GitLab and GitHub emulators share: the address and token, scripted faults, the request log, the spec
 * check's findings, the routes served, and stopping.
 *
 * @example
 * ```ts
 * const github = await GitHubEmulator.start({ git });
 * github.addFault({ kind: 'status', requests: 1, status: 503 });
 * // … the code under test retries …
 * expect(github.requests.map((r) => r.status)).toEqual([503, 200]);
 * expect(github.specViolations).toEqual([]);
 * ```
 */
export abstract class ForgeEmulator {
  /** The emulator's address (GitLab's API is at `${url}/api/v4`; GitHub's at `url` and `${url}/api/v3`). */
  readonly url: string;
  /** The token clients must send. */
  readonly token: string;
  readonly #http: ForgeHttpServer;

  /** @internal */
  protected constructor(http: ForgeHttpServer, token: string) {
    this.#http = http;
    this.token = token;
    this.url = http.url;
  }

  /** Scripts faults on the next requests (rate limits, errors). */
  addFault(fault: ForgeFault): void {
    this.#http.faults.push({ ...fault });
  }

  /** Every request answered so far. */
  get requests(): readonly ForgeRequestRecord[] {
    return this.#http.requests;
  }

  /** Requests and responses that did not match the forge's spec extract (see the `specViolations` option). */
  get specViolations(): readonly ForgeSpecViolation[] {
    return this.#http.specViolations;
  }

  /** The routes served (method and path with `:name` segments), each an operation of the spec extract. */
  get routes(): ReadonlyArray<{ method: string; pattern: string }> {
    return this.#http.routes;
  }

  /**
   * Rewrites replies before they are checked against the spec and sent (`undefined` removes the hook). Meant for
   * tests of the spec check itself and of a client's handling of a malformed answer.
   */
  rewriteReplies(hook: ((reply: ForgeReply, method: string, path: string) => ForgeReply) | undefined): void {
    this.#http.replyHook = hook;
  }

  /** Stops the server (the repositories stay with the `GitServer`). */
  stop(): Promise<void> {
    return this.#http.close();
  }
}
