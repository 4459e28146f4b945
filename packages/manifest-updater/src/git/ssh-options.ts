import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Logger, ValidationError } from '@gitops-kit/core';
import { KnownHosts } from './known-hosts.js';
import { loadSshPrivateKey } from './ssh-key.js';
import type { SshRemote } from './ssh-remote.js';
import { SshGitTransport } from './ssh-transport.js';

/** How to reach an SSH remote (`git@host:team/deploy.git`, `ssh://git@host:2222/team/deploy.git`). */
export interface WriteBackSshOptions {
  /**
   * The private key's content (not a path): OpenSSH, PEM or PKCS#8; Ed25519, ECDSA or RSA. Registered for
   * redaction; never logged.
   */
  privateKey: string | Buffer;
  /** The key's passphrase, when it is encrypted. */
  passphrase?: string;
  /**
   * Trusted host keys as known_hosts text (OpenSSH format: hashed names, `[host]:port`, `@revoked`). When
   * neither this nor `knownHostsFiles` is given, OpenSSH's defaults are read: `~/.ssh/known_hosts` and
   * `/etc/ssh/ssh_known_hosts` (missing files count as empty).
   */
  knownHosts?: string;
  /** known_hosts files to read (in addition to `knownHosts`). A missing file is a ValidationError. */
  knownHostsFiles?: readonly string[];
  /**
   * Accept any host key, unchecked: anyone on the path can then read and change what is pushed. For throwaway
   * test set-ups only; a warning is logged once per write-back.
   */
  insecureIgnoreHostKey?: boolean;
}

function readKnownHosts(options: WriteBackSshOptions): KnownHosts {
  const texts: string[] = [];
  if (options.knownHosts !== undefined) texts.push(options.knownHosts);
  for (const file of options.knownHostsFiles ?? []) {
    try {
      texts.push(readFileSync(file, 'utf8'));
    } catch {
      throw new ValidationError(`ssh.knownHostsFiles: cannot read ${file}`, { field: 'ssh.knownHostsFiles' });
    }
  }
  if (options.knownHosts === undefined && options.knownHostsFiles === undefined) {
    for (const file of [join(homedir(), '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts']) {
      try {
        texts.push(readFileSync(file, 'utf8'));
      } catch {
        // OpenSSH treats a missing default file as empty.
      }
    }
  }
  return KnownHosts.parse(...texts);
}

/**
 * Builds the SSH transport of one write-back: loads the key and the trusted host keys (before any connection,
 * so a bad key or file fails fast), and warns once when host key checking is off.
 *
 * @throws ValidationError when `ssh` is missing or a known_hosts file cannot be read.
 * @throws SshKeyError when the key cannot be used (format, passphrase).
 */
export function createSshTransport(
  remote: SshRemote,
  options: WriteBackSshOptions | undefined,
  settings: { timeoutMs: number; maxResponseBytes: number; signal: AbortSignal | undefined; logger: Logger },
): SshGitTransport {
  if (options === undefined || options.privateKey === undefined) {
    throw new ValidationError(`${remote.display} is an SSH remote: pass the key in ssh.privateKey`, {
      field: 'ssh.privateKey',
    });
  }
  const key = loadSshPrivateKey(options.privateKey, options.passphrase);
  const hostKeys = options.insecureIgnoreHostKey === true ? 'insecure-ignore' : readKnownHosts(options);
  if (hostKeys === 'insecure-ignore') {
    settings.logger.warn(
      `SSH host key checking is OFF for ${remote.host} (insecureIgnoreHostKey): anyone in the middle can read and change this push`,
    );
  }
  return new SshGitTransport({ remote, key, hostKeys, ...settings });
}
