/** The text that stands in for a removed secret. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not registered: redacting "a" or "1" would mangle every message. */
const MINIMUM_SECRET_LENGTH = 4;

/** Header names whose values are credentials. */
const SENSITIVE_HEADER_NAMES = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-gitlab-token',
  'x-hub-signature',
  'x-hub-signature-256',
  'grpc-metadata-renew-token',
  'x-api-key',
]);

/** Query parameters whose values are credentials (matched case-insensitively, also as suffixes like `_token`). */
const SENSITIVE_QUERY_PATTERN =
  /([?&;](?:[\w.-]*(?:token|secret|password|passwd|pwd|apikey|api_key|access_key|signature|sig|auth|code|key|credential)[\w.-]*)=)([^&#\s"'<>]+)/gi;

/** `scheme://user:password@host` and `scheme://token@host`. */
const URL_USERINFO_PATTERN = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@"'<>]+)(?::([^/\s@"'<>]*))?@/gi;

/** `Authorization: Bearer x`, `authorization=Basic x`, `"Authorization":"Bearer x"` in free text. */
const AUTHORIZATION_PATTERN =
  /((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|negotiate|digest)?\s*)([^\s"',;]+)/gi;

/** `Cookie: a=b; c=d` / `Set-Cookie: argocd.token=...` in free text. */
const COOKIE_PATTERN = /((?:set-)?cookie["']?\s*[:=]\s*["']?)([^\r\n"']+)/gi;

/** JSON-ish `"password": "x"` / `password=x` / `token: x` pairs. */
const KEY_VALUE_PATTERN =
  /((?:["']?)(?:password|passwd|secret|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?secret|private[_-]?key|ssh[_-]?private[_-]?key|bearer[_-]?token)["']?\s*[:=]\s*["']?)([^\s"',;&}]+)/gi;

/** A JSON Web Token anywhere in text. */
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\b/g;

function escapeForRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes secrets from text: every registered secret (and its URL- and base64-encoded forms) plus the patterns
 * that carry credentials in HTTP traffic (Authorization and Cookie headers, URL userinfo, token-like query
 * parameters, `password: x` pairs, JSON Web Tokens).
 *
 * One process-wide instance, {@link defaultRedactor}, is used by every error and log line the SDK produces; a
 * client registers the secrets it is given (passwords, tokens) there when it is constructed.
 *
 * @example
 * ```ts
 * const redactor = new Redactor();
 * redactor.addSecret('s3cr3t-token');
 * redactor.redact('GET https://u:s3cr3t-token@example.com'); // 'GET https://[REDACTED]:[REDACTED]@example.com'
 * ```
 */
export class Redactor {
  readonly #secrets = new Set<string>();
  #secretPattern: RegExp | undefined;

  /** Registers a secret; every later redaction removes it and its encoded forms. Short strings are ignored. */
  addSecret(secret: string | undefined | null): void {
    if (typeof secret !== 'string') return;
    const trimmed = secret.trim();
    if (trimmed.length < MINIMUM_SECRET_LENGTH) return;
    const forms = new Set([trimmed, secret]);
    forms.add(encodeURIComponent(trimmed));
    forms.add(Buffer.from(trimmed, 'utf8').toString('base64'));
    forms.add(Buffer.from(trimmed, 'utf8').toString('base64url'));
    let added = false;
    for (const form of forms) {
      if (form.length >= MINIMUM_SECRET_LENGTH && !this.#secrets.has(form)) {
        this.#secrets.add(form);
        added = true;
      }
    }
    if (added) this.#secretPattern = undefined;
  }

  /** Registers several secrets at once. */
  addSecrets(secrets: Iterable<string | undefined | null>): void {
    for (const secret of secrets) this.addSecret(secret);
  }

  /** Forgets a secret registered earlier (and its encoded forms). */
  removeSecret(secret: string): void {
    const trimmed = secret.trim();
    for (const form of [
      trimmed,
      secret,
      encodeURIComponent(trimmed),
      Buffer.from(trimmed, 'utf8').toString('base64'),
      Buffer.from(trimmed, 'utf8').toString('base64url'),
    ]) {
      this.#secrets.delete(form);
    }
    this.#secretPattern = undefined;
  }

  /** Whether the text contains a registered secret (in any encoded form). */
  containsSecret(text: string): boolean {
    const pattern = this.#pattern();
    if (!pattern) return false;
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  /** Returns the text with every registered secret and every credential pattern replaced by `[REDACTED]`. */
  redact(text: string): string {
    if (text.length === 0) return text;
    let result = text;
    const pattern = this.#pattern();
    if (pattern) {
      pattern.lastIndex = 0;
      result = result.replace(pattern, REDACTED);
    }
    result = result.replace(
      URL_USERINFO_PATTERN,
      (_match, scheme: string, _user: string, password?: string) =>
        password === undefined ? `${scheme}${REDACTED}@` : `${scheme}${REDACTED}:${REDACTED}@`,
    );
    result = result.replace(AUTHORIZATION_PATTERN, (_match, prefix: string) => `${prefix}${REDACTED}`);
    result = result.replace(COOKIE_PATTERN, (_match, prefix: string) => `${prefix}${REDACTED}`);
    result = result.replace(SENSITIVE_QUERY_PATTERN, (_match, prefix: string) => `${prefix}${REDACTED}`);
    result = result.replace(KEY_VALUE_PATTERN, (match, prefix: string, value: string) =>
      value === REDACTED || value.startsWith('[REDACTED') ? match : `${prefix}${REDACTED}`,
    );
    result = result.replace(JWT_PATTERN, REDACTED);
    return result;
  }

  /**
   * Returns a URL string safe to show: no userinfo, sensitive query parameter values replaced, registered secrets
   * removed. Accepts anything `new URL()` accepts; text that is not a URL is redacted as text.
   */
  redactUrl(url: string | URL): string {
    let parsed: URL;
    try {
      parsed = new URL(String(url));
    } catch {
      return this.redact(String(url));
    }
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? REDACTED : '';
      parsed.password = parsed.password ? REDACTED : '';
    }
    for (const key of [...parsed.searchParams.keys()]) {
      if (isSensitiveQueryName(key)) parsed.searchParams.set(key, REDACTED);
    }
    return this.redact(parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED));
  }

  /** Returns a copy of the headers with credential values replaced. Header names are kept. */
  redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
    const copy: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      if (SENSITIVE_HEADER_NAMES.has(name.toLowerCase())) {
        copy[name] = Array.isArray(value) ? value.map(() => REDACTED) : REDACTED;
      } else {
        copy[name] = Array.isArray(value) ? value.map((item) => this.redact(item)) : this.redact(value);
      }
    }
    return copy;
  }

  #pattern(): RegExp | undefined {
    if (this.#secrets.size === 0) return undefined;
    if (!this.#secretPattern) {
      // Longest first, so a secret that contains another is removed whole.
      const alternatives = [...this.#secrets].sort((a, b) => b.length - a.length).map(escapeForRegExp);
      this.#secretPattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this.#secretPattern;
  }
}

/** Whether a query parameter name carries a credential (`token`, `access_token`, `password`, `X-Amz-Signature`…). */
export function isSensitiveQueryName(name: string): boolean {
  return /(token|secret|password|passwd|pwd|apikey|api_key|access_key|signature|credential)/i.test(name);
}

/** Whether a header name carries a credential. */
export function isSensitiveHeaderName(name: string): boolean {
  return SENSITIVE_HEADER_NAMES.has(name.toLowerCase());
}

/** The process-wide redactor used by every error and log line of the SDK. */
export const defaultRedactor: Redactor = new Redactor();

/** Registers secrets with {@link defaultRedactor}. Clients call this with every credential they are given. */
export function registerSecret(...secrets: Array<string | undefined | null>): void {
  defaultRedactor.addSecrets(secrets);
}

/** Redacts text with {@link defaultRedactor}. */
export function redact(text: string): string {
  return defaultRedactor.redact(text);
}

/** Redacts a URL with {@link defaultRedactor}. */
export function redactUrl(url: string | URL): string {
  return defaultRedactor.redactUrl(url);
}
