import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe } from 'vitest';
import { createSeededRepo, type PeerProcess, requireProgram, startPeer } from './peer-process.js';
import {
  defineWriteBackScenarios,
  defineWrongCredentialsScenario,
  type InteropPeer,
} from './write-back-scenarios.js';

/**
 * JGit's GitServlet (Gerrit's and Bitbucket's implementation), Debian's libjgit-java 4.11 in Debian's Jetty 9,
 * behind container basic auth. It speaks protocol v0 only and offers no `filter`, so the write-back falls back to
 * a full depth-1 snapshot. Our launcher (jgit/JGitHttpServer.java) is compiled with javac at test time.
 */
const auth = { username: 'deploy-bot', password: 'interop-jgit-password' };
const JARS = [
  'org.eclipse.jgit.jar',
  'org.eclipse.jgit.http.server.jar',
  'jetty9-server.jar',
  'jetty9-servlet.jar',
  'jetty9-security.jar',
  'jetty9-http.jar',
  'jetty9-io.jar',
  'jetty9-util.jar',
  'servlet-api.jar',
  'slf4j-api.jar',
  'slf4j-nop.jar',
];
const PACKAGE_OF: Record<string, string> = {
  'org.eclipse.jgit.jar': 'libjgit-java',
  'org.eclipse.jgit.http.server.jar': 'libjgit-java',
  'servlet-api.jar': 'libservlet-api-java',
  'slf4j-api.jar': 'libslf4j-java',
  'slf4j-nop.jar': 'libslf4j-java',
};

function javac(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('javac', args, { timeout: 120_000 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`javac failed (install a JDK): ${stderr || error.message}`)) : resolve(),
    );
    child.stdin?.destroy();
  });
}

describe('JGit GitServlet in Jetty with basic auth', { timeout: 180_000 }, () => {
  let directory: string;
  let server: PeerProcess | undefined;
  let peer: InteropPeer;

  beforeAll(async () => {
    for (const jar of JARS) {
      await requireProgram(`/usr/share/java/${jar}`, PACKAGE_OF[jar] ?? 'libjetty9-java');
    }
    directory = await mkdtemp(join(tmpdir(), 'interop-jgit-'));
    const classes = join(directory, 'classes');
    const root = join(directory, 'repos');
    await mkdir(classes);
    await mkdir(root);
    const classpath = JARS.map((jar) => `/usr/share/java/${jar}`).join(':');
    const source = join(dirname(fileURLToPath(import.meta.url)), 'jgit', 'JGitHttpServer.java');
    await javac(['-d', classes, '-cp', classpath, source]);
    server = await startPeer(
      'java',
      ['-Xmx256m', '-cp', `${classes}:${classpath}`, 'JGitHttpServer', root, auth.username, auth.password],
      { ready: (output) => /LISTENING \d+/.test(output), timeoutMs: 120_000 },
    );
    const port = /LISTENING (\d+)/.exec(server.output())?.[1];
    peer = {
      auth,
      expectedFetchMode: 'full',
      async createRepo(name, files) {
        await createSeededRepo(join(root, `${name}.git`), files);
        return `http://127.0.0.1:${port}/${name}.git`;
      },
    };
  });
  afterAll(async () => {
    await server?.stop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  defineWriteBackScenarios(() => peer);
  defineWrongCredentialsScenario(() => peer);
});
