import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import {
  createSeededRepo,
  freePort,
  git,
  type PeerProcess,
  requireProgram,
  startPeer,
  waitForHttp,
} from './peer-process.js';
import {
  defineWriteBackScenarios,
  defineWrongCredentialsScenario,
  type InteropPeer,
} from './write-back-scenarios.js';

/**
 * git http-backend behind nginx + fcgiwrap with basic auth: the usual self-hosted set-up (git-http-backend(1),
 * "Accelerated static Apache 2.x" and the nginx equivalent). nginx answers with chunked bodies and its own 401
 * page; the password file is made with `openssl passwd -apr1`, as htpasswd would.
 */
const auth = { username: 'deploy-bot', password: 'interop-nginx-password' };

function opensslApr1(password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', ['passwd', '-apr1', password], (error, stdout, stderr) =>
      error ? reject(new Error(`openssl passwd failed: ${stderr}`)) : resolve(stdout.trim()),
    );
    child.stdin?.destroy();
  });
}

describe('git http-backend behind nginx + fcgiwrap with basic auth', { timeout: 120_000 }, () => {
  let directory: string;
  let nginx: PeerProcess | undefined;
  let fcgiwrap: PeerProcess | undefined;
  let baseUrl: string;
  let peer: InteropPeer;

  beforeAll(async () => {
    await requireProgram('/usr/sbin/nginx', 'nginx');
    await requireProgram('/usr/sbin/fcgiwrap', 'fcgiwrap');
    directory = await mkdtemp(join(tmpdir(), 'interop-nginx-'));
    const root = join(directory, 'repos');
    await mkdir(root);
    for (const temporary of ['body', 'fastcgi', 'proxy', 'uwsgi', 'scgi'])
      await mkdir(join(directory, temporary));
    await writeFile(join(directory, 'htpasswd'), `${auth.username}:${await opensslApr1(auth.password)}\n`);
    const backend = join((await git(['--exec-path'])).trim(), 'git-http-backend');
    await requireProgram(backend, 'git');
    const socket = join(directory, 'fcgiwrap.sock');
    fcgiwrap = await startPeer('/usr/sbin/fcgiwrap', ['-c', '4', '-s', `unix:${socket}`], {
      ready: () => true,
    });
    // fcgiwrap creates its socket after it started; nginx's first request must find it.
    for (let waited = 0; ; waited += 25) {
      try {
        await access(socket);
        break;
      } catch (error) {
        if (waited > 30_000) throw error;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
    const port = await freePort();
    const user = process.getuid?.() === 0 ? 'user root root;' : '';
    await writeFile(
      join(directory, 'nginx.conf'),
      `${user}
daemon off;
master_process off;
worker_processes 1;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${directory}/body;
  fastcgi_temp_path ${directory}/fastcgi;
  proxy_temp_path ${directory}/proxy;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  server {
    listen 127.0.0.1:${port};
    location ~ ^/.+\\.git/(info/refs|git-upload-pack|git-receive-pack)$ {
      auth_basic "git";
      auth_basic_user_file ${directory}/htpasswd;
      client_max_body_size 0;
      fastcgi_buffering off;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME ${backend};
      fastcgi_param GIT_PROJECT_ROOT ${root};
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO $uri;
      fastcgi_param REMOTE_USER $remote_user;
      fastcgi_param GIT_PROTOCOL $http_git_protocol;
      fastcgi_param GIT_CONFIG_NOSYSTEM 1;
      fastcgi_pass unix:${socket};
    }
  }
}
`,
    );
    nginx = await startPeer('/usr/sbin/nginx', ['-p', directory, '-c', join(directory, 'nginx.conf')], {
      ready: () => true,
    });
    baseUrl = `http://127.0.0.1:${port}`;
    await waitForHttp(`${baseUrl}/none.git/info/refs?service=git-upload-pack`);
    peer = {
      auth,
      // http-backend without uploadpack.allowFilter, as most self-hosted set-ups run it: a full snapshot.
      expectedFetchMode: 'full',
      async createRepo(name, files) {
        await createSeededRepo(join(root, `${name}.git`), files);
        return `${baseUrl}/${name}.git`;
      },
    };
  });
  afterAll(async () => {
    await nginx?.stop();
    await fcgiwrap?.stop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });

  defineWriteBackScenarios(() => peer);
  defineWrongCredentialsScenario(() => peer);
});
