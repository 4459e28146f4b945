import {
  AbortError,
  AuthenticationError,
  abortReasonToError,
  ConnectionError,
  GitOpsKitError,
  TimeoutError,
} from '@gitops-kit/core';
// ssh2 is CommonJS without named ESM exports: take the classes from the default export.
import ssh2, {
  type Algorithms,
  type Client,
  type ClientChannel,
  type PublicKeyAuthMethod,
  type ServerHostKeyAlgorithm,
} from 'ssh2';
import type { GitServiceName, GitServiceTransport } from './git-service-transport.js';
import { hostKeyFingerprint, type KnownHosts, keyTypeOfBlob, knownHostsName } from './known-hosts.js';
import { SshServiceChannel } from './ssh-channel.js';
import { HostKeyVerificationError } from './ssh-errors.js';
import type { LoadedSshKey } from './ssh-key.js';
import { type SshRemote, shellQuote } from './ssh-remote.js';

/** How {@link SshGitTransport} reaches one repository. */
export interface SshGitTransportOptions {
  remote: SshRemote;
  key: LoadedSshKey;
  /** The trusted host keys, or `insecure-ignore` to accept any host key (the caller warned about it). */
  hostKeys: KnownHosts | 'insecure-ignore';
  /** Limit for connecting and for each exchange, in milliseconds. */
  timeoutMs: number;
  maxResponseBytes: number;
  signal: AbortSignal | undefined;
}

// ssh2's host key algorithms without SHA-1 `ssh-rsa`, which OpenSSH turned off by default in 8.8.
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
] as const;

/**
 * OpenSSH asks for the host key types it already knows for the host first (sshconnect.c, order_hostkeyalgs), so a
 * server with several keys presents the one known_hosts can check.
 */
function hostKeyAlgorithms(known: readonly string[]): Algorithms {
  const preferred = known.flatMap((type) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256'] : [type]));
  const ordered = [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])].filter((name) =>
    (HOST_KEY_ALGORITHMS as readonly string[]).includes(name),
  );
  return { serverHostKey: ordered as ServerHostKeyAlgorithm[] };
}

/**
 * git's pack services over SSH (gitprotocol-pack: `git-upload-pack '<path>'` / `git-receive-pack '<path>'` run
 * as exec requests; protocol v2 asked for with the `GIT_PROTOCOL=version=2` environment request, which servers
 * may ignore). One SSH connection per write-back carries every channel; the host key is checked against
 * known_hosts before the key is offered.
 */
export class SshGitTransport implements GitServiceTransport {
  readonly #options: SshGitTransportOptions;
  readonly #pending = new Map<GitServiceName, SshServiceChannel>();
  readonly #open = new Set<SshServiceChannel>();
  #client: Promise<Client> | undefined;
  /** The client behind {@link #client}, to cut its socket on abort even mid-handshake. */
  #raw: Client | undefined;
  #closed = false;
  readonly #onAbort = () => this.#shutDown(abortReasonToError(this.#options.signal as AbortSignal));

  constructor(options: SshGitTransportOptions) {
    this.#options = options;
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get #describe(): string {
    return this.#options.remote.display;
  }

