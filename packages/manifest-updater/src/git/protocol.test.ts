import { describe, expect, it } from 'vitest';
import { agentToken, headerSafeUserAgent, parseCapabilityList } from './capabilities.js';
import { GitProtocolError, UnsupportedGitServerError } from './errors.js';
import { writePack } from './pack-file.js';
import { encodePktLine, FLUSH_PKT, parsePktLines, pktText, readPktLine } from './pkt-line.js';
import { buildPushRequest, parsePushReport, parseReceivePackAdvertisement } from './receive-pack.js';
import { buildFetchRequest, parseFetchResponse, parseUploadPackAdvertisement } from './upload-pack.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function v0Advertisement(
  capabilities: string,
  refs: Array<[string, string]> = [[A, 'refs/heads/main']],
): Buffer {
  return Buffer.concat([
    ...refs.map(([oid, name], index) =>
      encodePktLine(index === 0 ? `${oid} ${name}\0${capabilities}\n` : `${oid} ${name}\n`),
    ),
    FLUSH_PKT,
  ]);
}

function firstLine(body: Buffer): string {
  return pktText(readPktLine(body, 0).line) ?? '';
}

function sideBand(band: number, payload: Buffer): Buffer {
  return encodePktLine(Buffer.concat([Buffer.from([band]), payload]));
}

describe('agent and user agent', () => {
  it('makes any user agent a valid agent token (printable ASCII, no spaces) and a safe header', () => {
    expect(agentToken('gitops-kit/0.1.0')).toBe('gitops-kit/0.1.0');
    expect(agentToken('git/2.0 (gitops-kit)')).toBe('git/2.0.(gitops-kit)');
    expect(agentToken('bot\nX: 1\0ü')).toBe('bot.X:.1..');
    expect(agentToken(' bot 1\n')).toBe('bot.1');
    expect(agentToken('')).toBe('gitops-kit');
    expect(agentToken('   ')).toBe('gitops-kit');
    expect(headerSafeUserAgent('a\r\nb  c\tö')).toBe('a..b c..');
    expect(headerSafeUserAgent('\n')).toBe('gitops-kit');
    for (const value of ['x y', 'é', 'a\u0000b', 'a=b c=d']) {
      expect(parseCapabilityList(`agent=${agentToken(value)}`).size).toBe(1);
    }
  });
});

describe('fetch requests (v0)', () => {
  it('sends only advertised capabilities, thin-pack when offered, and the agent only when the server sent one', () => {
    const offered = parseUploadPackAdvertisement(
      v0Advertisement(
        'multi_ack thin-pack side-band side-band-64k ofs-delta shallow no-progress agent=git/2.47',
      ),
    );
    const { body, sideBand: multiplexed } = buildFetchRequest(
      offered,
      { wants: [A], depth: 1, filter: 'blob:none' },
      'my bot 1.0',
    );
    expect(multiplexed).toBe(true);
    const lines = parsePktLines(body).map((line) => pktText(line) ?? line.kind);
    // No filter (not offered), shallow with deepen, agent without spaces.
    expect(lines).toEqual([
      `want ${A} thin-pack side-band-64k ofs-delta no-progress shallow agent=my.bot.1.0`,
      'deepen 1',
      'flush',
      'done',
    ]);

    const bare = parseUploadPackAdvertisement(v0Advertisement('multi_ack'));
    const plain = buildFetchRequest(bare, { wants: [A, B], depth: 1 }, 'x');
    expect(plain.sideBand).toBe(false);
    expect(parsePktLines(plain.body).map((line) => pktText(line) ?? line.kind)).toEqual([
      `want ${A}`,
      `want ${B}`,
      'flush',
      'done',
    ]);
    const sideBandOnly = buildFetchRequest(
      parseUploadPackAdvertisement(v0Advertisement('side-band')),
      { wants: [A] },
      'x',
    );
    expect(firstLine(sideBandOnly.body)).toBe(`want ${A} side-band`);
  });

  it('reads the pack after shallow lines and NAK, multiplexed or raw', () => {
    const pack = writePack([{ type: 'blob', data: Buffer.from('hello\n') }]);
    const preamble = Buffer.concat([encodePktLine(`shallow ${A}\n`), FLUSH_PKT, encodePktLine('NAK\n')]);
    const multiplexed = Buffer.concat([
      preamble,
      sideBand(2, Buffer.from('Counting objects\r')),
      sideBand(1, pack.subarray(0, 10)),
      sideBand(1, pack.subarray(10)),
      FLUSH_PKT,
    ]);
    expect(parseFetchResponse(multiplexed, 'v0', true).equals(pack)).toBe(true);
    expect(parseFetchResponse(Buffer.concat([preamble, pack]), 'v0', false).equals(pack)).toBe(true);
    const failed = Buffer.concat([encodePktLine('NAK\n'), sideBand(3, Buffer.from('pack-objects died'))]);
    expect(() => parseFetchResponse(failed, 'v0', true)).toThrow(/pack-objects died/);
    expect(() => parseFetchResponse(encodePktLine(`ERR upload-pack: not our ref ${A}`), 'v0', true)).toThrow(
      GitProtocolError,
    );
  });
});

