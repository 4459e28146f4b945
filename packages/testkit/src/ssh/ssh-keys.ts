import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** A key pair made by `ssh-keygen`, for a test. */
export interface SshTestKey {
  /** The private key file's content. */
  privateKey: string;
  /** The public key as one authorized_keys line (`ssh-ed25519 AAAA… comment`). */
  publicKey: string;
  /** Where the private key file is (mode 0600), for `ssh -i` and `GIT_SSH_COMMAND`. */
  privateKeyFile: string;
  type: SshKeyType;
}

/** Key types OpenSSH can make (`ssh-keygen -t`). */
export type SshKeyType = 'ed25519' | 'ecdsa' | 'rsa';

/** Options for a key made by {@link generateSshKey}. */
export interface SshKeyOptions {
  /** Encrypt the private key with this passphrase (at least 5 characters, ssh-keygen's minimum). */
  passphrase?: string;
  /** `openssh` (the default), `pem` (PKCS#1 / SEC1) or `pkcs8`; ssh-keygen's `-m`. */
  format?: 'openssh' | 'pem' | 'pkcs8';
  /** RSA/ECDSA size in bits (ssh-keygen's `-b`). */
  bits?: number;
}

/** Runs a program to completion; rejects with its stderr when it fails. */
export function runProgram(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${command} not found; install OpenSSH (Debian: apt-get install openssh-client openssh-server)`,
            )
          : error,
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

/**
 * Makes a key pair with OpenSSH's `ssh-keygen` in `file` (and `file.pub`).
 *
 * @throws Error when ssh-keygen is missing or refuses the options.
 */
export async function generateSshKey(
  file: string,
  type: SshKeyType,
  options: SshKeyOptions = {},
): Promise<SshTestKey> {
  const args = [
    '-q',
    '-t',
    type,
    '-N',
    options.passphrase ?? '',
    '-C',
    `gitops-kit-test-${type}`,
    '-f',
    file,
  ];
  if (options.format === 'pem' || options.format === 'pkcs8') args.push('-m', options.format.toUpperCase());
  if (options.bits !== undefined) args.push('-b', String(options.bits));
  await runProgram('ssh-keygen', args);
  return {
    privateKey: await readFile(file, 'utf8'),
    publicKey: (await readFile(`${file}.pub`, 'utf8')).trim(),
    privateKeyFile: file,
    type,
  };
}
