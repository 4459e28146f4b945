import { agentToken, type CapabilityMap, firstOffered, selectCapabilities } from './capabilities.js';
import { GitProtocolError } from './errors.js';
import type { GitTransport } from './git-transport.js';
import {
  DELIM_PKT,
  demultiplexSideBandAt,
  encodePktLine,
  FLUSH_PKT,
  type PktLine,
  pktText,
  readPktLine,
  SideBandError,
} from './pkt-line.js';
import { advertisedLines, parseRefAdvertisement } from './ref-advertisement.js';

/** What the server's upload-pack advertisement tells us. Transport-neutral (HTTP and SSH). */
export interface UploadPackAdvertisement {
  protocol: 'v2' | 'v0';
  /** v2 capability lines (`fetch` → `shallow filter`), or v0 capabilities (`filter` → ''). */
  capabilities: CapabilityMap;
  /** v0 only: the refs the server advertised (peeled `^{}` entries left out). */
  refs: ReadonlyMap<string, string>;
}

/** What one fetch asks for. */
export interface FetchRequest {
  wants: readonly string[];
  /** `deepen N`; sent only when the server offers shallow fetch (see {@link supportsShallow}). */
  depth?: number;
  /** `filter …`, e.g. `blob:none`; sent only when offered (see {@link supportsPartialFetch}). */
  filter?: string;
}

/** Parses an upload-pack advertisement: `version 2` and its capability lines, or v0 refs and capabilities. */
export function parseUploadPackAdvertisement(body: Buffer): UploadPackAdvertisement {
  let lines = advertisedLines(body);
  // A server that understood `version=1` says so first (gitprotocol-v2(5), "Initial Client Request").
  if (pktText(lines[0] ?? { kind: 'flush' }) === 'version 1') lines = lines.slice(1);
  if (pktText(lines[0] ?? { kind: 'flush' }) === 'version 2') {
    const capabilities = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const text = pktText(line);
      if (text === undefined) continue;
      const equals = text.indexOf('=');
      capabilities.set(equals < 0 ? text : text.slice(0, equals), equals < 0 ? '' : text.slice(equals + 1));
    }
    return { protocol: 'v2', capabilities, refs: new Map() };
  }
  const { refs, capabilities } = parseRefAdvertisement(lines);
  return { protocol: 'v0', capabilities, refs };
}

/** Asks for the upload-pack advertisement, offering protocol v2 (a v0 server simply answers in v0). */
export async function discoverUploadPack(transport: GitTransport): Promise<UploadPackAdvertisement> {
  return parseUploadPackAdvertisement(await transport.advertise('git-upload-pack', { protocolV2: true }));
}

function fetchFeatures(advertisement: UploadPackAdvertisement): string[] {
  return (advertisement.capabilities.get('fetch') ?? '').split(' ');
}

/** Whether `deepen` is allowed (v0 `shallow` capability; v2 `fetch=… shallow`). */
export function supportsShallow(advertisement: UploadPackAdvertisement): boolean {
  return advertisement.protocol === 'v2'
    ? fetchFeatures(advertisement).includes('shallow')
    : advertisement.capabilities.has('shallow');
}

/**
 * Whether a filtered fetch followed by fetches of single blobs by id can work. v0 says so with `filter` plus
 * `allow-reachable-sha1-in-want` or `allow-any-sha1-in-want`; v2 only advertises `filter`, so a refused blob
 * fetch falls back to a full snapshot (see `RemoteSession`).
 */
export function supportsPartialFetch(advertisement: UploadPackAdvertisement): boolean {
  if (advertisement.protocol === 'v2') return fetchFeatures(advertisement).includes('filter');
  return (
    advertisement.capabilities.has('filter') &&
    (advertisement.capabilities.has('allow-reachable-sha1-in-want') ||
      advertisement.capabilities.has('allow-any-sha1-in-want'))
  );
}

/**
 * Builds a fetch request (gitprotocol-pack(5), gitprotocol-v2(5)) that asks only for what the server offered.
 * Returns the body and whether the answer's pack is side-band multiplexed.
 */
