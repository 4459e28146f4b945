import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { GrpcCode, rpcError } from './grpc-status.js';

/** Where a ref listing is read from and with which credentials. */
export interface RefListingAccess {
  username?: string | undefined;
  password?: string | undefined;
  /** Skip TLS verification (Argo CD's `insecure`). */
  insecure?: boolean | undefined;
  /** Extra CA certificate (PEM) trusted for https. */
  caCertificate?: string | undefined;
  timeoutMs: number;
}

/** Ref name → commit SHA, with peeled tags as `refs/tags/<name>^{}` and `HEAD` when the server lists it. */
export type RefListing = Map<string, string>;

const MAXIMUM_ADVERTISEMENT_BYTES = 16 * 1024 * 1024;
const MAXIMUM_PACK_BYTES = 512 * 1024 * 1024;
const MAXIMUM_REDIRECTS = 5;
const ZERO_SHA = '0'.repeat(40);

/**
 * Lists a repository's refs the way Argo CD's repo-server does (go-git's in-memory `ListRemote`): one
 * `GET …/info/refs?service=git-upload-pack` without a `Git-Protocol` header, so the server answers with the
 * protocol v0 advertisement, which carries every ref. No git process runs on the client side.
 *
 * @throws RpcStatusError `Unknown` with go-git's wording (`authentication required`, `authorization failed`) or
 *   `NotFound` (`repository not found`).
 */
export async function listRemoteRefs(repoURL: string, access: RefListingAccess): Promise<RefListing> {
  let url = new URL(`${repoURL.replace(/\/+$/, '')}/info/refs?service=git-upload-pack`);
  for (let redirects = 0; ; redirects += 1) {
    const response = await send(url, access);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location && redirects < MAXIMUM_REDIRECTS) {
      response.resume();
      url = new URL(response.headers.location, url);
      continue;
    }
    const body = await readBody(response);
    if (status !== 200) throw statusError(status, url, 'unexpected client error');
    return parseAdvertisement(body);
  }
}

function send(
  url: URL,
  access: RefListingAccess,
  request: { method: 'GET' | 'POST'; body?: Buffer; headers?: Record<string, string> } = { method: 'GET' },
): Promise<IncomingMessage> {
  const headers: Record<string, string> = {
    'user-agent': 'git/argocd-emulator',
    accept: '*/*',
    ...request.headers,
  };
  if (access.username !== undefined || access.password !== undefined) {
    const basic = Buffer.from(`${access.username ?? ''}:${access.password ?? ''}`).toString('base64');
    headers.authorization = `Basic ${basic}`;
  }
  if (request.body) headers['content-length'] = String(request.body.length);
  return new Promise((resolve, reject) => {
    const options = {
      method: request.method,
      headers,
      timeout: access.timeoutMs,
      ...(url.protocol === 'https:'
        ? {
            rejectUnauthorized: access.insecure !== true,
            ...(access.caCertificate ? { ca: access.caCertificate } : {}),
          }
        : {}),
    };
    const transport = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = transport(url, options, resolve);
    outgoing.on('timeout', () => outgoing.destroy(new Error(`timed out after ${access.timeoutMs} ms`)));
    outgoing.on('error', (error) => reject(rpcError(GrpcCode.Unknown, error.message)));
    outgoing.end(request.body);
  });
}

/** go-git's wording for HTTP failures (what Argo CD reports). */
function statusError(status: number, url: URL, action: string) {
  if (status === 401) return rpcError(GrpcCode.Unknown, 'authentication required');
  if (status === 403) return rpcError(GrpcCode.Unknown, 'authorization failed');
  if (status === 404) return rpcError(GrpcCode.NotFound, 'repository not found');
  return rpcError(GrpcCode.Unknown, `${action}: unexpected requesting "${url}" status code: ${status}`);
}

