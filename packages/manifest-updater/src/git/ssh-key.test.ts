import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SshKeyError } from './ssh-errors.js';
import { loadSshPrivateKey } from './ssh-key.js';

function errorOf(run: () => unknown): SshKeyError {
  try {
    run();
  } catch (error) {
    expect(SshKeyError.isInstance(error)).toBe(true);
    return error as SshKeyError;
  }
  throw new Error('expected an SshKeyError');
}

describe('loadSshPrivateKey', () => {
  it('reads PKCS#8 Ed25519 (which ssh2 cannot) with the same public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const loaded = loadSshPrivateKey(pem);
    expect(loaded.type).toBe('ssh-ed25519');
    const raw = (publicKey.export({ format: 'jwk' }).x as string) ?? '';
    expect(loaded.parsed.getPublicSSH().subarray(-32).toString('base64url')).toBe(raw);
    const data = Buffer.from('signed by the converted key');
    expect(loaded.parsed.verify(data, loaded.parsed.sign(data) as Buffer)).toBe(true);
  });

  it('reads encrypted PKCS#8 RSA and EC keys with their passphrase, typed errors otherwise', () => {
    const passphrase = 'pkcs8-passphrase-canary';
    for (const [type, expected] of [
      ['rsa', 'ssh-rsa'],
      ['ec', 'ecdsa-sha2-nistp256'],
    ] as const) {
      const { privateKey } =
        type === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase,
      }) as string;
      expect(loadSshPrivateKey(pem, passphrase).type).toBe(expected);
      expect(errorOf(() => loadSshPrivateKey(pem)).reason).toBe('passphrase-required');
      const wrong = errorOf(() => loadSshPrivateKey(pem, 'wrong-canary'));
      expect(wrong.reason).toBe('wrong-passphrase');
      expect(JSON.stringify(wrong) + wrong.message).not.toContain('wrong-canary');
      expect(JSON.stringify(wrong) + wrong.message).not.toContain(passphrase);
    }
  });

  it('refuses empty input, public keys and unknown formats with typed errors', () => {
    expect(errorOf(() => loadSshPrivateKey('')).reason).toBe('unreadable');
    expect(errorOf(() => loadSshPrivateKey('not a key at all')).reason).toBe('unsupported-format');
    const { publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(errorOf(() => loadSshPrivateKey(spki)).reason).toBe('unsupported-format');
    const { privateKey } = generateKeyPairSync('x25519');
    const x25519 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(errorOf(() => loadSshPrivateKey(x25519)).message).toContain('x25519');
  });
});
