import { GitOpsKitError, type GitOpsKitErrorOptions } from '@gitops-kit/core';

/**
 * The SSH server's host key is not one the known_hosts file trusts: the host is not listed (`unknown`), it is
 * listed with other keys (`mismatch`: the key changed, or someone is in the middle), or the key is `@revoked`.
 * The connection was closed before any credential was used. Never retried: add the host's key to known_hosts
 * after checking its fingerprint out of band.
 */
export class HostKeyVerificationError extends GitOpsKitError {
  static override readonly kind: string = 'HostKeyVerificationError';
  /** The name looked up in known_hosts: `host`, or `[host]:port` on another port than 22. */
  readonly host: string;
  /** The key the server presented, as OpenSSH prints it: `SHA256:…`. */
  readonly fingerprint: string;
  /** The server's key type, e.g. `ssh-ed25519`. */
  readonly keyType: string;
  readonly reason: 'unknown' | 'mismatch' | 'revoked';
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & {
      host: string;
      fingerprint: string;
      keyType: string;
      reason: 'unknown' | 'mismatch' | 'revoked';
    },
  ) {
    super(message, { code: 'HOST_KEY_VERIFICATION_FAILED', retryable: false, ...options });
    this.host = options.host;
    this.fingerprint = options.fingerprint;
    this.keyType = options.keyType;
    this.reason = options.reason;
  }
}

/**
 * The SSH private key cannot be used: its format is not supported, it is encrypted and no passphrase was given,
 * or the passphrase is wrong. Neither the key nor the passphrase is in the message.
 */
export class SshKeyError extends GitOpsKitError {
  static override readonly kind: string = 'SshKeyError';
  readonly reason: 'unsupported-format' | 'passphrase-required' | 'wrong-passphrase' | 'unreadable';
  constructor(
    message: string,
    options: GitOpsKitErrorOptions & {
      reason: 'unsupported-format' | 'passphrase-required' | 'wrong-passphrase' | 'unreadable';
    },
  ) {
    super(message, { code: 'SSH_KEY_INVALID', retryable: false, ...options });
    this.reason = options.reason;
  }
}
