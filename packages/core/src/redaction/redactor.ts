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

/**
 * `scheme://user:password@host` and `scheme://token@host`, also in text that is not a valid URL (`ht!tp://a:b@[x`,
 * `https://host//a:b@x` after a bad scheme was taken for a host): anything after `//` up to an `@` is userinfo.
 * The password part may hold `/` and `:` (a malformed URL does not percent-encode them), except where it reads as a
 * port followed by a path (`//host:8080/a@b` is a host, not credentials).
 */
const URL_USERINFO_PATTERN = /(\/\/)([^/\s:@"'<>]+)(?::((?!\d*\/)[^\s@"'<>]*))?@/gi;

/** `Bearer <token>` anywhere in text, with or without an `Authorization` name before it. */
const BEARER_PATTERN = /(\bbearer\s+)([A-Za-z0-9._~+/=-]{4,})/gi;

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
      (_match, slashes: string, _user: string, password?: string) =>
        password === undefined ? `${slashes}${REDACTED}@` : `${slashes}${REDACTED}:${REDACTED}@`,
    );
    result = result.replace(AUTHORIZATION_PATTERN, (_match, prefix: string) => `${prefix}${REDACTED}`);
    result = result.replace(BEARER_PATTERN, (match, prefix: string, value: string) =>
      value.startsWith('[REDACTED') ? match : `${prefix}${REDACTED}`,
    );
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

  /**
   * Returns a deep copy of any value with every string redacted: arrays and plain objects are copied (at most
   * {@link MAXIMUM_REDACTION_DEPTH} levels, cycles become `[Circular]`), values under credential-like keys
   * (`password`, `token`, `authorization`…) are replaced whole, errors become `{ name, message }` (a value with
   * its own `toJSON` is redacted in that form), and numbers, booleans, `null` and `undefined` pass unchanged.
   * Used for every field of every SDK error, so free-form server text (`details`, `serverMessage`) cannot leak.
   *
   * @example
   * ```ts
   * new Redactor().redactValue({ headers: { authorization: 'Bearer x1y2z3' } }); // { headers: { authorization: '[REDACTED]' } }
   * ```
   */
  redactValue(value: unknown): unknown {
    return this.#redactValue(value, 0, new WeakSet());
  }

  #redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value === 'bigint') return this.redact(String(value));
    if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAXIMUM_REDACTION_DEPTH) return '[Truncated]';
    if (value instanceof Date) return value;
    if (value instanceof URL) return this.redactUrl(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
    seen.add(value);
    try {
      const withToJson = value as { toJSON?: unknown };
      if (typeof withToJson.toJSON === 'function') {
        return this.#redactValue((withToJson.toJSON as () => unknown).call(value), depth + 1, seen);
      }
      if (value instanceof Error) {
        return { name: value.name, message: this.redact(String(value.message)) };
      }
      if (Array.isArray(value)) return value.map((item) => this.#redactValue(item, depth + 1, seen));
      if (value instanceof Map) {
        return Object.fromEntries(
          [...value].map(([key, item]) => [String(key), this.#redactEntry(String(key), item, depth, seen)]),
        );
      }
      if (value instanceof Set) return [...value].map((item) => this.#redactValue(item, depth + 1, seen));
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) copy[key] = this.#redactEntry(key, item, depth, seen);
      return copy;
    } finally {
      seen.delete(value);
    }
  }

  #redactEntry(key: string, item: unknown, depth: number, seen: WeakSet<object>): unknown {
    if (typeof item === 'string' && item !== '' && isSensitiveFieldName(key)) return REDACTED;
    return this.#redactValue(item, depth + 1, seen);
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

/** How deep {@link Redactor.redactValue} copies nested objects before it stops with `[Truncated]`. */
export const MAXIMUM_REDACTION_DEPTH = 12;

/** Object keys whose string values are credentials wherever they appear (error details, echoed requests). */
const SENSITIVE_FIELD_PATTERN =
  /^(?:password|passwd|pwd|secret|client[_-]?secret|token|auth[_-]?token|access[_-]?token|refresh[_-]?token|id[_-]?token|bearer[_-]?token|api[_-]?key|private[_-]?key|passphrase|authorization|proxy-authorization|cookie|set-cookie)$/i;

/**
 * Whether an object key names a credential (`password`, `token`, `authorization`, `client_secret`…).
 *
 * @example
 * ```ts
 * isSensitiveFieldName('client_secret'); // true
 * ```
 */
export function isSensitiveFieldName(name: string): boolean {
  return SENSITIVE_FIELD_PATTERN.test(name) || SENSITIVE_HEADER_NAMES.has(name.toLowerCase());
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

/**
 * Deep-redacts any value with {@link defaultRedactor} (see {@link Redactor.redactValue}).
 *
 * @example
 * ```ts
 * redactValue({ note: 'Authorization: Bearer abc123', password: 'hunter22' });
 * // { note: 'Authorization: Bearer [REDACTED]', password: '[REDACTED]' }
 * ```
 */
export function redactValue(value: unknown): unknown {
  return defaultRedactor.redactValue(value);
}

/** Redacts a URL with {@link defaultRedactor}. */
export function redactUrl(url: string | URL): string {
  return defaultRedactor.redactUrl(url);
}
