import { Agent, type Dispatcher, EnvHttpProxyAgent, ProxyAgent } from 'undici';
import { ValidationError } from '../errors/transport-errors.js';
import { registerSecret } from '../redaction/redactor.js';
import type { HttpProxySetting, HttpTlsOptions } from './http-types.js';

/** The settings {@link createDispatcher} needs. */
export interface DispatcherSettings {
  tls?: HttpTlsOptions | undefined;
  connectTimeoutMs: number;
  proxy: HttpProxySetting;
  /** The environment to read proxy variables from; `process.env` by default. */
  environment?: NodeJS.ProcessEnv | undefined;
}

/** How long an idle keep-alive socket is kept, in ms (undici's default is 4 s; servers commonly close at 5 s). */
const KEEP_ALIVE_TIMEOUT_MS = 4_000;
/** Sockets per origin. Enough parallelism for an SDK, bounded so a loop cannot open thousands. */
const CONNECTIONS_PER_ORIGIN = 16;

/** Whether HTTPS_PROXY / HTTP_PROXY (either case) is set to something. */
export function hasProxyEnvironment(environment: NodeJS.ProcessEnv = process.env): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((name) =>
    Boolean(environment[name]),
  );
}

function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.password ? decodeURIComponent(parsed.password) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses TLS settings that contradict each other: a CA to trust together with `insecureSkipVerify` would
 * silently verify nothing. client-go refuses the same combination ("specifying a root certificates file with the
 * insecure flag is not allowed", `transport.TLSConfigFor`); so do we, rather than guess which one was meant.
 *
 * @throws {ValidationError} (field `tls`) when `ca` and `insecureSkipVerify: true` are both set.
 * @example
 * ```ts
 * checkTlsOptions({ ca: pem }); // fine
 * checkTlsOptions({ ca: pem, insecureSkipVerify: true }); // throws ValidationError
 * ```
 */
export function checkTlsOptions(tls: HttpTlsOptions | undefined): void {
  if (tls?.insecureSkipVerify !== true) return;
  const ca = tls.ca;
  if (ca === undefined || (Array.isArray(ca) && ca.length === 0)) return;
  throw new ValidationError(
    'tls.ca and tls.insecureSkipVerify cannot both be set: trusting a CA means verifying the server; remove insecureSkipVerify (or the CA, for testing only)',
    { field: 'tls' },
  );
}

/**
 * Builds the keep-alive undici dispatcher an {@link HttpClient} owns: an `Agent`, or undici's `EnvHttpProxyAgent`
 * when `proxy` is `'env'` and a proxy variable is set (NO_PROXY honoured), or a `ProxyAgent` for an explicit URL.
 * TLS settings apply to the target server in every case; proxy passwords are registered for redaction.
 *
 * @throws {ValidationError} when `tls.ca` and `tls.insecureSkipVerify` are both set (field `tls`), or a proxy URL
 *   does not parse or is not http(s) (field `proxy`; the URL is not repeated).
 * @example
 * ```ts
 * const dispatcher = createDispatcher({ connectTimeoutMs: 10_000, proxy: 'env' });
 * ```
 */
export function createDispatcher(settings: DispatcherSettings): Dispatcher {
  checkTlsOptions(settings.tls);
  const tls = settings.tls ?? {};
  registerSecret(tls.passphrase);
  const connect = {
    timeout: settings.connectTimeoutMs,
    rejectUnauthorized: tls.insecureSkipVerify !== true,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.passphrase === undefined ? {} : { passphrase: tls.passphrase }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  };
  const agentOptions = {
    connect,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connections: CONNECTIONS_PER_ORIGIN,
  };
  const environment = settings.environment ?? process.env;
  try {
    return createAgent(settings, agentOptions, connect, environment);
  } catch (error) {
    // undici's and Node's URL errors keep the raw URL (`error.input`), password included: never pass them on as is.
    const which = typeof settings.proxy === 'object' ? 'proxy.url' : 'HTTPS_PROXY/HTTP_PROXY';
    throw new ValidationError(`${which} is not a usable http(s) proxy URL`, { field: 'proxy', cause: error });
  }
}

function createAgent(
  settings: DispatcherSettings,
  agentOptions: Agent.Options,
  connect: NonNullable<ProxyAgent.Options['requestTls']>,
  environment: NodeJS.ProcessEnv,
): Dispatcher {
  if (settings.proxy === 'env' && hasProxyEnvironment(environment)) {
    const httpsProxy = environment.HTTPS_PROXY ?? environment.https_proxy;
    const httpProxy = environment.HTTP_PROXY ?? environment.http_proxy;
    registerSecret(passwordOf(httpsProxy), passwordOf(httpProxy));
    return new EnvHttpProxyAgent({
      ...agentOptions,
      requestTls: connect,
      ...(httpProxy ? { httpProxy } : {}),
      ...(httpsProxy ? { httpsProxy } : {}),
      noProxy: environment.NO_PROXY ?? environment.no_proxy ?? '',
    });
  }
  if (typeof settings.proxy === 'object') {
    registerSecret(passwordOf(settings.proxy.url));
    return new ProxyAgent({ ...agentOptions, uri: settings.proxy.url, requestTls: connect });
  }
  return new Agent(agentOptions);
}
