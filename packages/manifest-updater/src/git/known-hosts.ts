import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** One usable line of a known_hosts file. */
interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | undefined;
  /** Plain patterns (`host`, `*.example.com`, `[host]:2222`, `!bad.example.com`), or one hashed name. */
  patterns: readonly string[];
  hashed: { salt: Buffer; hash: Buffer } | undefined;
  keyType: string;
  key: Buffer;
}

/** What a known_hosts file says about a host key. */
export type HostKeyVerdict =
  | { kind: 'trusted' }
  | { kind: 'revoked' }
  /** No entry for the host at all. */
  | { kind: 'unknown' }
  /** The host is listed, but with other keys. */
  | { kind: 'mismatch'; knownKeyTypes: readonly string[] };

/**
 * The SHA256 fingerprint of a public key blob as OpenSSH prints it (`SHA256:` + unpadded base64).
 *
 * @example
 * ```ts
 * hostKeyFingerprint(Buffer.from(knownHostsLine.split(' ')[2], 'base64')); // 'SHA256:…'
 * ```
 */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`). */
export function keyTypeOfBlob(key: Buffer): string | undefined {
  if (key.length < 4) return undefined;
  const length = key.readUInt32BE(0);
  if (length > 64 || 4 + length > key.length) return undefined;
  return key.toString('ascii', 4, 4 + length);
}

/**
 * The name a host is looked up under in known_hosts (sshd's `put_host_port`): `host` on port 22,
 * `[host]:port` on any other port.
 */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

// OpenSSH's match_pattern: `*` any run of characters, `?` exactly one, case-insensitive for host names.
function globMatches(pattern: string, name: string): boolean {
  const expression = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${expression}$`, 'i').test(name);
}

/** OpenSSH's match_hostname over a comma list: a negated match wins and excludes the line. */
function patternsMatch(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globMatches(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function hashedMatches(hashed: { salt: Buffer; hash: Buffer }, name: string): boolean {
  // `|1|salt|hash`: hash = HMAC-SHA1 keyed with the salt over the host name (OpenSSH hostfile.c).
  const digest = createHmac('sha1', hashed.salt).update(name).digest();
  return digest.length === hashed.hash.length && timingSafeEqual(digest, hashed.hash);
}

function parseLine(line: string): KnownHostEntry | undefined {
  const fields = line.trim().split(/\s+/);
  if (fields.length === 0 || fields[0] === '' || fields[0]?.startsWith('#')) return undefined;
  let marker: KnownHostEntry['marker'];
  if (fields[0]?.startsWith('@')) {
    const name = fields.shift();
    if (name === '@revoked') marker = 'revoked';
    else if (name === '@cert-authority') marker = 'cert-authority';
    else return undefined; // An unknown marker: OpenSSH skips the line.
  }
  const [hosts, keyType, keyText] = fields;
  if (hosts === undefined || keyType === undefined || keyText === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText)) return undefined;
  const key = Buffer.from(keyText, 'base64');
  // A line whose blob disagrees with its type is malformed; OpenSSH ignores it.
  if (keyTypeOfBlob(key) !== keyType) return undefined;
  let hashed: KnownHostEntry['hashed'];
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (salt === undefined || hash === undefined) return undefined;
    hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  return { marker, patterns: hashed ? [] : hosts.split(','), hashed, keyType, key };
}

/**
 * The host keys of one or more OpenSSH known_hosts files: plain, wildcard and negated patterns,
 * `[host]:port` names, hashed names (`|1|salt|hash`, as written by `ssh-keyscan -H`), and the `@revoked`
 * marker. `@cert-authority` lines are read but never trust a plain host key (host certificates are not
 * supported), so such hosts need their own key line.
 *
 * @example
 * ```ts
 * const known = KnownHosts.parse('[git.example.com]:2222 ssh-ed25519 AAAAC3Nza…\n');
 * known.verify('git.example.com', 2222, serverKeyBlob); // { kind: 'trusted' }
 * ```
 */
export class KnownHosts {
  readonly #entries: readonly KnownHostEntry[];

  private constructor(entries: readonly KnownHostEntry[]) {
    this.#entries = entries;
  }

  /** Reads known_hosts text; lines that are comments or malformed are skipped, as OpenSSH does. */
  static parse(...texts: readonly string[]): KnownHosts {
    const entries: KnownHostEntry[] = [];
    for (const text of texts) {
      for (const line of text.split(/\r?\n/)) {
        const entry = parseLine(line);
        if (entry) entries.push(entry);
      }
    }
    return new KnownHosts(entries);
  }

  #forHost(host: string, port: number): KnownHostEntry[] {
    const name = knownHostsName(host, port);
    return this.#entries.filter((entry) =>
      entry.hashed ? hashedMatches(entry.hashed, name) : patternsMatch(entry.patterns, name),
    );
  }

  /** The key types known for a host (not revoked, not CA lines), to ask the server for one of those first. */
  keyTypesFor(host: string, port: number): string[] {
    const types = this.#forHost(host, port)
      .filter((entry) => entry.marker === undefined)
      .map((entry) => entry.keyType);
    return [...new Set(types)];
  }

  /**
   * Checks the key a server presented (its public key blob). A key on an `@revoked` line that matches the host
   * (`@revoked * …` matches every host) is refused even when another line trusts it, as OpenSSH does.
   */
  verify(host: string, port: number, key: Buffer): HostKeyVerdict {
    const matching = this.#forHost(host, port);
    if (matching.some((entry) => entry.marker === 'revoked' && entry.key.equals(key)))
      return { kind: 'revoked' };
    const entries = matching.filter((entry) => entry.marker === undefined);
    if (entries.some((entry) => entry.key.equals(key))) return { kind: 'trusted' };
    if (entries.length === 0) return { kind: 'unknown' };
    return { kind: 'mismatch', knownKeyTypes: [...new Set(entries.map((entry) => entry.keyType))] };
  }
}
