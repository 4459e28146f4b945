import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  createSeededRepo,
  freePort,
  type PeerProcess,
  requireProgram,
  startPeer,
  waitForHttp,
} from './peer-process.js';
import { defineWriteBackScenarios, type InteropPeer } from './write-back-scenarios.js';

/**
 * dulwich's smart-HTTP server (Debian's python3-dulwich), an independent implementation of the server side. It
 * serves one repository at its root and has no auth (dulwich.web is a WSGI app; auth belongs to the web server in
 * front of it), so credentials are tested against nginx and JGit. What it taught us: an `agent=` with a space is
 * read as unknown capabilities (HTTP 500), and a fetch must announce `thin-pack`.
 */
const PYTHON = '/usr/bin/python3';

describe('dulwich smart HTTP', { timeout: 120_000 }, () => {
  let root: string;
  const servers: PeerProcess[] = [];
  let peer: InteropPeer;

  beforeAll(async () => {
    await requireProgram('/usr/lib/python3/dist-packages/dulwich/web.py', 'python3-dulwich');
    root = await mkdtemp(join(tmpdir(), 'interop-dulwich-'));
    peer = {
      auth: undefined,
      // dulwich offers neither filter nor (on 0.21) allow-*-sha1-in-want: a full depth-1 snapshot.
      expectedFetchMode: 'full',
      async createRepo(name, files) {
        const directory = join(root, `${name}.git`);
        await createSeededRepo(directory, files);
        for (let attempt = 0; ; attempt += 1) {
          const port = await freePort();
          try {
            const server = await startPeer(
              PYTHON,
              ['-m', 'dulwich.web', '-l', '127.0.0.1', '-p', String(port), directory],
              {
                ready: () => true,
              },
            );
            servers.push(server);
            await waitForHttp(`http://127.0.0.1:${port}/info/refs?service=git-upload-pack`, 30_000);
            return `http://127.0.0.1:${port}`;
          } catch (error) {
            if (attempt >= 2) throw error;
          }
        }
      },
    };
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  defineWriteBackScenarios(() => peer);
});
