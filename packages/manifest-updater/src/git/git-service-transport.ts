import { ResponseTooLargeError } from '@gitops-kit/core';
import type { GitExchangeOptions, GitService, GitTransport } from './git-transport.js';

/** git's two pack services. */
export type GitServiceName = 'git-upload-pack' | 'git-receive-pack';

/**
 * A way to run git's pack services other than smart HTTP (SSH). The protocol code (advertisements, fetch, push)
 * is the same on every transport; only how the bytes travel differs.
 */
export interface GitServiceTransport {
  /**
   * Starts `service` and returns its advertisement as pkt-lines up to and including the first flush (v0 refs and
   * capabilities, or the v2 capability list). `protocolV2` asks for v2; servers may answer v0.
   */
  advertise(service: GitServiceName, options: { protocolV2: boolean }): Promise<Buffer>;
  /** Sends one request to `service` and returns its whole response. */
  run(service: GitServiceName, body: Buffer, options: { protocolV2: boolean }): Promise<Buffer>;
  /** Ends every open conversation and the connection. Safe to call twice. */
  close(): void;
}

/** How a {@link ServiceGitTransport} describes itself and opens a fresh connection. */
export interface ServiceGitTransportSettings {
  /** The repository address for messages (never with credentials). */
  url: string;
  userAgent: string;
  maxResponseBytes: number;
  /** A new connection without the caller's signal, for reading a branch back after an abort. */
  reopen: (timeoutMs: number) => GitServiceTransport;
}

/**
 * The protocol code's {@link GitTransport} over a {@link GitServiceTransport} (SSH): the advertisement and each
 * exchange are service calls on the connection; a per-call answer cap below the transport's is checked here.
 */
export class ServiceGitTransport implements GitTransport {
  readonly url: string;
  readonly userAgent: string;
  readonly maxResponseBytes: number;
  readonly #service: GitServiceTransport;
  readonly #settings: ServiceGitTransportSettings;
  readonly #detached: ServiceGitTransport[] = [];

  constructor(service: GitServiceTransport, settings: ServiceGitTransportSettings) {
    this.#service = service;
    this.#settings = settings;
    this.url = settings.url;
    this.userAgent = settings.userAgent;
    this.maxResponseBytes = settings.maxResponseBytes;
  }

  advertise(service: GitService, options: GitExchangeOptions): Promise<Buffer> {
    return this.#service.advertise(service, { protocolV2: options.protocolV2 });
  }

  async exchange(service: GitService, body: Buffer, options: GitExchangeOptions): Promise<Buffer> {
    const answer = await this.#service.run(service, body, { protocolV2: options.protocolV2 });
    const limit = options.maxResponseBytes;
    if (limit !== undefined && answer.length > limit) {
      throw new ResponseTooLargeError(`git response exceeded ${limit} bytes`, { limitBytes: limit });
    }
    return answer;
  }

  detached(timeoutMs: number): GitTransport {
    const fresh = new ServiceGitTransport(this.#settings.reopen(timeoutMs), this.#settings);
    this.#detached.push(fresh);
    return fresh;
  }

  /** Closes the connection and any detached one. */
  close(): void {
    this.#service.close();
    for (const transport of this.#detached) transport.close();
  }
}
