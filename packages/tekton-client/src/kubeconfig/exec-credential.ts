import { abortReasonToError, registerSecret } from '@gitops-kit/core';
import { z } from 'zod';
import { ExecCredentialError } from '../errors/kubeconfig-errors.js';
import type { ExecConfig, KubeconfigCluster } from './kubeconfig-schema.js';
import {
  EXEC_PLUGIN_KILL_GRACE_MS,
  type PluginOutcome,
  type PluginProcess,
  startPluginProcess,
} from './plugin-process.js';

const SUPPORTED_API_VERSIONS = new Set([
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
]);
/** How long an exec plugin may run by default, in milliseconds. */
export const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
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
  /** How long the plugin may run; default 60 000 ms. A call's own `signal`/`timeoutMs` may end it sooner. */
  timeoutMs?: number;
  /** How long a terminated plugin may take before SIGKILL; default {@link EXEC_PLUGIN_KILL_GRACE_MS}. */
  killGraceMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** One plugin run that concurrent callers share. */
interface SharedRun {
  readonly process: PluginProcess;
  readonly credential: Promise<ExecCredential>;
  /** Callers currently waiting for it. */
  waiters: number;
  settled: boolean;
}

/** Waits for `promise`, or rejects with the SDK's error for `signal`'s reason (deadline → `TimeoutError`). */
function raceWithSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReasonToError(signal));
  return new Promise<T>((resolvePromise, reject) => {
    const onAbort = (): void => reject(abortReasonToError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolvePromise(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Runs a `client.authentication.k8s.io` exec credential plugin the way client-go does: the configured command
 * with its args, `env` added to the environment and `KUBERNETES_EXEC_INFO` describing the request; the token is
 * cached until `status.expirationTimestamp` (forever when absent) and re-obtained once when the server answers 401.
 *
 * Limits: the plugin runs in its own process group, at most `timeoutMs` (default 60 s); a caller's `signal` (abort
 * or call deadline) ends that caller's wait at once. Concurrent callers share one run, and the run is terminated
 * only when every caller waiting for it has gone (one caller's abort never fails the others): SIGTERM to the group,
 * SIGKILL after {@link EXEC_PLUGIN_KILL_GRACE_MS}.
 */
export class ExecCredentialProvider {
  readonly #options: ExecCredentialProviderOptions;
  #cached: ExecCredential | undefined;
  #pending: SharedRun | undefined;
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
   * @param signal - Ends this caller's wait: its reason decides the error (a call deadline gives `TimeoutError`).
   * @throws {ExecCredentialError} when the plugin cannot run, runs out of its own time, or prints an invalid
   *   credential.
   * @throws {TimeoutError} when `signal` fired because the call's deadline passed.
   * @throws {AbortError} when `signal` was aborted by the caller.
   * @example
   * ```ts
   * const token = await provider.token(false, AbortSignal.timeout(5_000));
   * ```
   */
  async token(forceRefresh = false, signal?: AbortSignal): Promise<string> {
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#cached;
    if (!forceRefresh && cached && (cached.expiresAtMs === undefined || cached.expiresAtMs > now)) {
      return cached.token;
    }
    if (signal?.aborted) throw abortReasonToError(signal);
    // Concurrent callers share one plugin run.
    const run = this.#pending ?? this.#start();
    run.waiters += 1;
    try {
      return (await raceWithSignal(run.credential, signal)).token;
    } finally {
      run.waiters -= 1;
      if (run.waiters === 0 && !run.settled) {
        // Every caller went away: nobody will use this run's token, so it must not outlive the calls.
        if (this.#pending === run) this.#pending = undefined;
        run.process.stop();
      }
    }
  }

  #start(): SharedRun {
    const plugin = this.#spawn();
    const run: SharedRun = {
      process: plugin,
      waiters: 0,
      settled: false,
      credential: plugin.result.then((outcome) => this.#credentialFrom(outcome)),
    };
    run.credential.then(
      (credential) => {
        this.#cached = credential;
      },
      () => {},
    );
    void run.credential
      .finally(() => {
        run.settled = true;
        if (this.#pending === run) this.#pending = undefined;
      })
      .catch(() => {});
    this.#pending = run;
    return run;
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

  #spawn(): PluginProcess {
    const { exec } = this.#options;
    const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: this.#execInfo() };
    for (const entry of exec.env ?? []) env[entry.name] = entry.value;
    this.runs += 1;
    return startPluginProcess({
      command: exec.command,
      args: exec.args ?? [],
      env,
      timeoutMs: this.#options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS,
      maxOutputBytes: MAXIMUM_OUTPUT_BYTES,
      ...(this.#options.killGraceMs === undefined ? {} : { killGraceMs: this.#options.killGraceMs }),
    });
  }

  /** Turns how the plugin ended into a credential or an error; the plugin's stderr is never read. */
  #credentialFrom(outcome: PluginOutcome): ExecCredential {
    const { exec } = this.#options;
    const command = exec.command;
    switch (outcome.kind) {
      case 'exited':
        if (outcome.exitCode === 0) return this.#parse(outcome.stdout);
        throw new ExecCredentialError(
          `exec plugin "${command}" failed (${outcome.exitCode === null ? `signal ${outcome.signal}` : `exit code ${outcome.exitCode}`})`,
          { command },
        );
      case 'spawn-failed':
        throw new ExecCredentialError(
          outcome.errorCode === 'ENOENT'
            ? `exec plugin "${command}" was not found.${exec.installHint ? ` ${exec.installHint}` : ''}`
            : `exec plugin "${command}" could not be started (${outcome.errorCode})`,
          { command },
        );
      case 'timed-out':
        throw new ExecCredentialError(
          `exec plugin "${command}" did not finish within ${this.#options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS} ms and was killed (execTimeoutMs)`,
          { command },
        );
      case 'output-too-large':
        throw new ExecCredentialError(
          `exec plugin "${command}" printed more than ${MAXIMUM_OUTPUT_BYTES} bytes and was killed`,
          { command },
        );
      case 'stopped':
        throw new ExecCredentialError(`exec plugin "${command}" was stopped: every caller went away`, {
          command,
        });
    }
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
