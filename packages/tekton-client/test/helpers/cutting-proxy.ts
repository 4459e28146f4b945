import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy for tests and benchmarks that forwards everything to `target` but cuts every pod log response
 * (path ending in `/log`) `cutAfterMs` after its headers by destroying the socket mid-stream, as a flaky network
 * or a restarted apiserver would.
 */
export class CuttingProxy {
  readonly server: Server;
  cuts = 0;
  logRequests = 0;
  #port = 0;

  constructor(target: string, cutAfterMs: number) {
    const targetUrl = new URL(target);
    this.server = createServer((incoming, outgoing) => {
      const isLog = (incoming.url ?? '').split('?')[0]?.endsWith('/log') ?? false;
      if (isLog) this.logRequests += 1;
      const upstream = httpRequest(
        {
          host: targetUrl.hostname,
          port: targetUrl.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: targetUrl.host },
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          let cut = false;
          const timer =
            isLog && response.statusCode === 200
              ? setTimeout(() => {
                  cut = true;
                  this.cuts += 1;
                  response.destroy();
                  outgoing.socket?.destroy();
                }, cutAfterMs)
              : undefined;
          response.on('data', (chunk: Buffer) => {
            if (!cut) outgoing.write(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            outgoing.end();
          });
          response.on('close', () => clearTimeout(timer));
          response.on('error', () => outgoing.destroy());
        },
      );
      upstream.on('error', () => outgoing.destroy());
      incoming.pipe(upstream);
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.#port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
