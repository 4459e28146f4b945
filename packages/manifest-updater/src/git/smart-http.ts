import {
  AbortError,
  AuthenticationError,
  abortReasonToError,
  ConnectionError,
  GitOpsKitError,
  HttpError,
  ResponseTooLargeError,
  TimeoutError,
} from '@gitops-kit/core';
import { GitProtocolError } from './errors.js';
import { type GitServiceTransport, requestGitService } from './git-service-transport.js';
import {
  DELIM_PKT,
  demultiplexSideBand,
  encodePktLine,
  FLUSH_PKT,
  type PktLine,
  parsePktLines,
  pktText,
  SideBandError,
} from './pkt-line.js';

/** How to reach one repository over smart HTTP. */
export interface SmartHttpTransport {
  /** Repository URL without credentials and without a trailing slash. */
  url: string;
  /** A complete `Authorization` header value, or undefined for anonymous access. */
  authorization: string | undefined;
  userAgent: string;
  /** Per-request limit, in milliseconds. */
  timeoutMs: number;
  /** Largest response accepted, in bytes. */
  maxResponseBytes: number;
  signal: AbortSignal | undefined;
  /** When set, the pack services run over this transport (SSH) instead of HTTP requests to `url`. */
  service?: GitServiceTransport | undefined;
}

/** What the server's upload-pack advertisement tells us. */
export interface UploadPackAdvertisement {
  protocol: 'v2' | 'v0';
  /** v2 capability lines (`fetch` → `shallow filter`), or v0 capabilities (`filter` → ''). */
  capabilities: Map<string, string>;
  /** v0 only: the refs the server advertised. */
  refs: Map<string, string>;
}

const ZERO_OID = '0'.repeat(40);

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  if (response.body === null) return Buffer.alloc(0);
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw new ResponseTooLargeError(`git response exceeded ${maxBytes} bytes`, { limitBytes: maxBytes });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function causeCodeOf(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * One HTTP exchange with the git server. Maps failures to the core errors: 401/403 → AuthenticationError (never
 * retried), other statuses → HttpError, broken connections → ConnectionError, the caller's abort → AbortError,
 * the per-request limit → TimeoutError.
 */
export async function gitHttpRequest(
  transport: SmartHttpTransport,
  request: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; contentType: string; body: Buffer }> {
  if (transport.signal?.aborted) throw abortReasonToError(transport.signal);
  // SSH: the same service calls, unwrapped from their HTTP form (git-service-transport.ts).
  if (transport.service !== undefined) return requestGitService(transport.service, request);
  const timeoutSignal = AbortSignal.timeout(transport.timeoutMs);
  const signal = transport.signal ? AbortSignal.any([transport.signal, timeoutSignal]) : timeoutSignal;
  const target = `${transport.url}${request.path}`;
  const headers: Record<string, string> = { 'user-agent': transport.userAgent, ...request.headers };
  if (transport.authorization !== undefined) headers.authorization = transport.authorization;
  const describe = `${request.method} ${transport.url}${request.path.replace(/\?.*$/, '')}`;
  try {
    const response = await fetch(target, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      signal,
      // A redirect could carry the Authorization header to another host; git servers do not need one here.
      redirect: 'manual',
    });
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => {});
      throw new AuthenticationError(
        response.status === 401
          ? `${describe}: the server refused the credentials (HTTP 401); check auth`
          : `${describe}: access denied (HTTP 403); the credentials lack permission for this repository`,
        { status: response.status },
      );
    }
    if (response.status < 200 || response.status >= 300) {
      const body = (await readCapped(response, 64 * 1024).catch(() => Buffer.alloc(0))).toString('utf8');
      throw new HttpError(`${describe} failed with HTTP ${response.status}`, {
        status: response.status,
        method: request.method,
        url: target,
        body,
      });
    }
    const body = await readCapped(response, transport.maxResponseBytes);
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
  } catch (error) {
    if (GitOpsKitError.isInstance(error)) throw error;
    if (transport.signal?.aborted) throw abortReasonToError(transport.signal);
    if (timeoutSignal.aborted) {
      throw new TimeoutError(`${describe} timed out after ${transport.timeoutMs} ms`, {
        timeoutMs: transport.timeoutMs,
        cause: error,
      });
    }
    if (error instanceof Error && error.name === 'AbortError')
      throw new AbortError(undefined, { cause: error });
    const causeCode = causeCodeOf(error);
    throw new ConnectionError(`${describe}: connection failed${causeCode ? ` (${causeCode})` : ''}`, {
      cause: error,
      ...(causeCode === undefined ? {} : { causeCode }),
    });
  }
}