export function buildFetchRequest(
  advertisement: UploadPackAdvertisement,
  request: FetchRequest,
  userAgent: string,
): { body: Buffer; sideBand: boolean } {
  const parts: Buffer[] = [];
  const depth = request.depth !== undefined && supportsShallow(advertisement) ? request.depth : undefined;
  if (advertisement.protocol === 'v2') {
    const features = fetchFeatures(advertisement);
    parts.push(encodePktLine('command=fetch\n'));
    if (advertisement.capabilities.has('agent')) {
      parts.push(encodePktLine(`agent=${agentToken(userAgent)}\n`));
    }
    parts.push(DELIM_PKT);
    // thin-pack, no-progress and ofs-delta are arguments every v2 `fetch` accepts (gitprotocol-v2(5)).
    parts.push(encodePktLine('thin-pack\n'), encodePktLine('no-progress\n'), encodePktLine('ofs-delta\n'));
    for (const want of request.wants) parts.push(encodePktLine(`want ${want}\n`));
    if (depth !== undefined) parts.push(encodePktLine(`deepen ${depth}\n`));
    if (request.filter !== undefined && features.includes('filter')) {
      parts.push(encodePktLine(`filter ${request.filter}\n`));
    }
    parts.push(encodePktLine('done\n'), FLUSH_PKT);
    // The v2 packfile section is always multiplexed.
    return { body: Buffer.concat(parts), sideBand: true };
  }
  const offered = advertisement.capabilities;
  const sideBand = firstOffered(offered, ['side-band-64k', 'side-band']);
  const wanted = [
    // git announces thin-pack whenever it can complete thin packs; with no `have` lines nothing can be left
    // out anyway, and dulwich refuses a fetch without it.
    'thin-pack',
    ...(sideBand === undefined ? [] : [sideBand]),
    'ofs-delta',
    'no-progress',
    ...(depth === undefined ? [] : ['shallow']),
    ...(request.filter === undefined ? [] : ['filter']),
  ];
  const capabilities = selectCapabilities(offered, wanted, userAgent);
  request.wants.forEach((want, index) => {
    parts.push(
      encodePktLine(
        index === 0 && capabilities.length > 0
          ? `want ${want} ${capabilities.join(' ')}\n`
          : `want ${want}\n`,
      ),
    );
  });
  if (depth !== undefined) parts.push(encodePktLine(`deepen ${depth}\n`));
  if (request.filter !== undefined && offered.has('filter')) {
    parts.push(encodePktLine(`filter ${request.filter}\n`));
  }
  parts.push(FLUSH_PKT, encodePktLine('done\n'));
  return { body: Buffer.concat(parts), sideBand: sideBand !== undefined };
}

function serverError(message: string, serverLine: string): GitProtocolError {
  return new GitProtocolError(`${message}: ${serverLine}`, { serverMessage: serverLine });
}

/**
 * Extracts the pack from an upload-pack answer: the v2 `packfile` section, or in v0 what follows `NAK`/`ACK`
 * (after any `shallow` lines), multiplexed or — without side-band — raw to the end.
 *
 * @throws GitProtocolError on `ERR`, a side-band error or a malformed answer.
 */
export function parseFetchResponse(body: Buffer, protocol: 'v0' | 'v2', sideBand: boolean): Buffer {
  const seen: PktLine[] = [];
  try {
    for (let offset = 0; offset < body.length; ) {
      const { line, next } = readPktLine(body, offset);
      offset = next;
      const text = pktText(line);
      if (text?.startsWith('ERR ')) throw serverError('the server refused the fetch', text.slice(4));
      const packStarts =
        protocol === 'v2' ? text === 'packfile' : text === 'NAK' || text?.startsWith('ACK ') === true;
      if (packStarts) return sideBand ? demultiplexSideBandAt(body, offset) : body.subarray(offset);
      seen.push(line);
    }
  } catch (error) {
    if (error instanceof GitProtocolError) throw error;
    if (error instanceof SideBandError) {
      throw new GitProtocolError(`the server failed while sending the pack: ${error.serverMessage}`, {
        cause: error,
        serverMessage: error.serverMessage,
      });
    }
    throw new GitProtocolError('the server sent a malformed fetch answer', { cause: error });
  }
  throw new GitProtocolError('the server sent no pack');
}

/**
 * Fetches objects: `want` ids, optionally shallow and filtered, over any transport. Returns the raw pack.
 *
 * @throws GitProtocolError when the server refuses; the transport's errors otherwise.
 */
export async function fetchPack(
  transport: GitTransport,
  advertisement: UploadPackAdvertisement,
  request: FetchRequest,
  options: { maxResponseBytes?: number } = {},
): Promise<Buffer> {
  const { body, sideBand } = buildFetchRequest(advertisement, request, transport.userAgent);
  const answer = await transport.exchange('git-upload-pack', body, {
    protocolV2: advertisement.protocol === 'v2',
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
  });
  return parseFetchResponse(answer, advertisement.protocol, sideBand);
}
