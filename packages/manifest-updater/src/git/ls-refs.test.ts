import { describe, expect, it } from 'vitest';
import { buildLsRefsRequest, parseLsRefsResponse } from './ls-refs.js';
import { encodePktLine, FLUSH_PKT } from './pkt-line.js';
import type { UploadPackAdvertisement } from './upload-pack.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function advertisement(capabilities: Record<string, string>): UploadPackAdvertisement {
  return { protocol: 'v2', capabilities: new Map(Object.entries(capabilities)), refs: new Map() };
}

describe('ls-refs (gitprotocol-v2(5))', () => {
  it('asks for one prefix; sends the agent only when the server sent its own', () => {
    expect(buildLsRefsRequest(advertisement({ 'ls-refs': '' }), 'refs/heads/main', 'x y').toString()).toBe(
      '0014command=ls-refs\n0001001fref-prefix refs/heads/main\n0000',
    );
    expect(
      buildLsRefsRequest(
        advertisement({ agent: 'git/2.45', 'ls-refs': '' }),
        'refs/heads/main',
        'x y',
      ).toString(),
    ).toContain('000eagent=x.y\n0001');
  });

  it('reads refs with attributes up to the flush', () => {
    const body = Buffer.concat([
      encodePktLine(`${A} refs/heads/main\n`),
      encodePktLine(`${B} refs/heads/main-next symref-target:refs/heads/x\n`),
      FLUSH_PKT,
    ]);
    expect([...parseLsRefsResponse(body)]).toEqual([
      ['refs/heads/main', A],
      ['refs/heads/main-next', B],
    ]);
  });

  it('turns ERR and a line that is not a ref into GitProtocolError', () => {
    expect(() => parseLsRefsResponse(Buffer.concat([encodePktLine('ERR no such ref\n'), FLUSH_PKT]))).toThrow(
      expect.objectContaining({ code: 'GIT_PROTOCOL_ERROR', serverMessage: 'no such ref' }),
    );
    expect(() =>
      parseLsRefsResponse(Buffer.concat([encodePktLine('unborn refs/heads/main\n'), FLUSH_PKT])),
    ).toThrow(/malformed ls-refs answer/);
    expect(() => parseLsRefsResponse(Buffer.from('zzzz'))).toThrow(/malformed ls-refs answer/);
  });
});