function withoutServiceHeader(lines: PktLine[]): PktLine[] {
  const first = pktText(lines[0] ?? { kind: 'flush' });
  if (first?.startsWith('# service=')) {
    const flush = lines.findIndex((line) => line.kind === 'flush');
    return lines.slice(flush + 1);
  }
  return lines;
}

function parseV0Refs(lines: PktLine[]): { refs: Map<string, string>; capabilities: Map<string, string> } {
  const refs = new Map<string, string>();
  const capabilities = new Map<string, string>();
  for (const line of lines) {
    if (line.kind !== 'data') continue;
    let text = line.payload.toString('utf8').replace(/\n$/, '');
    const nul = text.indexOf('\0');
    if (nul >= 0) {
      for (const capability of text
        .slice(nul + 1)
        .split(' ')
        .filter(Boolean)) {
        const equals = capability.indexOf('=');
        if (equals < 0) capabilities.set(capability, '');
        else capabilities.set(capability.slice(0, equals), capability.slice(equals + 1));
      }
      text = text.slice(0, nul);
    }
    const [oid, name] = text.split(' ');
    if (oid && name && oid !== ZERO_OID && !name.endsWith('^{}')) refs.set(name, oid);
  }
  return { refs, capabilities };
}

function protocolError(message: string, lines: readonly PktLine[]): GitProtocolError {
  const serverLine = lines.map(pktText).find((text) => text?.startsWith('ERR '));
  return new GitProtocolError(serverLine ? `${message}: ${serverLine.slice(4)}` : message, {
    ...(serverLine === undefined ? {} : { serverMessage: serverLine.slice(4) }),
  });
}

/** Asks for the upload-pack advertisement, offering protocol v2. */
export async function discoverUploadPack(transport: SmartHttpTransport): Promise<UploadPackAdvertisement> {
  const response = await gitHttpRequest(transport, {
    method: 'GET',
    path: '/info/refs?service=git-upload-pack',
    headers: { 'git-protocol': 'version=2' },
  });
  if (!response.contentType.startsWith('application/x-git-upload-pack-advertisement')) {
    throw new GitProtocolError(
      `${transport.url} does not speak smart HTTP (content type ${response.contentType})`,
    );
  }
  const lines = withoutServiceHeader(parsePktLines(response.body));
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
  const { refs, capabilities } = parseV0Refs(lines);
  return { protocol: 'v0', capabilities, refs };
}

/** Whether the server lets us ask for `filter blob:none` and then for single blobs by id. */
export function supportsPartialFetch(advertisement: UploadPackAdvertisement): boolean {
  if (advertisement.protocol === 'v2') {
    return (advertisement.capabilities.get('fetch') ?? '').split(' ').includes('filter');
  }
  return (
    advertisement.capabilities.has('filter') &&
    (advertisement.capabilities.has('allow-reachable-sha1-in-want') ||
      advertisement.capabilities.has('allow-any-sha1-in-want'))
  );
}

function uploadPackPost(transport: SmartHttpTransport, body: Buffer, v2: boolean) {
  return gitHttpRequest(transport, {
    method: 'POST',
    path: '/git-upload-pack',
    headers: {
      'content-type': 'application/x-git-upload-pack-request',
      accept: 'application/x-git-upload-pack-result',
      ...(v2 ? { 'git-protocol': 'version=2' } : {}),
    },
    body,
  });
}

/** Extracts the pack from an upload-pack answer (v2 `packfile` section or v0 after `NAK`/`ACK`). */
function extractPack(lines: PktLine[]): Buffer {
  let start = -1;
  for (let index = 0; index < lines.length; index += 1) {
    const text = pktText(lines[index] as PktLine);
    if (text === 'packfile' || text === 'NAK' || text?.startsWith('ACK ')) {
      start = index + 1;
      if (text === 'packfile') break;
    }
  }
  if (start < 0) throw protocolError('the server sent no pack', lines);
  const end = lines.findIndex((line, index) => index >= start && line.kind === 'flush');
  try {
    return demultiplexSideBand(lines.slice(start, end < 0 ? undefined : end));
  } catch (error) {
    throw new GitProtocolError('the server failed while sending the pack', { cause: error });
  }
}

/**
 * Fetches objects: `want` ids, optionally shallow (`deepen 1`) and filtered (`filter blob:none`). Returns the raw
 * pack for {@link readPack}.
 */
