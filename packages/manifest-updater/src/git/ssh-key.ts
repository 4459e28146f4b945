import { createPrivateKey, type KeyObject, randomBytes } from 'node:crypto';
import { registerSecret } from '@gitops-kit/core';
import ssh2, { type ParsedKey } from 'ssh2';
import { SshKeyError } from './ssh-errors.js';

/** A private key ready for the SSH client. */
export interface LoadedSshKey {
  /** The decrypted key, parsed once (an encrypted OpenSSH key costs a bcrypt derivation per parse). */
  parsed: ParsedKey;
  /** The key type, e.g. `ssh-ed25519`. */
  type: string;
}

function sshString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * An Ed25519 key from PKCS#8 rewritten as an unencrypted `openssh-key-v1` (OpenSSH's PROTOCOL.key layout), the
 * only Ed25519 container ssh2 reads.
 */
function ed25519ToOpenSsh(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d as string, 'base64url');
  const publicKey = Buffer.from(jwk.x as string, 'base64url');
  const publicBlob = Buffer.concat([sshString('ssh-ed25519'), sshString(publicKey)]);
  const check = randomBytes(4);
  let privateSection = Buffer.concat([
    check,
    check,
    sshString('ssh-ed25519'),
    sshString(publicKey),
    sshString(Buffer.concat([seed, publicKey])),
    sshString(''),
  ]);
  const padding = Buffer.from(Array.from({ length: (8 - (privateSection.length % 8)) % 8 }, (_, i) => i + 1));
  privateSection = Buffer.concat([privateSection, padding]);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(1);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'ascii'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    count,
    sshString(publicBlob),
    sshString(privateSection),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return Buffer.from(
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
  );
}

/** PKCS#8 (`BEGIN PRIVATE KEY`, `BEGIN ENCRYPTED PRIVATE KEY`), which ssh2 cannot read, in a form it can. */
function fromPkcs8(text: string, passphrase: string | undefined): Buffer {
  const encrypted = text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
  // OpenSSL reports a missing passphrase as "interrupted or cancelled", not ERR_MISSING_PASSPHRASE: decide first.
  if (encrypted && passphrase === undefined) {
    throw new SshKeyError('the SSH private key is encrypted; pass its passphrase', {
      reason: 'passphrase-required',
    });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem', ...(passphrase === undefined ? {} : { passphrase }) });
  } catch {
    if (encrypted) {
      throw new SshKeyError('the passphrase does not decrypt the SSH private key', {
        reason: 'wrong-passphrase',
      });
    }
    throw new SshKeyError('the SSH private key is not a valid PKCS#8 key', { reason: 'unsupported-format' });
  }
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return Buffer.from(key.export({ type: 'pkcs1', format: 'pem' }) as string);
    case 'ec':
      return Buffer.from(key.export({ type: 'sec1', format: 'pem' }) as string);
    case 'ed25519':
      return ed25519ToOpenSsh(key);
    default:
      throw new SshKeyError(
        `SSH keys of type ${key.asymmetricKeyType} are not supported (use Ed25519, ECDSA or RSA)`,
        {
          reason: 'unsupported-format',
        },
      );
  }
}

/**
 * Reads a private key as OpenSSH writes it (`BEGIN OPENSSH PRIVATE KEY`, also passphrase-protected with
 * bcrypt), PEM (`BEGIN RSA/EC PRIVATE KEY`, also encrypted) or PKCS#8 (`BEGIN [ENCRYPTED] PRIVATE KEY`), for
 * Ed25519, ECDSA (P-256/384/521) and RSA. The key and the passphrase are registered for redaction.
 *
 * @throws SshKeyError when the format is unsupported, a passphrase is needed or the passphrase is wrong.
 * @example
 * ```ts
 * const key = loadSshPrivateKey(await readFile('deploy_key'), process.env.GIT_SSH_KEY_PASSPHRASE);
 * key.type; // 'ssh-ed25519'
 * ```
 */
export function loadSshPrivateKey(privateKey: string | Buffer, passphrase?: string): LoadedSshKey {
  if ((typeof privateKey !== 'string' && !Buffer.isBuffer(privateKey)) || privateKey.length === 0) {
    throw new SshKeyError('the SSH private key is empty', { reason: 'unreadable' });
  }
  const text = privateKey.toString();
  registerSecret(text.trim(), passphrase === '' ? undefined : passphrase);
  const usablePassphrase = passphrase === '' ? undefined : passphrase;
  const key = /-----BEGIN (?:ENCRYPTED )?PRIVATE KEY-----/.test(text)
    ? fromPkcs8(text, usablePassphrase)
    : Buffer.from(text);
  const parsed = ssh2.utils.parseKey(key, usablePassphrase);
  if (parsed instanceof Error) {
    // ssh2's messages (keyParser.js): "… but no passphrase given", "… bad passphrase?", "Unsupported key format".
    if (/no passphrase given/i.test(parsed.message)) {
      throw new SshKeyError('the SSH private key is encrypted; pass its passphrase', {
        reason: 'passphrase-required',
      });
    }
    if (/passphrase|decrypt/i.test(parsed.message)) {
      throw new SshKeyError('the passphrase does not decrypt the SSH private key', {
        reason: 'wrong-passphrase',
      });
    }
    throw new SshKeyError(
      'the SSH private key is not in a supported format (OpenSSH, PEM or PKCS#8; Ed25519, ECDSA or RSA)',
      { reason: 'unsupported-format' },
    );
  }
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (first === undefined || !first.isPrivateKey()) {
    throw new SshKeyError('the SSH key is a public key; pass the private key', {
      reason: 'unsupported-format',
    });
  }
  return { parsed: first, type: first.type };
}
