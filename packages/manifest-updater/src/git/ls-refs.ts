import { agentToken } from './capabilities.js';
import { GitProtocolError, UnsupportedGitServerError } from './errors.js';
import type { GitTransport } from './git-transport.js';
import { DELIM_PKT, encodePktLine, FLUSH_PKT, parsePktLines, pktText } from './pkt-line.js';
import type { UploadPackAdvertisement } from './upload-pack.js';

/**
 * Builds a v2 `ls-refs` request (gitprotocol-v2(5)) for the refs that start with `prefix`: the server filters,
 * so a repository with thousands of branches answers with a line or two.
 */
export function buildLsRefsRequest(
  advertisement: UploadPackAdvertisement,
  prefix: string,
  userAgent: string,
): Buffer {
  const parts = [encodePktLine('command=ls-refs\n')];
  if (advertisement.capabilities.has('agent')) {
    parts.push(encodePktLine(`agent=${agentToken(userAgent)}\n`));
  }
  parts.push(DELIM_PKT, encodePktLine(`ref-prefix ${prefix}\n`), FLUSH_PKT);
  return Buffer.concat(parts);
}

/**
 * Reads an `ls-refs` answer: `<oid> <refname>[ <attribute>…]` lines up to a flush. Unborn entries (only sent when
 * asked for with `unborn`, which this client never does) and malformed lines are refused.
 *
 * @throws GitProtocolError on `ERR` or a line that is not a ref.
 */
export function parseLsRefsResponse(body: Buffer): Map<string, string> {
  const refs = new Map<string, string>();
  let lines: ReturnType<typeof parsePktLines>;
  try {
    lines = parsePktLines(body);
  } catch (error) {
    throw new GitProtocolError('the server sent a malformed ls-refs answer', { cause: error });
  }
  for (const line of lines) {
    if (line.kind === 'flush') break;
    const text = pktText(line);
    if (text === undefined) continue;
    if (text.startsWith('ERR ')) {
      throw new GitProtocolError(`the server refused to list refs: ${text.slice(4)}`, {
        serverMessage: text.slice(4),
      });
    }
    const [oid, name] = text.split(' ');
    if (oid === undefined || name === undefined || !/^[0-9a-f]{40}$/.test(oid)) {
      throw new GitProtocolError('the server sent a malformed ls-refs answer');
    }
    refs.set(name, oid);
  }
  return refs;
}

/**
 * Where `refs/heads/<branch>` points, through upload-pack only (what a read-only credential may use): from the v0
 * advertisement, or with one v2 `ls-refs` narrowed to the branch. Undefined when the branch does not exist.
 *
 * @throws UnsupportedGitServerError when a v2 server does not offer `ls-refs`; GitProtocolError on a bad answer.
 */
export async function readBranchHead(
  transport: GitTransport,
  advertisement: UploadPackAdvertisement,
  branch: string,
): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  if (advertisement.protocol === 'v0') return advertisement.refs.get(ref);
  if (!advertisement.capabilities.has('ls-refs')) {
    throw new UnsupportedGitServerError(`${transport.url} speaks protocol v2 without ls-refs`, {
      reason: 'not-git',
    });
  }
  const answer = await transport.exchange(
    'git-upload-pack',
    buildLsRefsRequest(advertisement, ref, transport.userAgent),
    { protocolV2: true },
  );
  // A prefix also matches `refs/heads/<branch>-next`: only the exact name counts.
  return parseLsRefsResponse(answer).get(ref);
}