function readBody(response: IncomingMessage, limit = MAXIMUM_ADVERTISEMENT_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        response.destroy(new Error(`the answer is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', (error) => reject(rpcError(GrpcCode.Unknown, error.message)));
  });
}

/**
 * Parses a protocol v0 upload-pack advertisement (pkt-lines: optional `# service=` line and flush, then
 * `<sha> <ref>[\0<capabilities>]` lines). `HEAD` follows the `symref=HEAD:` capability when the server
 * does not list it.
 */
export function parseAdvertisement(body: Buffer): RefListing {
  const refs: RefListing = new Map();
  let symbolicHead: string | undefined;
  let offset = 0;
  while (offset + 4 <= body.length) {
    const length = Number.parseInt(body.toString('latin1', offset, offset + 4), 16);
    if (!Number.isFinite(length)) throw rpcError(GrpcCode.Unknown, 'failed to list refs: malformed pkt-line');
    if (length === 0) {
      offset += 4;
      continue;
    }
    if (length < 4 || offset + length > body.length)
      throw rpcError(GrpcCode.Unknown, 'failed to list refs: truncated pkt-line');
    const line = body.toString('utf8', offset + 4, offset + length).replace(/\n$/, '');
    offset += length;
    if (line.startsWith('# service=')) continue;
    if (line.startsWith('ERR ')) throw rpcError(GrpcCode.Unknown, `failed to list refs: ${line.slice(4)}`);
    const [reference, capabilities] = line.split('\u0000');
    const match = /^([0-9a-f]{40}) (.+)$/.exec(reference ?? '');
    if (!match) continue;
    const [, sha, name] = match as unknown as [string, string, string];
    if (capabilities !== undefined) {
      const symref = capabilities.split(' ').find((capability) => capability.startsWith('symref=HEAD:'));
      symbolicHead = symref?.slice('symref=HEAD:'.length);
    }
    if (sha === ZERO_SHA) continue;
    refs.set(name, sha);
  }
  if (!refs.has('HEAD') && symbolicHead) {
    const head = refs.get(symbolicHead);
    if (head) refs.set('HEAD', head);
  }
  return refs;
}

/**
 * Fetches the objects of `wants` (and everything they reach that `haves` do not) with one protocol v0
 * `POST …/git-upload-pack` and returns the pack. The ref listing just read stands in for the advertisement a
 * fetch would start with, so this is one request instead of the git CLI's two or three.
 *
 * @throws RpcStatusError `Unknown`/`NotFound` with go-git's wording for HTTP failures, or the server's `ERR`.
 */
export async function fetchPack(
  repoURL: string,
  access: RefListingAccess,
  request: { wants: readonly string[]; haves: readonly string[] },
): Promise<Buffer> {
  const url = new URL(`${repoURL.replace(/\/+$/, '')}/git-upload-pack`);
  const body = Buffer.concat([
    ...request.wants.map((oid, index) =>
      pktLine(index === 0 ? `want ${oid} ofs-delta agent=git/argocd-emulator\n` : `want ${oid}\n`),
    ),
    Buffer.from('0000'),
    ...request.haves.map((oid) => pktLine(`have ${oid}\n`)),
    pktLine('done\n'),
  ]);
  const response = await send(url, access, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-git-upload-pack-request',
      accept: 'application/x-git-upload-pack-result',
    },
  });
  const status = response.statusCode ?? 0;
  const answer = await readBody(response, MAXIMUM_PACK_BYTES);
  if (status !== 200) throw statusError(status, url, 'failed to fetch');
  return packAfterAcknowledgements(answer);
}

function pktLine(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((payload.length + 4).toString(16).padStart(4, '0'), 'latin1'), payload]);
}

/** Skips the `ACK`/`NAK` pkt-lines that precede the raw pack (no side-band was asked for). */
function packAfterAcknowledgements(answer: Buffer): Buffer {
  let offset = 0;
  while (offset + 4 <= answer.length) {
    const head = answer.toString('latin1', offset, offset + 4);
    if (head === 'PACK') return answer.subarray(offset);
    const length = Number.parseInt(head, 16);
    if (!Number.isFinite(length) || (length > 0 && length < 4) || offset + length > answer.length) break;
    if (length === 0) {
      offset += 4;
      continue;
    }
    const line = answer.toString('utf8', offset + 4, offset + length).replace(/\n$/, '');
    if (line.startsWith('ERR ')) throw rpcError(GrpcCode.Unknown, `failed to fetch: ${line.slice(4)}`);
    offset += length;
  }
  throw rpcError(GrpcCode.Unknown, 'failed to fetch: the server sent no pack');
}
