import { AuthenticationError, type Logger, registerSecret } from '@gitops-kit/core';

/** Supplies a bearer token (the core `TokenProvider` contract). */
export type ArgoCDTokenProvider = (context: {
  forceRefresh: boolean;
  signal?: AbortSignal | undefined;
}) => Promise<string | undefined>;

/** How the client authenticates. */
export type ArgoCDAuth =
  /** A static token: an API token of an account, a project-role token, or a session token. Never renewed. */
  | { token: string }
  /** Local user credentials: the client logs in via `POST /api/v1/session` and re-logs in once on a 401. */
  | { username: string; password: string }
  /** Your own provider (OIDC, a vault…). Called with `forceRefresh: true` at most once per call after a 401. */
  | { tokenProvider: ArgoCDTokenProvider };

/** Performs `POST /api/v1/session` without going through the token provider (no recursion). */
export type LoginFunction = (
  credentials: { username: string; password: string },
  signal: AbortSignal | undefined,
) => Promise<string>;

/**
 * Holds the current token and decides when to log in. Rules (Argo CD locks an account after 5 failed logins in
 * 300 s, `util/session/sessionmanager.go`):
 * - with username/password: log in lazily on first use; after a 401 log in again, at most once per call (the core
 *   transport asks for `forceRefresh` only once per call); concurrent refreshes share one login;
 * - a login refused with 401 is remembered: no further automatic login is attempted until `login()` is called
 *   explicitly or new credentials are given, so a wrong password can never loop into a lock-out;
 * - a static token is never "refreshed": a 401 becomes an `AuthenticationError` at once;
 * - renewed tokens from `Grpc-Metadata-Renew-Token` / `Set-Cookie: argocd.token` replace the current one.
 */
export class SessionManager {
  #token: string | undefined;
  #credentials: { username: string; password: string } | undefined;
  readonly #customProvider: ArgoCDTokenProvider | undefined;
  #login: LoginFunction | undefined;
  #pendingLogin: Promise<string> | undefined;
  #loginRefused = false;
  readonly #logger: Logger;

  constructor(auth: ArgoCDAuth | undefined, logger: Logger) {
    this.#logger = logger;
    if (auth && 'token' in auth) {
      registerSecret(auth.token);
      this.#token = auth.token;
    } else if (auth && 'username' in auth) {
      registerSecret(auth.password);
      this.#credentials = { username: auth.username, password: auth.password };
    } else if (auth && 'tokenProvider' in auth) {
      this.#customProvider = auth.tokenProvider;
    }
  }

  /** Wires the login call (the client's transport exists only after the manager). */
  setLoginFunction(login: LoginFunction): void {
    this.#login = login;
  }

  /** Whether username/password are configured (so a 401 may be answered by one re-login). */
  get canLogin(): boolean {
    return this.#credentials !== undefined;
  }

  /** The token currently held, if any. */
  get currentToken(): string | undefined {
    return this.#token;
  }

  /** Replaces the token (a renewed session token, or one the caller obtained). */
  setToken(token: string | undefined): void {
    if (token) registerSecret(token);
    this.#token = token;
  }

  /** Replaces the credentials and clears a remembered refusal. */
  setCredentials(credentials: { username: string; password: string }): void {
    registerSecret(credentials.password);
    this.#credentials = { ...credentials };
    this.#loginRefused = false;
  }

  /** Forgets the token (after logout). */
  clear(): void {
    this.#token = undefined;
  }

  /** Logs in with the configured (or given) credentials now. */
  async login(signal?: AbortSignal, credentials?: { username: string; password: string }): Promise<string> {
    if (credentials) this.setCredentials(credentials);
    else this.#loginRefused = false;
    return this.#sharedLogin(signal);
  }

  /** The core transport's token provider. */
  readonly provide: ArgoCDTokenProvider = async ({ forceRefresh, signal }) => {
    if (this.#customProvider) {
      const token = await this.#customProvider({ forceRefresh, signal });
      if (token) registerSecret(token);
      return token;
    }
    if (!forceRefresh) {
      if (this.#token !== undefined || !this.#credentials) return this.#token;
      return this.#sharedLogin(signal);
    }
    if (!this.#credentials) {
      throw new AuthenticationError(
        'Argo CD rejected the token (401). A static token cannot be renewed: create a new one (argocd account generate-token) or configure username/password.',
        { status: 401 },
      );
    }
    if (this.#loginRefused) {
      throw new AuthenticationError(
        'Argo CD rejected the credentials earlier; not logging in again automatically (Argo CD locks accounts after repeated failures). Call session.login() with corrected credentials.',
        { status: 401 },
      );
    }
    this.#logger.debug('argocd: token rejected with 401, logging in again once');
    this.#token = undefined;
    return this.#sharedLogin(signal);
  };

  #sharedLogin(signal: AbortSignal | undefined): Promise<string> {
    if (this.#pendingLogin) return this.#pendingLogin;
    const credentials = this.#credentials;
    const login = this.#login;
    if (!credentials || !login) {
      return Promise.reject(new AuthenticationError('No Argo CD credentials are configured.', {}));
    }
    if (this.#loginRefused) {
      return Promise.reject(
        new AuthenticationError('Argo CD refused the configured credentials; not retrying automatically.', {
          status: 401,
        }),
      );
    }
    this.#pendingLogin = login(credentials, signal)
      .then((token) => {
        this.setToken(token);
        return token;
      })
      .catch((error: unknown) => {
        if (AuthenticationError.isInstance(error) || (error as { status?: number }).status === 401) {
          this.#loginRefused = true;
        }
        throw error;
      })
      .finally(() => {
        this.#pendingLogin = undefined;
      });
    return this.#pendingLogin;
  }
}