  #connect(): Promise<Client> {
    if (this.#client) return this.#client;
    const { remote, key, hostKeys, timeoutMs } = this.#options;
    const client = new ssh2.Client();
    this.#raw = client;
    // Errors reach callers through the promise below and the channels; ssh2 may emit more than one (e.g. after
    // an abort mid-handshake), and an 'error' without a listener would crash the process.
    client.on('error', () => {});
    let hostKeyError: HostKeyVerificationError | undefined;
    const name = knownHostsName(remote.host, remote.port);
    const publicKeyMethod: PublicKeyAuthMethod = {
      type: 'publickey',
      username: remote.username,
      key: key.parsed,
    };
    const connecting = new Promise<Client>((resolve, reject) => {
      const onError = (error: Error & { level?: string; code?: string }) => {
        client.removeListener('ready', onReady);
        reject(this.#connectError(error, hostKeyError));
      };
      const onReady = () => {
        client.removeListener('error', onError);
        resolve(client);
      };
      client.once('error', onError);
      client.once('ready', onReady);
      // A socket cut before the handshake ends (abort, a server that hangs up) emits only 'close'.
      client.once('close', () =>
        reject(
          this.#options.signal?.aborted
            ? abortReasonToError(this.#options.signal)
            : (hostKeyError ??
                new ConnectionError(`${this.#describe}: the SSH connection closed during the handshake`)),
        ),
      );
      client.on('close', () => {
        if (this.#client === connecting) this.#client = undefined;
        const lost = new ConnectionError(`${this.#describe}: the SSH connection closed`);
        for (const channel of this.#open) channel.fail(lost);
      });
      client.connect({
        host: remote.host,
        port: remote.port,
        username: remote.username,
        // One public-key attempt with the key parsed once (connect's `privateKey` takes only text; an auth method
        // takes a parsed key as is), so an encrypted key is not decrypted again per connection.
        authHandler: [publicKeyMethod],
        readyTimeout: timeoutMs,
        tryKeyboard: false,
        ...(hostKeys === 'insecure-ignore'
          ? {}
          : { algorithms: hostKeyAlgorithms(hostKeys.keyTypesFor(remote.host, remote.port)) }),
        hostVerifier: (blob: Buffer) => {
          if (hostKeys === 'insecure-ignore') return true;
          const verdict = hostKeys.verify(remote.host, remote.port, blob);
          if (verdict.kind === 'trusted') return true;
          const fingerprint = hostKeyFingerprint(blob);
          const keyType = keyTypeOfBlob(blob) ?? 'unknown';
          const why =
            verdict.kind === 'unknown'
              ? `${name} is not in known_hosts; check the fingerprint out of band, then add the host's key (ssh-keyscan)`
              : verdict.kind === 'revoked'
                ? `the host key of ${name} is marked @revoked in known_hosts`
                : `the host key of ${name} does not match known_hosts (known: ${verdict.knownKeyTypes.join(', ')}); it changed, or someone is in the middle`;
          hostKeyError = new HostKeyVerificationError(
            `host key verification failed for ${name} (${keyType} ${fingerprint}): ${why}`,
            { host: name, fingerprint, keyType, reason: verdict.kind },
          );
          return false;
        },
      });
    });
    this.#client = connecting;
    connecting.catch(() => {
      if (this.#client === connecting) this.#client = undefined;
    });
    return connecting;
  }

  #connectError(error: Error & { level?: string; code?: string }, hostKeyError: Error | undefined): Error {
    if (this.#options.signal?.aborted) return abortReasonToError(this.#options.signal);
    if (hostKeyError) return hostKeyError;
    const { remote, key, timeoutMs } = this.#options;
    if (error.level === 'client-authentication') {
      return new AuthenticationError(
        `${this.#describe}: the SSH server refused the ${key.type} key for user ${remote.username}; check that it is a deploy key with access to this repository`,
      );
    }
    if (error.level === 'client-timeout') {
      return new TimeoutError(`${this.#describe}: the SSH handshake timed out after ${timeoutMs} ms`, {
        timeoutMs,
      });
    }
    const causeCode = typeof error.code === 'string' ? error.code : undefined;
    return new ConnectionError(
      `${this.#describe}: SSH connection failed${causeCode ? ` (${causeCode})` : `: ${error.message}`}`,
      { cause: error, ...(causeCode === undefined ? {} : { causeCode }) },
    );
  }

  async #openChannel(service: GitServiceName, protocolV2: boolean): Promise<SshServiceChannel> {
    if (this.#closed)
      throw this.#options.signal?.aborted ? abortReasonToError(this.#options.signal) : new AbortError();
    const client = await this.#connect();
    const command = `${service} ${shellQuote(this.#options.remote.path)}`;
    const raw = await new Promise<ClientChannel>((resolve, reject) => {
      client.exec(command, protocolV2 ? { env: { GIT_PROTOCOL: 'version=2' } } : {}, (error, channel) => {
        if (error) {
          reject(
            new ConnectionError(`${this.#describe}: the server refused to run ${service}: ${error.message}`, {
              cause: error,
            }),
          );
        } else resolve(channel);
      });
    });
    const channel = new SshServiceChannel(raw, {
      describe: `${service} on ${this.#describe}`,
      maxResponseBytes: this.#options.maxResponseBytes,
    });
    this.#open.add(channel);
    raw.once('close', () => this.#open.delete(channel));
    if (this.#closed) channel.fail(new AbortError());
    return channel;
  }

  /**
   * Runs `work` with the per-exchange limit and the caller's signal: past the limit the channel fails with a
   * TimeoutError, and the call settles at once even when the server never answers the exec request.
   */
  async #limited<T>(
    describe: string,
    work: (started: (channel: SshServiceChannel) => void) => Promise<T>,
  ): Promise<T> {
    const { timeoutMs, signal } = this.#options;
    if (signal?.aborted) throw abortReasonToError(signal);
    let current: SshServiceChannel | undefined;
    let timedOut: TimeoutError | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const cancelled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = new TimeoutError(`${describe} on ${this.#describe} timed out after ${timeoutMs} ms`, {
          timeoutMs,
        });
        current?.fail(timedOut);
        reject(timedOut);
      }, timeoutMs);
      onAbort = () => reject(abortReasonToError(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    const running = work((channel) => {
      current = channel;
      if (timedOut) channel.fail(timedOut);
    });
    // Whichever loses the race settles unobserved.
    running.catch(() => {});
    cancelled.catch(() => {});
    try {
      return await Promise.race([running, cancelled]);
    } catch (error) {
      if (signal?.aborted) throw abortReasonToError(signal);
      if (timedOut) throw timedOut;
      if (GitOpsKitError.isInstance(error)) throw error;
      throw new ConnectionError(`${describe} on ${this.#describe} failed: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  advertise(service: GitServiceName, options: { protocolV2: boolean }): Promise<Buffer> {
    return this.#limited(`${service} advertisement`, async (started) => {
      this.#pending.get(service)?.close();
      this.#pending.delete(service);
      const channel = await this.#openChannel(service, options.protocolV2);
      started(channel);
      const advertisement = await channel.readAdvertisement();
      // Stateful: the request that follows this advertisement goes on the same channel.
      this.#pending.set(service, channel);
      return advertisement;
    });
  }

  run(service: GitServiceName, body: Buffer, options: { protocolV2: boolean }): Promise<Buffer> {
    return this.#limited(service, async (started) => {
      let channel = this.#pending.get(service);
      this.#pending.delete(service);
      if (channel === undefined) {
        // A second request (v2 fetch of the edited blobs): a new channel, whose advertisement we already know.
        channel = await this.#openChannel(service, options.protocolV2);
        started(channel);
        await channel.readAdvertisement();
      } else started(channel);
      return channel.exchange(body);
    });
  }

  #shutDown(error: Error): void {
    this.#closed = true;
    for (const channel of this.#open) channel.fail(error);
    this.#pending.clear();
    this.#client = undefined;
    // Close now, even mid-handshake: SSH_MSG_DISCONNECT and our end of the socket (sshd logs "Received
    // disconnect" at once, while a server-side command may still run), and the socket is destroyed shortly after
    // in case the server does not close its end.
    const raw = this.#raw;
    this.#raw = undefined;
    if (raw !== undefined) {
      raw.end();
      setTimeout(() => raw.destroy(), 1_000).unref();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    for (const channel of this.#pending.values()) channel.close();
    this.#pending.clear();
    this.#closed = true;
    const client = this.#client;
    this.#client = undefined;
    this.#raw = undefined;
    // A polite end once the pending channels said goodbye; a handshake still running is cut.
    client?.then((connected) => connected.end()).catch(() => {});
  }
}
