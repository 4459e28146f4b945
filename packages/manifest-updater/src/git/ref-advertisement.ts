import { parseCapabilityList } from './capabilities.js';
import { GitProtocolError } from './errors.js';
import { type PktLine, parsePktLines, pktText } from './pkt-line.js';

const ZERO_OID = '0'.repeat(40);

/**
 * Parses a v0 ref advertisement (gitprotocol-pack(5)): `oid name` lines, the first carrying the capabilities
 * after a NUL. Peeled tags (`name^{}`) and the `capabilities^{}` placeholder of an empty repository are left out;
 * a symbolic `HEAD` is advertised as `symref=HEAD:refs/heads/…` among the capabilities. One pass and one map
 * insertion per line, so 100 000 refs cost no more than 100 000 times one.
 */
export function parseRefAdvertisement(lines: readonly PktLine[]): {
  refs: Map<string, string>;
  capabilities: Map<string, string>;
} {
  const refs = new Map<string, string>();
  let capabilities = new Map<string, string>();
  let first = true;
  for (const line of lines) {
    if (line.kind !== 'data') continue;
    let text = pktText(line) as string;
    if (first) {
      first = false;
      const nul = text.indexOf('\0');
      if (nul >= 0) {
        capabilities = parseCapabilityList(text.slice(nul + 1));
        text = text.slice(0, nul);
      }
    }
    const space = text.indexOf(' ');
    if (space !== 40) continue;
    const oid = text.slice(0, 40).toLowerCase();
    // git reads the id with get_oid_hex and dies on anything else ("protocol error: expected …"); a head that is not
    // an object id must not reach the caller (readFiles returns it as the commit the branch is at).
    if (!/^[0-9a-f]{40}$/.test(oid))
      throw new GitProtocolError('the server advertised a ref whose id is not hex');
    const name = text.slice(41);
    if (oid !== ZERO_OID && name !== '' && !name.endsWith('^{}')) refs.set(name, oid);
  }
  return { refs, capabilities };
}

/**
 * The pkt-lines of an advertisement (upload-pack or receive-pack).
 *
 * @throws GitProtocolError when they do not parse: the bytes are the server's, and a bare `Error` would reach the
 *   caller untyped.
 */
export function advertisedLines(body: Buffer): PktLine[] {
  try {
    return parsePktLines(body);
  } catch (error) {
    throw new GitProtocolError('the server sent a malformed advertisement', { cause: error });
  }
}
