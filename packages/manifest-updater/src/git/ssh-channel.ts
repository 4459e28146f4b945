import { AuthenticationError, ConnectionError, ResponseTooLargeError } from '@gitops-kit/core';
import type { ClientChannel } from 'ssh2';
import { GitProtocolError } from './errors.js';

const MAX_STDERR_BYTES = 8 * 1024;

// What forges print on stderr when a key may connect but not read or write this repository (GitHub: "Permission
// to … denied to deploy key", GitLab: "You are not allowed to push code", Gitea: "permission denied"). HTTP
// answers 403 there, which is an AuthenticationError; SSH gets the same error.
const PERMISSION_DENIED =
  /permission .*denied|permission denied|access denied|not allowed to (?:push|access)/i;

/**
 * One exec channel running a git service (`git-upload-pack '…'`): its stdout read as pkt-lines, its stderr kept
 * (capped) for the error message, and the exit status. Over SSH the conversation is stateful (gitprotocol-pack):
 * the advertisement arrives first, and the request and its response follow on the same channel.
 */
export class SshServiceChannel {
  readonly #channel: ClientChannel;
  readonly #describe: string;
  readonly #maxBytes: number;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  #received = 0;
  #stderr = '';
  #exitCode: number | undefined;
  #ended = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(channel: ClientChannel, options: { describe: string; maxResponseBytes: number }) {
    this.#channel = channel;
    this.#describe = options.describe;
    this.#maxBytes = options.maxResponseBytes;
    channel.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      if (this.#received > this.#maxBytes) {
        this.#fail(
          new ResponseTooLargeError(`${this.#describe}: the answer exceeded ${this.#maxBytes} bytes`, {
            limitBytes: this.#maxBytes,
          }),
        );
        channel.close();
        return;
      }
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      this.#notify();
    });
    channel.stderr.on('data', (chunk: Buffer) => {
      if (this.#stderr.length < MAX_STDERR_BYTES) this.#stderr += chunk.toString('utf8');
    });
    channel.on('exit', (code: number | null) => {
      this.#exitCode = code ?? undefined;
    });
    channel.on('close', () => {
      this.#ended = true;
      this.#notify();
    });
    channel.on('error', (error: Error) => this.#fail(error));
  }

  /** Makes every pending and later read fail with `error` (abort, timeout, a lost connection). */
  fail(error: Error): void {
    this.#fail(error);
    this.#channel.close();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #more(): Promise<boolean> {
    if (this.#failure) throw this.#failure;
    if (this.#ended) return false;
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
    if (this.#failure) throw this.#failure;
    return true;
  }

  #take(length: number): Buffer {
    const all = Buffer.concat(this.#chunks);
    this.#chunks.length = 0;
    if (all.length > length) this.#chunks.push(all.subarray(length));
    this.#buffered = all.length - length;
    return all.subarray(0, length);
  }

  #peek(): Buffer {
    if (this.#chunks.length > 1) {
      const all = Buffer.concat(this.#chunks);
      this.#chunks.length = 0;
      this.#chunks.push(all);
    }
    return this.#chunks[0] ?? Buffer.alloc(0);
  }

  /** The failure to report when the service ended early: the server's own words, typed. */
  #endedEarly(what: string): Error {
    const stderr = this.#stderr.trim().replace(/\s+/g, ' ').slice(0, 500);
    const status = this.#exitCode === undefined ? '' : ` (exit status ${this.#exitCode})`;
    const message = `${this.#describe}: the server ended ${what}${status}${stderr ? `: ${stderr}` : ''}`;
    if (PERMISSION_DENIED.test(stderr)) return new AuthenticationError(message);
    if (this.#exitCode === undefined && stderr === '') return new ConnectionError(message);
    return new GitProtocolError(message, stderr ? { serverMessage: stderr } : {});
  }

  /** Reads pkt-lines up to and including the first flush: the v0 ref advertisement or the v2 capability list. */
  async readAdvertisement(): Promise<Buffer> {
    let offset = 0;
    for (;;) {
      const buffered = this.#peek();
      while (offset + 4 <= buffered.length) {
        const lengthText = buffered.toString('ascii', offset, offset + 4);
        if (!/^[0-9a-f]{4}$/i.test(lengthText)) {
          throw new GitProtocolError(`${this.#describe}: the server did not answer in pkt-lines`);
        }
        const length = Number.parseInt(lengthText, 16);
        if (length === 0) return this.#take(offset + 4);
        const size = Math.max(length, 4);
        if (offset + size > buffered.length) break;
        offset += size;
      }
      if (!(await this.#more())) throw this.#endedEarly('the conversation before its advertisement');
    }
  }

  /**
   * Writes the request, closes our side (the service then answers and exits, gitprotocol-pack), and reads the
   * whole response.
   */
  async exchange(body: Buffer): Promise<Buffer> {
    if (this.#failure) throw this.#failure;
    this.#channel.end(body);
    while (await this.#more()) {
      // Read until the channel closes.
    }
    const response = this.#take(this.#buffered);
    if (
      response.length === 0 ||
      (this.#exitCode !== undefined && this.#exitCode !== 0 && !hasPkt(response))
    ) {
      throw this.#endedEarly('the request without an answer');
    }
    return response;
  }

  /** Ends the conversation politely: a flush tells upload-pack and receive-pack there is nothing to do. */
  close(): void {
    if (this.#ended) return;
    this.#channel.end(Buffer.from('0000', 'ascii'));
    this.#channel.close();
  }
}

function hasPkt(response: Buffer): boolean {
  return response.length >= 4 && /^[0-9a-f]{4}$/i.test(response.toString('ascii', 0, 4));
}
