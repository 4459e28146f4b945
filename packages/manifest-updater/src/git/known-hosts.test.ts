import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeyFingerprint, KnownHosts, keyTypeOfBlob, knownHostsName } from './known-hosts.js';

function sshString(value: Buffer | string): Buffer {
  const bytes = Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A syntactically valid ssh-ed25519 public key blob with random key bytes. */
function ed25519Blob(): Buffer {
  return Buffer.concat([sshString('ssh-ed25519'), sshString(randomBytes(32))]);
}

const line = (hosts: string, blob: Buffer) => `${hosts} ssh-ed25519 ${blob.toString('base64')}`;
const directory = mkdtempSync(join(tmpdir(), 'known-hosts-test-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('KnownHosts', () => {
  const key = ed25519Blob();
  const other = ed25519Blob();

  it('looks hosts up as `host` on port 22 and `[host]:port` elsewhere (OpenSSH put_host_port)', () => {
    expect(knownHostsName('git.example.com', 22)).toBe('git.example.com');
    expect(knownHostsName('git.example.com', 2222)).toBe('[git.example.com]:2222');
    const known = KnownHosts.parse(
      `${line('git.example.com', key)}\n${line('[git.example.com]:2222', other)}\n`,
    );
    expect(known.verify('git.example.com', 22, key)).toEqual({ kind: 'trusted' });
    expect(known.verify('git.example.com', 2222, other)).toEqual({ kind: 'trusted' });
    expect(known.verify('git.example.com', 2222, key)).toEqual({
      kind: 'mismatch',
      knownKeyTypes: ['ssh-ed25519'],
    });
    expect(known.verify('git.example.com', 2200, key)).toEqual({ kind: 'unknown' });
  });

  it('matches comma lists, wildcards case-insensitively, and a negated pattern excludes the line', () => {
    const known = KnownHosts.parse(line('!evil.example.com,*.EXAMPLE.com,gitlab', key));
    expect(known.verify('git.example.com', 22, key).kind).toBe('trusted');
    expect(known.verify('gitlab', 22, key).kind).toBe('trusted');
    expect(known.verify('evil.example.com', 22, key).kind).toBe('unknown');
    expect(known.verify('example.org', 22, key).kind).toBe('unknown');
    expect(KnownHosts.parse(line('git?.example.com', key)).verify('git1.example.com', 22, key).kind).toBe(
      'trusted',
    );
  });

  it('trusts hashed names written by ssh-keygen -H, for plain and [host]:port names', () => {
    const file = join(directory, 'hashed');
    writeFileSync(file, `${line('git.example.com', key)}\n${line('[git.example.com]:2222', other)}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('|1|');
    expect(text).not.toContain('git.example.com');
    const known = KnownHosts.parse(text);
    expect(known.verify('git.example.com', 22, key).kind).toBe('trusted');
    expect(known.verify('git.example.com', 2222, other).kind).toBe('trusted');
    expect(known.verify('git.example.com', 2222, key).kind).toBe('mismatch');
    expect(known.verify('gitlab.example.com', 22, key).kind).toBe('unknown');
  });

  it('@revoked refuses the key even when another line trusts it; @cert-authority never trusts a plain key', () => {
    const revoked = KnownHosts.parse(`${line('git.example.com', key)}\n@revoked ${line('*', key)}\n`);
    expect(revoked.verify('git.example.com', 22, key)).toEqual({ kind: 'revoked' });
    const ca = KnownHosts.parse(`@cert-authority ${line('*.example.com', key)}\n`);
    expect(ca.verify('git.example.com', 22, key).kind).toBe('unknown');
    expect(ca.keyTypesFor('git.example.com', 22)).toEqual([]);
  });

  it('skips comments, blank, malformed and unknown-marker lines instead of failing', () => {
    const mislabelled = `git.example.com ssh-rsa ${key.toString('base64')}`;
    const text = [
      '# comment',
      '',
      'git.example.com',
      'git.example.com ssh-ed25519 not*base64',
      mislabelled,
      `@bogus ${line('git.example.com', other)}`,
      line('git.example.com', key),
    ].join('\r\n');
    const known = KnownHosts.parse(text);
    expect(known.verify('git.example.com', 22, key).kind).toBe('trusted');
    expect(known.verify('git.example.com', 22, other).kind).toBe('mismatch');
    expect(known.keyTypesFor('git.example.com', 22)).toEqual(['ssh-ed25519']);
  });

  it('prints fingerprints exactly as ssh-keygen -l -E sha256 does', () => {
    const file = join(directory, 'key.pub');
    writeFileSync(file, `${line('', key).trim()}\n`.replace(/^ /, ''));
    const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
    expect(printed.split(' ')[1]).toBe(hostKeyFingerprint(key));
    expect(keyTypeOfBlob(key)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(Buffer.alloc(2))).toBeUndefined();
  });
});
