import { gunzipSync } from 'node:zlib';

/** git's two pack services. */
export type GitServiceName = 'git-upload-pack' | 'git-receive-pack';

/**
 * A way to run git's pack services other than smart HTTP (SSH). The protocol code (advertisements, fetch, push)
 * is the same on every transport; only how the bytes travel differs.
 */
export interface GitServiceTransport {
  /**
   * Starts `service` and returns its advertisement as pkt-lines up to and including the first flush (v0 refs and
   * capabilities, or the v2 capability list). `protocolV2` asks for v2; servers may answer v0.
   */
  advertise(service: GitServiceName, options: { protocolV2: boolean }): Promise<Buffer>;
  /** Sends one request to `service` and returns its whole response. */
  run(service: GitServiceName, body: Buffer, options: { protocolV2: boolean }): Promise<Buffer>;
  /** Ends every open conversation and the connection. Safe to call twice. */
  close(): void;
}

/**
 * Unwraps a smart-HTTP request (gitprotocol-http: `GET …/info/refs?service=X` for the advertisement,
 * `POST …/X` for a request) back into the service call it stands for, so the HTTP protocol code above runs over
 * another transport unchanged. The answer has the content type smart HTTP would have given.
 */
export async function requestGitService(
  transport: GitServiceTransport,
  request: { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; contentType: string; body: Buffer }> {
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const protocolV2 = /(?:^|:)version=2(?:$|:)/.test(headers['git-protocol'] ?? '');
  const advertised = /^\/info\/refs\?service=(git-upload-pack|git-receive-pack)$/.exec(request.path);
  if (request.method === 'GET' && advertised) {
    const service = advertised[1] as GitServiceName;
    return {
      status: 200,
      contentType: `application/x-${service}-advertisement`,
      body: await transport.advertise(service, { protocolV2 }),
    };
  }
  const called = /^\/(git-upload-pack|git-receive-pack)$/.exec(request.path);
  if (request.method === 'POST' && called) {
    const service = called[1] as GitServiceName;
    let body = request.body ?? Buffer.alloc(0);
    // A body compressed for HTTP travels as the plain byte stream git reads on other transports.
    if (headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    return {
      status: 200,
      contentType: `application/x-${service}-result`,
      body: await transport.run(service, body, { protocolV2 }),
    };
  }
  throw new Error(`no git service behind ${request.method} ${request.path}`);
}
