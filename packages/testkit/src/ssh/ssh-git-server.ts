import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { GitServer } from '../git/git-server.js';
import { generateSshKey, type SshKeyOptions, type SshKeyType, type SshTestKey } from './ssh-keys.js';

/** Options for {@link SshGitServer.start}. */
export interface SshGitServerOptions {
  /** Serve this server's bare repositories (same directory, so `createRepo`, `readFile`, `log` … work). */
  gitServer: GitServer;
  /** `AcceptEnv GIT_PROTOCOL`, so clients can ask for protocol v2; `false` makes sshd ignore it (v0). Default true. */
  protocolV2?: boolean;
  /** `uploadpack.allowFilter` and `uploadpack.allowAnySHA1InWant` for SSH clients; default true. */
  allowFilter?: boolean;
  /** The host key's type; default `ed25519`. */
  hostKeyType?: SshKeyType;
  /** The sshd executable (an absolute path, as sshd requires); default `/usr/sbin/sshd`. */
  sshdBinary?: string;
}

/** One command an SSH client ran. */
export interface SshCommandRecord {
  /** What the client asked for, e.g. `git-upload-pack '/tmp/…/deploy.git'`. */
  command: string;
  /** The `GIT_PROTOCOL` the service saw (`version=2`), or '' when the client sent none or sshd ignored it. */
  gitProtocol: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function shellSingleQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * A real SSH git server for tests: OpenSSH's `sshd` on 127.0.0.1 (a free port), running as the current user with
 * a generated host key, public-key logins only, and `git-shell` as the forced command of every authorized key
 * (`restrict,command=…` in authorized_keys), so clients can run exactly `git-upload-pack` and `git-receive-pack`
 * — as on GitHub, GitLab or Gitea. It serves the bare repositories of a {@link GitServer}, so the same repository
 * can be reached over HTTP and SSH. Needs Debian's `openssh-server` (`/usr/sbin/sshd`), `ssh-keygen` and git.
 *
 * @example
 * ```ts
 * const git = await GitServer.start();
 * await git.createRepo('deploy', { 'values.yaml': 'tag: v1\n' });
 * const ssh = await SshGitServer.start({ gitServer: git });
 * const key = await ssh.createClientKey('ed25519'); // authorized
 * // clone ssh.repoUrl('deploy') with key.privateKeyFile and ssh.knownHosts…
 * await ssh.stop();
 * ```
 */
export class SshGitServer {
  readonly host = '127.0.0.1';
  readonly port: number;
  /** The login name: the current user (sshd runs as that user). */
  readonly username: string;
  /** A known_hosts line for this server (`[127.0.0.1]:port ssh-ed25519 AAAA…`). */
  readonly knownHosts: string;
  /** The host key's public key line (`ssh-ed25519 AAAA…`). */
  readonly hostPublicKey: string;
  /** The temporary directory with sshd's configuration, keys and logs. */
  readonly directory: string;

  readonly #gitServer: GitServer;
  readonly #process: ChildProcess;
  readonly #authorizedKeys: string[] = [];
  readonly #logLines: string[];
  #keyCount = 0;
  #stopped = false;

  private constructor(init: {
    port: number;
    directory: string;
    hostPublicKey: string;
    gitServer: GitServer;
    process: ChildProcess;
    logLines: string[];
  }) {
    this.port = init.port;
    this.username = userInfo().username;
    this.directory = init.directory;
    this.hostPublicKey = init.hostPublicKey;
    this.knownHosts = `[${this.host}]:${init.port} ${init.hostPublicKey}`;
    this.#gitServer = init.gitServer;
    this.#process = init.process;
    this.#logLines = init.logLines;
  }

