/**
 * What the git protocol code needs from a transport (smart HTTP today; SSH plugs in the same way). The protocol
 * modules (`upload-pack.ts`, `receive-pack.ts`) build request bodies and parse answers; a transport only carries
 * bytes. Every exchange is stateless, as in smart HTTP (gitprotocol-http(5)): an SSH transport opens a channel per
 * exchange, reads the advertisement there and then sends the body.
 */

/** The two services a client talks to. */
export type GitService = 'git-upload-pack' | 'git-receive-pack';

/** Per-call options of a transport. */
export interface GitExchangeOptions {
  /** Ask for protocol v2 (HTTP: `Git-Protocol: version=2`; SSH: `GIT_PROTOCOL=version=2`). */
  protocolV2: boolean;
  /** A lower cap on the answer than the transport's own, for this call only. */
  maxResponseBytes?: number;
}

/** Carries git protocol bytes to one repository. */
export interface GitTransport {
  /** The repository address for messages: never with credentials. */
  readonly url: string;
  /** The user agent the caller chose (capability code turns it into a valid `agent=` token). */
  readonly userAgent: string;
  /** The largest answer accepted, in bytes. */
  readonly maxResponseBytes: number;
  /**
   * The service's first answer: for v0 the ref advertisement, for v2 the capability advertisement, as pkt-lines
   * (smart HTTP's `# service=` preamble already removed).
   *
   * @throws AuthenticationError, ConnectionError, TimeoutError, AbortError, UnsupportedGitServerError.
   */
  advertise(service: GitService, options: GitExchangeOptions): Promise<Buffer>;
  /**
   * Sends one request to the service and returns the complete answer.
   *
   * @throws as `advertise`, plus ResponseTooLargeError past the cap.
   */
  exchange(service: GitService, body: Buffer, options: GitExchangeOptions): Promise<Buffer>;
  /**
   * The same transport without the caller's abort signal and with its own short deadline: used to establish a
   * push's outcome after the caller aborted (the commit may have landed).
   */
  detached(timeoutMs: number): GitTransport;
}
