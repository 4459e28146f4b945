/** Pkt-line framing of the git wire protocol (gitprotocol-common(5)): 4 hex digits of length, then payload. */

/** A flush packet (`0000`), a delimiter (`0001`, protocol v2), a response-end (`0002`) or a data line. */
export type PktLine =
  | { kind: 'flush' }
  | { kind: 'delim' }
  | { kind: 'response-end' }
  | { kind: 'data'; payload: Buffer };

const MAXIMUM_PKT_LENGTH = 65520;

/** Encodes one data line; strings get no newline added. */
export function encodePktLine(payload: string | Uint8Array): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  if (bytes.length + 4 > MAXIMUM_PKT_LENGTH) throw new RangeError('pkt-line payload too long');
  return Buffer.concat([Buffer.from((bytes.length + 4).toString(16).padStart(4, '0'), 'ascii'), bytes]);
}

export const FLUSH_PKT = Buffer.from('0000', 'ascii');
export const DELIM_PKT = Buffer.from('0001', 'ascii');

/**
 * Reads the pkt-line at `offset`; returns it and the offset after it, so a caller can stop at a boundary (the raw
 * pack that follows `NAK` when side-band is off is not pkt-lines).
 *
 * @throws Error on a malformed length or a truncated line.
 */
export function readPktLine(buffer: Buffer, offset: number): { line: PktLine; next: number } {
  if (offset + 4 > buffer.length) throw new Error('truncated pkt-line length');
  const lengthText = buffer.toString('ascii', offset, offset + 4);
  if (!/^[0-9a-f]{4}$/i.test(lengthText)) throw new Error('malformed pkt-line length');
  const length = Number.parseInt(lengthText, 16);
  if (length === 0) return { line: { kind: 'flush' }, next: offset + 4 };
  if (length === 1) return { line: { kind: 'delim' }, next: offset + 4 };
  if (length === 2) return { line: { kind: 'response-end' }, next: offset + 4 };
  if (length < 4) throw new Error('malformed pkt-line length');
  if (offset + length > buffer.length) throw new Error('truncated pkt-line');
  return {
    line: { kind: 'data', payload: buffer.subarray(offset + 4, offset + length) },
    next: offset + length,
  };
}

/**
 * Splits a complete buffer into pkt-lines.
 *
 * @throws Error on a malformed length or a truncated line.
 */
export function parsePktLines(buffer: Buffer): PktLine[] {
  const lines: PktLine[] = [];
  for (let offset = 0; offset < buffer.length; ) {
    const { line, next } = readPktLine(buffer, offset);
    lines.push(line);
    offset = next;
  }
  return lines;
}

/** A data line as text without its trailing newline. */
export function pktText(line: PktLine): string | undefined {
  return line.kind === 'data' ? line.payload.toString('utf8').replace(/\n$/, '') : undefined;
}

/**
 * Reads side-band pkt-lines from `offset` up to the next flush (or the end): channel 1 is data, 2 progress
 * (dropped), 3 a fatal error (thrown).
 *
 * @throws SideBandError on channel 3; Error on malformed framing.
 */
export function demultiplexSideBandAt(buffer: Buffer, offset: number): Buffer {
  const lines: PktLine[] = [];
  for (let position = offset; position < buffer.length; ) {
    const { line, next } = readPktLine(buffer, position);
    if (line.kind === 'flush') break;
    lines.push(line);
    position = next;
  }
  return demultiplexSideBand(lines);
}

/**
 * Joins side-band channel 1 (data) from a sequence of pkt-lines; channel 2 (progress) is dropped, channel 3
 * (fatal error) throws with the server's message.
 */
export function demultiplexSideBand(lines: readonly PktLine[]): Buffer {
  const chunks: Buffer[] = [];
  for (const line of lines) {
    if (line.kind !== 'data' || line.payload.length === 0) continue;
    const band = line.payload[0];
    if (band === 1) chunks.push(line.payload.subarray(1));
    else if (band === 3) throw new SideBandError(line.payload.subarray(1).toString('utf8').trim());
  }
  return Buffer.concat(chunks);
}

/** The server sent a fatal error on side-band channel 3. */
export class SideBandError extends Error {
  constructor(readonly serverMessage: string) {
    super(`the server reported an error: ${serverMessage}`);
    this.name = 'SideBandError';
  }
}