export async function fetchPack(
  transport: SmartHttpTransport,
  advertisement: UploadPackAdvertisement,
  request: { wants: readonly string[]; depth?: number; filter?: string },
): Promise<Buffer> {
  const parts: Buffer[] = [];
  if (advertisement.protocol === 'v2') {
    parts.push(encodePktLine('command=fetch\n'), encodePktLine(`agent=${transport.userAgent}\n`), DELIM_PKT);
    parts.push(encodePktLine('no-progress\n'), encodePktLine('ofs-delta\n'));
    for (const want of request.wants) parts.push(encodePktLine(`want ${want}\n`));
    if (request.depth !== undefined) parts.push(encodePktLine(`deepen ${request.depth}\n`));
    if (request.filter !== undefined) parts.push(encodePktLine(`filter ${request.filter}\n`));
    parts.push(encodePktLine('done\n'), FLUSH_PKT);
  } else {
    const offered = advertisement.capabilities;
    const capabilities = ['side-band-64k', 'ofs-delta', 'no-progress', `agent=${transport.userAgent}`];
    if (request.depth !== undefined && offered.has('shallow')) capabilities.push('shallow');
    if (request.filter !== undefined) capabilities.push('filter');
    request.wants.forEach((want, index) => {
      parts.push(encodePktLine(index === 0 ? `want ${want} ${capabilities.join(' ')}\n` : `want ${want}\n`));
    });
    if (request.depth !== undefined) parts.push(encodePktLine(`deepen ${request.depth}\n`));
    if (request.filter !== undefined) parts.push(encodePktLine(`filter ${request.filter}\n`));
    parts.push(FLUSH_PKT, encodePktLine('done\n'));
  }
  const response = await uploadPackPost(transport, Buffer.concat(parts), advertisement.protocol === 'v2');
  return extractPack(parsePktLines(response.body));
}

/** What the receive-pack advertisement tells us. */
export interface ReceivePackAdvertisement {
  refs: Map<string, string>;
  capabilities: Map<string, string>;
}

/** Asks for the receive-pack advertisement (push is always protocol v0). */
export async function discoverReceivePack(transport: SmartHttpTransport): Promise<ReceivePackAdvertisement> {
  const response = await gitHttpRequest(transport, {
    method: 'GET',
    path: '/info/refs?service=git-receive-pack',
  });
  if (!response.contentType.startsWith('application/x-git-receive-pack-advertisement')) {
    throw new GitProtocolError(
      `${transport.url} does not accept smart-HTTP pushes (content type ${response.contentType})`,
    );
  }
  return parseV0Refs(withoutServiceHeader(parsePktLines(response.body)));
}

/** The outcome of one ref update in a push. */
export type PushReport = { ok: true } | { ok: false; reason: string };

/**
 * Sends one ref update with its pack and reads the report-status answer.
 *
 * @throws GitProtocolError when the server could not unpack or sent no report.
 */
export async function sendReceivePack(
  transport: SmartHttpTransport,
  advertisement: ReceivePackAdvertisement,
  update: { ref: string; oldOid: string | undefined; newOid: string; pack: Buffer },
): Promise<PushReport> {
  const sideBand = advertisement.capabilities.has('side-band-64k');
  const capabilities = [
    'report-status',
    ...(sideBand ? ['side-band-64k'] : []),
    `agent=${transport.userAgent}`,
  ];
  const body = Buffer.concat([
    encodePktLine(`${update.oldOid ?? ZERO_OID} ${update.newOid} ${update.ref}\0${capabilities.join(' ')}\n`),
    FLUSH_PKT,
    update.pack,
  ]);
  const response = await gitHttpRequest(transport, {
    method: 'POST',
    path: '/git-receive-pack',
    headers: {
      'content-type': 'application/x-git-receive-pack-request',
      accept: 'application/x-git-receive-pack-result',
    },
    body,
  });
  let lines: PktLine[];
  try {
    lines = parsePktLines(response.body);
    if (sideBand) lines = parsePktLines(demultiplexSideBand(lines));
  } catch (error) {
    if (error instanceof SideBandError) {
      throw new GitProtocolError('the server failed while receiving the push', {
        cause: error,
        serverMessage: error.serverMessage,
      });
    }
    // A report cut in the middle: the connection broke after the server got the push.
    throw new ConnectionError('the answer to the push was cut short', { cause: error });
  }
  const texts = lines.map(pktText).filter((text): text is string => text !== undefined);
  const unpack = texts.find((text) => text.startsWith('unpack '));
  if (unpack === undefined) {
    if (lines.some((line) => pktText(line)?.startsWith('ERR ')))
      throw protocolError('the push failed', lines);
    throw new ConnectionError('the answer to the push ended before its report');
  }
  if (unpack !== 'unpack ok') {
    throw new GitProtocolError(`the server could not store the pushed objects: ${unpack.slice(7)}`, {
      serverMessage: unpack.slice(7),
    });
  }
  for (const text of texts) {
    if (text === `ok ${update.ref}`) return { ok: true };
    if (text.startsWith(`ng ${update.ref} `))
      return { ok: false, reason: text.slice(`ng ${update.ref} `.length) };
  }
  throw new GitProtocolError(`the server did not report on ${update.ref}`);
}