  /**
   * Generates a host key and configuration, starts sshd and waits until it listens.
   *
   * @throws Error when sshd is not installed (with the package to install) or does not start.
   * @example
   * ```ts
   * const ssh = await SshGitServer.start({ gitServer: git, protocolV2: false });
   * ```
   */
  static async start(options: SshGitServerOptions): Promise<SshGitServer> {
    const sshd = options.sshdBinary ?? '/usr/sbin/sshd';
    try {
      await stat(sshd);
    } catch {
      throw new Error(
        `SshGitServer: ${sshd} not found; install OpenSSH's server (Debian: apt-get install openssh-server)`,
      );
    }
    // As root, sshd needs its privilege separation directory (Debian's service unit creates it at boot).
    if (process.getuid?.() === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const directory = await mkdtemp(join(tmpdir(), 'gitops-kit-sshd-'));
    const hostKey = await generateSshKey(join(directory, 'host_key'), options.hostKeyType ?? 'ed25519');
    const hostPublicKey = hostKey.publicKey.split(' ').slice(0, 2).join(' ');
    const allowFilter = String(options.allowFilter ?? true);
    const config: Array<[string, string]> = [
      ['uploadpack.allowFilter', allowFilter],
      ['uploadpack.allowAnySHA1InWant', allowFilter],
      ['receive.autogc', 'false'],
    ];
    const environment = [
      `HOME=${shellSingleQuote(directory)}`,
      `XDG_CONFIG_HOME=${shellSingleQuote(directory)}`,
      'GIT_CONFIG_NOSYSTEM=1',
      `GIT_CONFIG_COUNT=${config.length}`,
      ...config.flatMap(([key, value], index) => [
        `GIT_CONFIG_KEY_${index}=${key}`,
        `GIT_CONFIG_VALUE_${index}=${value}`,
      ]),
    ];
    // The forced command: record what was asked (and whether GIT_PROTOCOL got through), then let git-shell run
    // it; git-shell allows only git-upload-pack, git-receive-pack and git-upload-archive with one quoted path.
    await writeFile(
      join(directory, 'git-shell-command'),
      [
        '#!/bin/sh',
        `printf '%s\\t%s\\n' "$(printf '%s' "$SSH_ORIGINAL_COMMAND" | tr '\\t\\n' '  ')" "\${GIT_PROTOCOL:-}" >> ${shellSingleQuote(join(directory, 'commands.log'))}`,
        `export ${environment.join(' ')}`,
        'exec git-shell -c "$SSH_ORIGINAL_COMMAND"',
        '',
      ].join('\n'),
    );
    await chmod(join(directory, 'git-shell-command'), 0o755);
    await writeFile(join(directory, 'authorized_keys'), '');
    await writeFile(join(directory, 'commands.log'), '');
    const configText = (port: number) =>
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(directory, 'host_key')}`,
        `AuthorizedKeysFile ${join(directory, 'authorized_keys')}`,
        `PidFile none`,
        'StrictModes no',
        'UsePAM no',
        'PermitRootLogin prohibit-password',
        'AuthenticationMethods publickey',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UseDNS no',
        'PrintMotd no',
        'MaxStartups 64',
        'MaxSessions 32',
        ...(options.protocolV2 === false ? [] : ['AcceptEnv GIT_PROTOCOL']),
        '',
      ].join('\n');
    for (let attempt = 1; ; attempt += 1) {
      const port = await freePort();
      await writeFile(join(directory, 'sshd_config'), configText(port));
      const logLines: string[] = [];
      const child = spawn(sshd, ['-D', '-e', '-f', join(directory, 'sshd_config')], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const started = await new Promise<boolean>((resolve, reject) => {
        let pending = '';
        child.stderr?.on('data', (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) {
            logLines.push(line);
            if (line.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve(true);
          }
        });
        child.once('error', reject);
        child.once('exit', () => resolve(false));
      });
      if (started) {
        return new SshGitServer({
          port,
          directory,
          hostPublicKey,
          gitServer: options.gitServer,
          process: child,
          logLines,
        });
      }
      // Another process took the port between the probe and sshd's bind: try another one.
      if (attempt >= 5 || !logLines.some((line) => /bind|Address already in use/i.test(line))) {
        await rm(directory, { recursive: true, force: true });
        throw new Error(`SshGitServer: sshd did not start: ${logLines.join(' | ').slice(0, 2000)}`);
      }
    }
  }

  /** `ssh://user@127.0.0.1:port/<absolute path of the bare repository>`. */
  repoUrl(name: string): string {
    return `ssh://${this.username}@${this.host}:${this.port}${this.#gitServer.repoDirectory(name)}`;
  }

  /** The same repository in git's scp-like form with a port: `[user@127.0.0.1:port]:/path/name.git`. */
  scpLikeUrl(name: string): string {
    return `[${this.username}@${this.host}:${this.port}]:${this.#gitServer.repoDirectory(name)}`;
  }

  /** Lets `publicKey` (an authorized_keys line) log in, restricted to git-shell. sshd reads the file per login. */
  async authorizeKey(publicKey: string): Promise<void> {
    this.#authorizedKeys.push(
      `restrict,command="${join(this.directory, 'git-shell-command')}" ${publicKey.trim()}`,
    );
    await writeFile(join(this.directory, 'authorized_keys'), `${this.#authorizedKeys.join('\n')}\n`);
  }

  /**
   * Makes a client key pair with ssh-keygen in the server's directory; authorized unless `authorize: false`.
   *
   * @example
   * ```ts
   * const key = await ssh.createClientKey('rsa', { format: 'pem', passphrase: 'correct horse' });
   * ```
   */
  async createClientKey(
    type: SshKeyType,
    options: SshKeyOptions & { authorize?: boolean } = {},
  ): Promise<SshTestKey> {
    this.#keyCount += 1;
    const key = await generateSshKey(join(this.directory, `client_key_${this.#keyCount}`), type, options);
    if (options.authorize !== false) await this.authorizeKey(key.publicKey);
    return key;
  }

  /** `GIT_SSH_COMMAND` for the git CLI: this key, this server's host key, strict checking, no agent or config. */
  gitSshCommand(key: SshTestKey): string {
    const knownHostsFile = join(this.directory, 'known_hosts');
    return [
      'ssh',
      '-F /dev/null',
      `-i ${shellSingleQuote(key.privateKeyFile)}`,
      '-o IdentitiesOnly=yes',
      '-o IdentityAgent=none',
      '-o StrictHostKeyChecking=yes',
      `-o UserKnownHostsFile=${shellSingleQuote(knownHostsFile)}`,
      '-o BatchMode=yes',
    ].join(' ');
  }

  /** Writes {@link knownHosts} to `<directory>/known_hosts` (used by {@link gitSshCommand}) and returns its path. */
  async writeKnownHostsFile(): Promise<string> {
    const file = join(this.directory, 'known_hosts');
    await writeFile(file, `${this.knownHosts}\n`);
    return file;
  }

  /** The commands clients ran, oldest first. */
  async commands(): Promise<SshCommandRecord[]> {
    const text = await readFile(join(this.directory, 'commands.log'), 'utf8');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [command = '', gitProtocol = ''] = line.split('\t');
        return { command, gitProtocol };
      });
  }

  /** sshd's log lines so far (its `-e` stderr): logins, refusals, disconnects. */
  get log(): readonly string[] {
    return this.#logLines;
  }

  /** Stops sshd and deletes its directory (not the repositories: they belong to the GitServer). Safe twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#process.exitCode === null) {
      await new Promise<void>((resolve) => {
        this.#process.once('exit', () => resolve());
        this.#process.kill('SIGTERM');
      });
    }
    await rm(this.directory, { recursive: true, force: true, maxRetries: 3 });
  }
}