describe('fetch requests (v2)', () => {
  it('asks for deepen and filter only when the fetch command offers them', () => {
    const advertisement = (fetch: string) =>
      parseUploadPackAdvertisement(
        Buffer.concat([
          encodePktLine('version 2\n'),
          encodePktLine('agent=git/2.47\n'),
          encodePktLine(`fetch=${fetch}\n`),
          FLUSH_PKT,
        ]),
      );
    const texts = (fetch: string) =>
      parsePktLines(
        buildFetchRequest(advertisement(fetch), { wants: [A], depth: 1, filter: 'blob:none' }, 'a b').body,
      ).map((line) => pktText(line) ?? line.kind);
    expect(texts('shallow filter')).toEqual([
      'command=fetch',
      'agent=a.b',
      'delim',
      'thin-pack',
      'no-progress',
      'ofs-delta',
      `want ${A}`,
      'deepen 1',
      'filter blob:none',
      'done',
      'flush',
    ]);
    expect(texts('')).not.toContain('deepen 1');
    expect(texts('shallow')).not.toContain('filter blob:none');
    const pack = writePack([{ type: 'blob', data: Buffer.from('x') }]);
    const answer = Buffer.concat([
      encodePktLine('shallow-info\n'),
      encodePktLine(`shallow ${A}\n`),
      Buffer.from('0001'),
      encodePktLine('packfile\n'),
      sideBand(1, pack),
      FLUSH_PKT,
    ]);
    expect(parseFetchResponse(answer, 'v2', true).equals(pack)).toBe(true);
  });
});

describe('ref advertisements', () => {
  it('reads symbolic HEAD, slashes in branch names, peeled tags and an empty repository', () => {
    const advertisement = parseReceivePackAdvertisement(
      v0Advertisement('report-status symref=HEAD:refs/heads/release/v1 agent=jgit/4.11', [
        [A, 'HEAD'],
        [A, 'refs/heads/release/v1'],
        [B, 'refs/tags/v1'],
        [A, 'refs/tags/v1^{}'],
      ]),
    );
    expect(advertisement.capabilities.get('symref')).toBe('HEAD:refs/heads/release/v1');
    expect(advertisement.refs.get('refs/heads/release/v1')).toBe(A);
    expect(advertisement.refs.get('refs/tags/v1')).toBe(B);
    expect(advertisement.refs.has('refs/tags/v1^{}')).toBe(false);
    const empty = parseReceivePackAdvertisement(
      v0Advertisement('report-status delete-refs', [['0'.repeat(40), 'capabilities^{}']]),
    );
    expect(empty.refs.size).toBe(0);
    expect(empty.capabilities.has('delete-refs')).toBe(true);
  });

  it('reads 20 000 advertised refs (10 000 branches with slashes, 10 000 peeled tags) in one pass', () => {
    const refs: Array<[string, string]> = [];
    for (let index = 1; index <= 10_000; index += 1) {
      const oid = index.toString(16).padStart(40, '0');
      refs.push([oid, `refs/heads/team-${index % 97}/feature-${index}`]);
      refs.push([oid, `refs/tags/build-${index}^{}`]);
    }
    refs.unshift([A, 'refs/heads/main']);
    const advertisement = parseReceivePackAdvertisement(v0Advertisement('report-status', refs));
    expect(advertisement.refs.size).toBe(10_001);
    expect(advertisement.refs.get(`refs/heads/team-${9_961 % 97}/feature-9961`)).toBe(
      (9_961).toString(16).padStart(40, '0'),
    );
    expect(advertisement.refs.get('refs/heads/main')).toBe(A);
  });
});

describe('push requests', () => {
  const update = { ref: 'refs/heads/main', oldOid: A, newOid: B, pack: writePack([]) };

  it('uses report-status-v2 over report-status, side-band-64k and quiet only when offered, push options when asked', () => {
    const full = parseReceivePackAdvertisement(
      v0Advertisement(
        'report-status report-status-v2 side-band-64k quiet atomic push-options agent=git/2.47',
      ),
    );
    const request = buildPushRequest(full, update, { userAgent: 'x y', pushOptions: ['ci.skip'] });
    expect(request).toMatchObject({ sideBand: true, reportStatus: true });
    const lines = parsePktLines(request.body.subarray(0, request.body.length - update.pack.length));
    expect(lines.map((line) => pktText(line) ?? line.kind)).toEqual([
      `${A} ${B} refs/heads/main\0report-status-v2 side-band-64k quiet push-options agent=x.y`,
      'flush',
      'ci.skip',
      'flush',
    ]);
    const minimal = parseReceivePackAdvertisement(v0Advertisement('delete-refs'));
    const bare = buildPushRequest(minimal, update, { userAgent: 'x' });
    expect(bare).toMatchObject({ sideBand: false, reportStatus: false });
    expect(firstLine(bare.body)).toBe(`${A} ${B} refs/heads/main\0`);
    expect(() => buildPushRequest(minimal, update, { userAgent: 'x', pushOptions: ['a'] })).toThrow(
      UnsupportedGitServerError,
    );
  });

  it('reads report-status and report-status-v2, multiplexed or not', () => {
    const report = (lines: string[]) =>
      Buffer.concat([...lines.map((line) => encodePktLine(`${line}\n`)), FLUSH_PKT]);
    expect(parsePushReport(report(['unpack ok', 'ok refs/heads/main']), 'refs/heads/main', false)).toEqual({
      ok: true,
      reported: true,
    });
    const v2 = report([
      'unpack ok',
      'ok refs/heads/main',
      'option refname refs/heads/main',
      `option new-oid ${B}`,
    ]);
    expect(parsePushReport(Buffer.concat([sideBand(1, v2), FLUSH_PKT]), 'refs/heads/main', true)).toEqual({
      ok: true,
      reported: true,
    });
    expect(
      parsePushReport(report(['unpack ok', 'ng refs/heads/main fetch first']), 'refs/heads/main', false),
    ).toEqual({
      ok: false,
      reason: 'fetch first',
    });
    expect(() => parsePushReport(report(['unpack index-pack failed']), 'refs/heads/main', false)).toThrow(
      /could not store/,
    );
  });
});
