/**
 * Emulates a server without shallow fetch (older or minimal implementations): removes `shallow` from an
 * upload-pack advertisement, v0 (the capability list after the NUL of the first ref) or v2 (the `fetch=` line).
 * A client that follows gitprotocol-capabilities(5) then sends no `deepen`.
 */
export function advertisementWithoutShallow(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < body.length; ) {
    const length = Number.parseInt(body.toString('ascii', offset, offset + 4), 16);
    if (!Number.isFinite(length)) return body;
    if (length < 4) {
      parts.push(body.subarray(offset, offset + 4));
      offset += 4;
      continue;
    }
    let text = body.toString('latin1', offset + 4, offset + length);
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      const words = text
        .slice(nul + 1)
        .replace(/\n$/, '')
        .split(' ');
      text = `${text.slice(0, nul + 1)}${words.filter((word) => word !== 'shallow').join(' ')}\n`;
    } else if (text.startsWith('fetch=')) {
      const words = text.slice(6).replace(/\n$/, '').split(' ');
      text = `fetch=${words.filter((word) => word !== 'shallow').join(' ')}\n`;
    }
    const payload = Buffer.from(text, 'latin1');
    parts.push(Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'ascii'), payload);
    offset += length;
  }
  return Buffer.concat(parts);
}
