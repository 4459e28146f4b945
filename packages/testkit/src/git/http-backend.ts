import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseCgiHead, readCgiHead } from './cgi-response.js';
import type { GitRequestInfo, GitRequestPhase, GitServiceName } from './fault-hooks.js';

const REPO_PATH_PATTERN = /^\/((?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*)\.git(\/.*)$/;

/** Reads the repository, service and phase from a smart-HTTP request path and query. */
export function classifyGitRequest(
  method: string,
  pathname: string,
  query: URLSearchParams,
  headers: GitRequestInfo['headers'],
): GitRequestInfo {
  const match = REPO_PATH_PATTERN.exec(pathname);
  const repo = match?.[1];
  const rest = match?.[2];
  let service: GitServiceName | undefined;
  let phase: GitRequestPhase | undefined;
  if (rest === '/info/refs') {
    const requested = query.get('service');
    if (requested === 'git-upload-pack' || requested === 'git-receive-pack') {
      service = requested;
      phase = 'advertisement';
    }
  } else if (rest === '/git-upload-pack' || rest === '/git-receive-pack') {
    service = rest.slice(1) as GitServiceName;
    phase = 'rpc';
  }
  return {
    method,
    repo: repo?.split('/').includes('..') ? undefined : repo,
    service,
    phase,
    path: pathname,
    headers,
  };
}

/**
 * Finds git's `git-http-backend` program in `git --exec-path`. Running it directly (as web servers configured
 * for git's smart HTTP do) spares the `git` wrapper, which would otherwise fork it as a second process for every
 * request; falls back to `git http-backend` when the program is not there.
 */
export async function locateHttpBackend(gitBinary: string): Promise<readonly [string, ...string[]]> {
  const execPath = await new Promise<string | undefined>((resolve) => {
    execFile(gitBinary, ['--exec-path'], { timeout: 10_000 }, (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
  if (execPath) {
    const program = join(execPath, 'git-http-backend');
    try {
      await access(program, constants.X_OK);
      return [program];
    } catch {
      // fall through
    }
  }
  return [gitBinary, 'http-backend'];
}

/** How to run one `git http-backend` request. */
export interface HttpBackendRun {
  projectRoot: string;
  baseEnvironment: NodeJS.ProcessEnv;
  /** `key=value` git configuration passed through `GIT_CONFIG_COUNT` (no config file is written). */
  config: ReadonlyArray<readonly [string, string]>;
  /** Pass the `Git-Protocol` request header on as `GIT_PROTOCOL` (enables protocol v2). */
  passGitProtocol: boolean;
  remoteUser: string | undefined;
  /**
   * The program to run: `[executable, ...args]`, e.g. `['/usr/lib/git-core/git-http-backend']` or
   * `['git', 'http-backend']` (see {@link locateHttpBackend}).
   */
  command: readonly [string, ...string[]];
  /** Kill git when a request takes longer than this. */
  timeoutMs: number;
  /** Buffer the whole response, send the head and part of the body, then destroy the socket. */
  dropConnectionAfterResponseStarts: boolean;
  /** Let git finish (a push is applied), then hold the whole response back this long; 0: stream it at once. */
  delayResponseMs?: number;
  /** Rewrite the whole response body before it is sent (buffers it); used to emulate older servers. */
  rewriteBody?: (body: Buffer) => Buffer;
  onChild: (child: ChildProcess) => () => void;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function cgiEnvironment(request: IncomingMessage, url: URL, run: HttpBackendRun): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {
    ...run.baseEnvironment,
    GIT_PROJECT_ROOT: run.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${request.httpVersion}`,
    REQUEST_METHOD: request.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    GIT_CONFIG_COUNT: String(run.config.length),
  };
  run.config.forEach(([key, value], index) => {
    environment[`GIT_CONFIG_KEY_${index}`] = key;
    environment[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  const contentType = headerValue(request.headers['content-type']);
  if (contentType !== undefined) environment.CONTENT_TYPE = contentType;
  const contentLength = headerValue(request.headers['content-length']);
  if (contentLength !== undefined) environment.CONTENT_LENGTH = contentLength;
  // git CLI gzips large request bodies; http-backend inflates them itself when told the encoding.
  const contentEncoding = headerValue(request.headers['content-encoding']);
  if (contentEncoding !== undefined) environment.HTTP_CONTENT_ENCODING = contentEncoding;
  const gitProtocol = headerValue(request.headers['git-protocol']);
  if (run.passGitProtocol && gitProtocol !== undefined) {
    environment.GIT_PROTOCOL = gitProtocol;
    environment.HTTP_GIT_PROTOCOL = gitProtocol;
  }
  // With REMOTE_USER set, http-backend allows receive-pack even without http.receivepack.
  if (run.remoteUser !== undefined) environment.REMOTE_USER = run.remoteUser;
  return environment;
}

/**
 * Runs `git http-backend` as a CGI program for one request: request body to stdin, the CGI head (with its
 * `Status:` line) turned into the HTTP status and headers, stdout streamed as the body.
 *
 * Resolves with the status sent (or -1 when the connection was dropped on purpose or broke).
 */
export async function runHttpBackend(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  run: HttpBackendRun,
): Promise<{ status: number; stderr: string }> {
  const [program, ...programArgs] = run.command;
  const child = spawn(program, programArgs, {
    env: cgiEnvironment(request, url, run),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const release = run.onChild(child);
  const stderrChunks: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderrChunks.push(chunk));
  child.stdin.on('error', () => {});
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', () => resolve(127));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), run.timeoutMs);
  const onClientGone = (): void => {
    if (!response.writableFinished) child.kill('SIGKILL');
  };
  response.on('close', onClientGone);
  try {
    if (request.method === 'POST') request.pipe(child.stdin);
    else child.stdin.end();

    const delayResponseMs = run.delayResponseMs ?? 0;
    if (run.dropConnectionAfterResponseStarts || delayResponseMs > 0 || run.rewriteBody !== undefined) {
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      await exited;
      const all = Buffer.concat(chunks);
      const separator = all.indexOf('\r\n\r\n') !== -1 ? '\r\n\r\n' : '\n\n';
      const headEnd = all.indexOf(separator);
      const head = parseCgiHead(all.subarray(0, Math.max(0, headEnd)).toString('latin1'));
      const raw = headEnd === -1 ? Buffer.alloc(0) : all.subarray(headEnd + separator.length);
      const body = run.rewriteBody === undefined ? raw : run.rewriteBody(raw);
      const headers = new Map(head.headers);
      if (body !== raw) {
        for (const name of [...headers.keys()])
          if (name.toLowerCase() === 'content-length') headers.delete(name);
      }
      if (!run.dropConnectionAfterResponseStarts) {
        // git is done (a push is applied); the client waits for an answer that comes late, or never.
        await new Promise((resolve) => setTimeout(resolve, delayResponseMs));
        if (response.destroyed || request.socket.destroyed) {
          return { status: -1, stderr: Buffer.concat(stderrChunks).toString('utf8') };
        }
        response.writeHead(head.status, Object.fromEntries(headers));
        response.end(body);
        return { status: head.status, stderr: Buffer.concat(stderrChunks).toString('utf8') };
      }
      response.writeHead(head.status, Object.fromEntries(head.headers));
      response.flushHeaders();
      // Half the body (at least nothing complete): the client has its answer started, never finished.
      response.write(body.subarray(0, Math.floor(body.length / 2)));
      await new Promise((resolve) => setTimeout(resolve, 10));
      response.socket?.destroy();
      return { status: -1, stderr: Buffer.concat(stderrChunks).toString('utf8') };
    }

    const head = await readCgiHead(child.stdout);
    response.writeHead(head.status, Object.fromEntries(head.headers));
    if (head.bodyStart.length > 0) response.write(head.bodyStart);
    child.stdout.pipe(response);
    child.stdout.resume();
    await Promise.all([exited, new Promise((resolve) => response.on('close', resolve))]);
    return { status: head.status, stderr: Buffer.concat(stderrChunks).toString('utf8') };
  } catch (error) {
    child.kill('SIGKILL');
    if (!response.headersSent) {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`git http-backend failed: ${(error as Error).message}\n`);
      return { status: 500, stderr: Buffer.concat(stderrChunks).toString('utf8') };
    }
    response.destroy();
    return { status: -1, stderr: Buffer.concat(stderrChunks).toString('utf8') };
  } finally {
    clearTimeout(timer);
    response.off('close', onClientGone);
    release();
  }
}
