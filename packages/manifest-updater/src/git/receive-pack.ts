import { ConnectionError } from '@gitops-kit/core';
import { firstOffered, selectCapabilities } from './capabilities.js';
import { GitProtocolError, UnsupportedGitServerError } from './errors.js';
import type { GitTransport } from './git-transport.js';
import {
  demultiplexSideBandAt,
  encodePktLine,
  FLUSH_PKT,
  type PktLine,
  parsePktLines,
  pktText,
  SideBandError,
} from './pkt-line.js';
import { advertisedLines, parseRefAdvertisement } from './ref-advertisement.js';

const ZERO_OID = '0'.repeat(40);

/** What the receive-pack advertisement tells us. Transport-neutral (HTTP and SSH). */
export interface ReceivePackAdvertisement {
  refs: Map<string, string>;
  capabilities: Map<string, string>;
}

/** One ref update with the pack that carries its objects. */
export interface RefUpdate {
  ref: string;
  /** The value the branch must have now; undefined: the branch must not exist. */
  oldOid: string | undefined;
  newOid: string;
  pack: Buffer;
}

/** The outcome of one ref update in a push; `reported: false` when the server offers no `report-status`. */
export type PushReport = { ok: true; reported: boolean } | { ok: false; reason: string };

/** Parses a receive-pack advertisement (always protocol v0: git has no v2 push). */
export function parseReceivePackAdvertisement(body: Buffer): ReceivePackAdvertisement {
  let lines = advertisedLines(body);
  if (pktText(lines[0] ?? { kind: 'flush' }) === 'version 1') lines = lines.slice(1);
  return parseRefAdvertisement(lines);
}

/** Asks for the receive-pack advertisement. */
export async function discoverReceivePack(transport: GitTransport): Promise<ReceivePackAdvertisement> {
  return parseReceivePackAdvertisement(await transport.advertise('git-receive-pack', { protocolV2: false }));
}

/**
 * Builds a push request (gitprotocol-pack(5), "Pushing Data"): one command with only capabilities the server
 * offered, `push-option` lines when asked, then the pack.
 *
 * @throws UnsupportedGitServerError when push options are asked for and the server does not offer them (git
 *   refuses the same way: "the receiving end does not support push options").
 */
export function buildPushRequest(
  advertisement: ReceivePackAdvertisement,
  update: RefUpdate,
  options: { userAgent: string; pushOptions?: readonly string[] },
): { body: Buffer; sideBand: boolean; reportStatus: boolean } {
  const offered = advertisement.capabilities;
  const pushOptions = options.pushOptions ?? [];
  if (pushOptions.length > 0 && !offered.has('push-options')) {
    throw new UnsupportedGitServerError('the server does not support push options', {
      reason: 'no-push-options',
    });
  }
  const report = firstOffered(offered, ['report-status-v2', 'report-status']);
  const wanted = [
    ...(report === undefined ? [] : [report]),
    // receive-pack knows only side-band-64k; progress is of no use to us, so `quiet` where offered.
    'side-band-64k',
    'quiet',
    ...(pushOptions.length > 0 ? ['push-options'] : []),
  ];
  const capabilities = selectCapabilities(offered, wanted, options.userAgent);
  const parts = [
    encodePktLine(`${update.oldOid ?? ZERO_OID} ${update.newOid} ${update.ref}\0${capabilities.join(' ')}\n`),
    FLUSH_PKT,
  ];
  if (pushOptions.length > 0) {
    for (const option of pushOptions) parts.push(encodePktLine(`${option}\n`));
    parts.push(FLUSH_PKT);
  }
  parts.push(update.pack);
  return {
    body: Buffer.concat(parts),
    sideBand: capabilities.includes('side-band-64k'),
    reportStatus: report !== undefined,
  };
}

/**
 * Reads the report of a push (`report-status` or `report-status-v2`, whose `option` lines are skipped).
 *
 * @throws GitProtocolError when the server could not unpack, sent `ERR` or no report for the ref;
 *   ConnectionError when the answer was cut short (the push may have landed).
 */
export function parsePushReport(body: Buffer, ref: string, sideBand: boolean): PushReport {
  let lines: PktLine[];
  try {
    lines = sideBand ? parsePktLines(demultiplexSideBandAt(body, 0)) : parsePktLines(body);
  } catch (error) {
    if (error instanceof SideBandError) {
      throw new GitProtocolError(`the server failed while receiving the push: ${error.serverMessage}`, {
        cause: error,
        serverMessage: error.serverMessage,
      });
    }
    throw new ConnectionError('the answer to the push was cut short', { cause: error });
  }
  const texts = lines.map(pktText).filter((text): text is string => text !== undefined);
  const unpack = texts.find((text) => text.startsWith('unpack '));
  if (unpack === undefined) {
    const serverLine = texts.find((text) => text.startsWith('ERR '));
    if (serverLine !== undefined) {
      throw new GitProtocolError(`the push failed: ${serverLine.slice(4)}`, {
        serverMessage: serverLine.slice(4),
      });
    }
    throw new ConnectionError('the answer to the push ended before its report');
  }
  if (unpack !== 'unpack ok') {
    throw new GitProtocolError(`the server could not store the pushed objects: ${unpack.slice(7)}`, {
      serverMessage: unpack.slice(7),
    });
  }
  for (const text of texts) {
    if (text === `ok ${ref}`) return { ok: true, reported: true };
    if (text.startsWith(`ng ${ref} `)) return { ok: false, reason: text.slice(`ng ${ref} `.length) };
  }
  throw new GitProtocolError(`the server did not report on ${ref}`);
}

/**
 * Sends one ref update with its pack over any transport and reads the answer. Without `report-status` on offer
 * the answer says nothing: `{ ok: true, reported: false }`, and the caller reads the branch back.
 *
 * @throws as {@link buildPushRequest} and {@link parsePushReport}, and the transport's errors.
 */
export async function sendReceivePack(
  transport: GitTransport,
  advertisement: ReceivePackAdvertisement,
  update: RefUpdate,
  options: { pushOptions?: readonly string[] } = {},
): Promise<PushReport> {
  const request = buildPushRequest(advertisement, update, {
    userAgent: transport.userAgent,
    ...(options.pushOptions === undefined ? {} : { pushOptions: options.pushOptions }),
  });
  const answer = await transport.exchange('git-receive-pack', request.body, { protocolV2: false });
  if (!request.reportStatus) return { ok: true, reported: false };
  return parsePushReport(answer, update.ref, request.sideBand);
}
