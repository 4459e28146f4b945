import { describe, expect, it } from 'vitest';
import {
  DELIM_PKT,
  demultiplexSideBand,
  encodePktLine,
  FLUSH_PKT,
  parsePktLines,
  pktText,
  SideBandError,
} from './pkt-line.js';

describe('pkt-line', () => {
  it('encodes and parses data, flush and delimiter packets', () => {
    const buffer = Buffer.concat([
      encodePktLine('command=ls-refs\n'),
      DELIM_PKT,
      encodePktLine('x'),
      FLUSH_PKT,
    ]);
    expect(buffer.toString()).toBe('0014command=ls-refs\n00010005x0000');
    const lines = parsePktLines(buffer);
    expect(lines.map((line) => line.kind)).toEqual(['data', 'delim', 'data', 'flush']);
    expect(pktText(lines[0] as never)).toBe('command=ls-refs');
  });

  it('rejects malformed and truncated input', () => {
    expect(() => parsePktLines(Buffer.from('zzzz'))).toThrow(/malformed/);
    expect(() => parsePktLines(Buffer.from('0010abc'))).toThrow(/truncated/);
    expect(() => parsePktLines(Buffer.from('00'))).toThrow(/truncated/);
  });

  it('joins side-band data, skips progress and throws on a fatal band', () => {
    const band = (channel: number, text: string) =>
      encodePktLine(Buffer.concat([Buffer.from([channel]), Buffer.from(text)]));
    const lines = parsePktLines(
      Buffer.concat([band(1, 'PA'), band(2, 'Counting objects'), band(1, 'CK'), FLUSH_PKT]),
    );
    expect(demultiplexSideBand(lines).toString()).toBe('PACK');
    expect(() => demultiplexSideBand(parsePktLines(band(3, 'upload-pack: not our ref')))).toThrow(
      SideBandError,
    );
  });
});
