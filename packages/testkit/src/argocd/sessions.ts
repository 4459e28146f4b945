import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { GrpcCode, rpcError } from './grpc-status.js';

/** Who a request acts as, after authentication. */
export interface EmulatorPrincipal {
  /** JWT `sub`: `admin:login`, `ci:apiKey` or `proj:<project>:<role>`. */
  subject: string;
  username: string;
  capability: 'login' | 'apiKey' | 'project';
  project?: string;
  role?: string;
  tokenId: string;
  issuedAtSeconds: number;
  expiresAtSeconds?: number;
}

/** The claims of a token the emulator issued. */
interface TokenClaims {
  iss: string;
  sub: string;
  iat: number;
  nbf: number;
  exp?: number;
  jti: string;
}

/** Settings for {@link SessionManager}. */
export interface SessionManagerOptions {
  /** Lifetime of `POST /api/v1/session` tokens (Argo CD `users.session.duration`, default 24 h). */
  sessionDurationMs: number;
  /** Login tokens with less than this left are renewed (Argo CD `autoRegenerateTokenDuration`, 5 min). */
  renewBeforeExpiryMs: number;
  /** Failed logins per username tolerated inside `loginFailureWindowMs` (Argo CD default 5 per 300 s). */
  maxLoginFailures: number;
  loginFailureWindowMs: number;
  /** Checks that a project role token is still listed in the project's status (revocation). */
  isProjectTokenValid: (project: string, role: string, issuedAtSeconds: number, id: string) => boolean;
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/**
 * Issues and verifies the emulator's HS256 JWTs: login sessions with expiry and renewal, account API keys and
 * project role tokens. Mirrors util/session/sessionmanager.go: `sub` carries `<account>:<capability>`, expired
 * tokens fail with "token is expired", revoked ids with "token is revoked, please re-login".
 */
export class SessionManager {
  private readonly signingKey = randomBytes(32);
  private readonly accounts = new Map<string, { password: string; enabled: boolean }>();
  private readonly revokedTokenIds = new Set<string>();
  private readonly loginFailures = new Map<string, number[]>();
  /** Ids of tokens issued so far; `expireAllTokens` moves them to `forcedExpiredIds`. */
  private readonly issuedIds = new Set<string>();
  private readonly forcedExpiredIds = new Set<string>();
  loginRequestCount = 0;

  constructor(private readonly options: SessionManagerOptions) {}

  setAccount(username: string, password: string, enabled = true): void {
    this.accounts.set(username, { password, enabled });
    this.loginFailures.delete(username);
  }

  hasAccount(username: string): boolean {
    return this.accounts.has(username);
  }

  /** `POST /api/v1/session`. */
  login(username: string | undefined, password: string | undefined, now: number): string {
    this.loginRequestCount += 1;
    if (!username || !password) throw rpcError(GrpcCode.Unauthenticated, 'no credentials supplied');
    const windowStart = now - this.options.loginFailureWindowMs;
    const failures = (this.loginFailures.get(username) ?? []).filter((at) => at > windowStart);
    const account = this.accounts.get(username);
    // Once the failure budget is spent even a correct password is refused until the window slides.
    if (
      failures.length >= this.options.maxLoginFailures ||
      !account ||
      !account.enabled ||
      !this.safeEqual(account.password, password)
    ) {
      failures.push(now);
      this.loginFailures.set(username, failures);
      throw rpcError(GrpcCode.Unauthenticated, 'Invalid username or password');
    }
    this.loginFailures.delete(username);
    return this.issue(`${username}:login`, now, this.options.sessionDurationMs);
  }

  /** Issues a token for `sub`; `lifetimeMs` 0 means it never expires (API keys and role tokens allow this). */
  issue(subject: string, now: number, lifetimeMs: number, tokenId: string = randomUUID()): string {
    const issuedAt = Math.floor(now / 1000);
    const claims: TokenClaims = { iss: 'argocd', sub: subject, iat: issuedAt, nbf: issuedAt, jti: tokenId };
    this.issuedIds.add(tokenId);
    if (lifetimeMs > 0) claims.exp = issuedAt + Math.max(1, Math.ceil(lifetimeMs / 1000));
    const unsigned = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
    return `${unsigned}.${this.sign(unsigned)}`;
  }

  /** Decodes and checks a token. Returns the principal and, for login tokens near expiry, a renewed token. */
  verify(token: string, now: number): { principal: EmulatorPrincipal; renewedToken?: string } {
    const claims = this.decode(token);
    const nowSeconds = Math.floor(now / 1000);
    if ((claims.exp !== undefined && claims.exp <= nowSeconds) || this.forcedExpiredIds.has(claims.jti)) {
      throw rpcError(GrpcCode.Unauthenticated, 'invalid session: token has invalid claims: token is expired');
    }
    if (this.revokedTokenIds.has(claims.jti)) {
      throw rpcError(GrpcCode.Unauthenticated, 'invalid session: token is revoked, please re-login');
    }
    const principal = this.toPrincipal(claims);
    if (principal.capability === 'project') {
      const valid = this.options.isProjectTokenValid(
        principal.project ?? '',
        principal.role ?? '',
        claims.iat,
        claims.jti,
      );
      if (!valid)
        throw rpcError(GrpcCode.Unauthenticated, 'invalid session: token is revoked, please re-login');
    } else if (!this.accounts.get(principal.username)?.enabled) {
      throw rpcError(GrpcCode.Unauthenticated, `invalid session: account ${principal.username} is disabled`);
    }
    if (
      principal.capability === 'login' &&
      claims.exp !== undefined &&
      (claims.exp - nowSeconds) * 1000 < this.options.renewBeforeExpiryMs
    ) {
      const lifetimeMs = (claims.exp - claims.iat) * 1000;
      return { principal, renewedToken: this.issue(claims.sub, now, lifetimeMs) };
    }
    return { principal };
  }

  /** Makes every token issued so far fail as expired; tokens issued afterwards (new logins) work. */
  expireAllTokens(): void {
    for (const id of this.issuedIds) this.forcedExpiredIds.add(id);
    this.issuedIds.clear();
  }

  revokeToken(token: string): void {
    this.revokedTokenIds.add(this.decode(token).jti);
  }

  private toPrincipal(claims: TokenClaims): EmulatorPrincipal {
    const base = { subject: claims.sub, tokenId: claims.jti, issuedAtSeconds: claims.iat };
    const withExpiry = claims.exp === undefined ? base : { ...base, expiresAtSeconds: claims.exp };
    if (claims.sub.startsWith('proj:')) {
      const [, project = '', role = ''] = claims.sub.split(':');
      return { ...withExpiry, username: claims.sub, capability: 'project', project, role };
    }
    const separator = claims.sub.lastIndexOf(':');
    const username = separator > 0 ? claims.sub.slice(0, separator) : claims.sub;
    const capability = claims.sub.slice(separator + 1) === 'apiKey' ? 'apiKey' : 'login';
    return { ...withExpiry, username, capability };
  }

  private decode(token: string): TokenClaims {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature || !this.safeEqual(this.sign(`${header}.${payload}`), signature)) {
      throw rpcError(GrpcCode.Unauthenticated, 'invalid session: token signature is invalid');
    }
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      throw rpcError(GrpcCode.Unauthenticated, 'invalid session: token is malformed');
    }
  }

  private sign(unsigned: string): string {
    return createHmac('sha256', this.signingKey).update(unsigned).digest('base64url');
  }

  private safeEqual(expected: string, actual: string): boolean {
    const a = Buffer.from(expected);
    const b = Buffer.from(actual);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
