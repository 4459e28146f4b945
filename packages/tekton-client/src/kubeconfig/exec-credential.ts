import { execFile } from 'node:child_process';
import { registerSecret } from '@gitops-kit/core';
import { z } from 'zod';
import { ExecCredentialError } from '../errors/kubeconfig-errors.js';
import type { ExecConfig, KubeconfigCluster } from './kubeconfig-schema.js';

const SUPPORTED_API_VERSIONS = new Set([
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
]);
const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
const MAXIMUM_OUTPUT_BYTES = 1024 * 1024;

const execCredentialSchema = z.looseObject({
  apiVersion: z.string(),
  kind: z.literal('ExecCredential'),
  status: z
    .looseObject({
      token: z.string().optional(),
      expirationTimestamp: z.string().optional(),
      clientCertificateData: z.string().optional(),
      clientKeyData: z.string().optional(),
    })
    .optional(),
});

/** A credential an exec plugin returned. */
export interface ExecCredential {
  token: string;
  /** Epoch milliseconds after which the plugin must run again; undefined means "until a 401". */
  expiresAtMs: number | undefined;
}

/** Options of {@link ExecCredentialProvider}. */
export interface ExecCredentialProviderOptions {
  exec: ExecConfig;
  cluster: KubeconfigCluster & { server: string };
  /** How long the plugin may run; default 60 000 ms. */
  timeoutMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/**
 * Runs a `client.authentication.k8s.io` exec credential plugin the way client-go does: the configured command
 * with its args, `env` added to the environment and `KUBERNETES_EXEC_INFO` describing the request; the token is
 * cached until `status.expirationTimestamp` (forever when absent) and re-obtained once when the server answers 401.
 */
export class ExecCredentialProvider {
  readonly #options: ExecCredentialProviderOptions;
  #cached: ExecCredential | undefined;
  #pending: Promise<ExecCredential> | undefined;
  /** How many times the plugin has been run; for diagnostics and tests. */
  runs = 0;

  constructor(options: ExecCredentialProviderOptions) {
    this.#options = options;
    const apiVersion = options.exec.apiVersion ?? 'client.authentication.k8s.io/v1';
    if (!SUPPORTED_API_VERSIONS.has(apiVersion)) {
      throw new ExecCredentialError(`exec plugin apiVersion "${apiVersion}" is not supported`, {
        command: options.exec.command,
      });
    }
  }

  /**
   * The current token, running the plugin when nothing is cached, the cache expired, or `forceRefresh` is set.
   *
   * @throws {ExecCredentialError} when the plugin cannot run or prints an invalid credential.
   */
  async token(forceRefresh = false): Promise<string> {
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#cached;
    if (!forceRefresh && cached && (cached.expiresAtMs === undefined || cached.expiresAtMs > now)) {
      return cached.token;
    }
    // Concurrent callers share one plugin run.
    this.#pending ??= this.#run().finally(() => {
      this.#pending = undefined;
    });
    const credential = await this.#pending;
    this.#cached = credential;
    return credential.token;
  }

  #execInfo(): string {
    const { exec, cluster } = this.#options;
    const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
    const spec: Record<string, unknown> = { interactive: false };
    if (exec.provideClusterInfo) {
      const info: Record<string, unknown> = { server: cluster.server };
      if (cluster['tls-server-name']) info['tls-server-name'] = cluster['tls-server-name'];
      if (cluster['insecure-skip-tls-verify']) info['insecure-skip-tls-verify'] = true;
      if (cluster['certificate-authority-data']) {
        info['certificate-authority-data'] = cluster['certificate-authority-data'];
      }
      if (cluster['proxy-url']) info['proxy-url'] = cluster['proxy-url'];
      spec.cluster = info;
    }
    return JSON.stringify({ apiVersion, kind: 'ExecCredential', spec });
  }

  #run(): Promise<ExecCredential> {
    const { exec } = this.#options;
    const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: this.#execInfo() };
    for (const entry of exec.env ?? []) env[entry.name] = entry.value;
    this.runs += 1;
    return new Promise((resolvePromise, reject) => {
      execFile(
        exec.command,
        exec.args ?? [],
        {
          env,
          timeout: this.#options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS,
          maxBuffer: MAXIMUM_OUTPUT_BYTES,
          windowsHide: true,
        },
        (error, stdout) => {
          if (error) {
            // Node's error message embeds the plugin's stderr, which may hold credentials: keep only the code.
            const code = (error as NodeJS.ErrnoException & { code?: string | number }).code;
            const hint = code === 'ENOENT' && exec.installHint ? ` ${exec.installHint}` : '';
            const how =
              typeof code === 'number'
                ? `exit code ${code}`
                : error.killed
                  ? 'killed after the timeout'
                  : String(code ?? 'unknown failure');
            reject(
              new ExecCredentialError(
                code === 'ENOENT'
                  ? `exec plugin "${exec.command}" was not found.${hint}`
                  : `exec plugin "${exec.command}" failed (${how})`,
                { command: exec.command },
              ),
            );
            return;
          }
          try {
            resolvePromise(this.#parse(stdout));
          } catch (parseError) {
            reject(parseError);
          }
        },
      );
    });
  }

  #parse(stdout: string): ExecCredential {
    const { exec } = this.#options;
    const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
    let json: unknown;
    try {
      json = JSON.parse(stdout);
    } catch {
      throw new ExecCredentialError(`exec plugin "${exec.command}" did not print JSON`, {
        command: exec.command,
      });
    }
    const parsed = execCredentialSchema.safeParse(json);
    if (!parsed.success) {
      throw new ExecCredentialError(`exec plugin "${exec.command}" did not print an ExecCredential`, {
        command: exec.command,
      });
    }
    if (parsed.data.apiVersion !== apiVersion) {
      throw new ExecCredentialError(
        `exec plugin "${exec.command}" answered with apiVersion "${parsed.data.apiVersion}", expected "${apiVersion}"`,
        { command: exec.command },
      );
    }
    const status = parsed.data.status;
    if (!status?.token) {
      const certOnly = Boolean(status?.clientCertificateData);
      registerSecret(status?.clientKeyData);
      throw new ExecCredentialError(
        certOnly
          ? `exec plugin "${exec.command}" returned a client certificate; only token credentials are supported`
          : `exec plugin "${exec.command}" returned no token`,
        { command: exec.command },
      );
    }
    registerSecret(status.token);
    let expiresAtMs: number | undefined;
    if (status.expirationTimestamp) {
      expiresAtMs = Date.parse(status.expirationTimestamp);
      if (Number.isNaN(expiresAtMs)) {
        throw new ExecCredentialError(
          `exec plugin "${exec.command}" returned an invalid expirationTimestamp`,
          {
            command: exec.command,
          },
        );
      }
    }
    return { token: status.token, expiresAtMs };
  }
}
