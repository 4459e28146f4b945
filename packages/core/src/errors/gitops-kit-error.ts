import { type InspectOptions, inspect } from 'node:util';
import { defaultRedactor } from '../redaction/redactor.js';

const ERROR_BRAND = Symbol.for('gitops-kit.error');
const ERROR_KINDS = Symbol.for('gitops-kit.error.kinds');
const MAXIMUM_CAUSE_DEPTH = 8;

/** Options every gitops-kit error accepts. */
export interface GitOpsKitErrorOptions {
  /** A stable, machine-readable code such as `HTTP_ERROR` or `PUSH_CONFLICT`. */
  code?: string;
  /** Whether repeating the same call may succeed. */
  retryable?: boolean;
  /** The error that led to this one. Foreign errors are copied with their text redacted. */
  cause?: unknown;
}

type ErrorClass = { readonly kind: string; readonly prototype: object };

/**
 * Copies a foreign error (or anything thrown) into a plain `Error` whose message and stack are redacted, keeping
 * `name`, `code`, `errno` and `syscall`, recursively for its own `cause`. Our own errors are already redacted.
 */
export function sanitizeCause(cause: unknown, depth = 0): unknown {
  if (cause === undefined || cause === null) return cause;
  if (GitOpsKitError.isInstance(cause)) return cause;
  if (depth >= MAXIMUM_CAUSE_DEPTH) return undefined;
  if (cause instanceof Error || (typeof cause === 'object' && 'message' in cause)) {
    const source = cause as Error & { code?: unknown; errno?: unknown; syscall?: unknown; cause?: unknown };
    const copy = new Error(defaultRedactor.redact(String(source.message ?? '')));
    copy.name = typeof source.name === 'string' ? source.name : 'Error';
    copy.stack = defaultRedactor.redact(
      typeof source.stack === 'string' ? source.stack : `${copy.name}: ${copy.message}`,
    );
    const extra = copy as Error & Record<string, unknown>;
    if (typeof source.code === 'string' || typeof source.code === 'number') extra.code = source.code;
    if (typeof source.errno === 'number' || typeof source.errno === 'string') extra.errno = source.errno;
    if (typeof source.syscall === 'string') extra.syscall = source.syscall;
    if (source.cause !== undefined) {
      Object.defineProperty(copy, 'cause', {
        value: sanitizeCause(source.cause, depth + 1),
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return defaultRedactor.redact(String(cause));
}

/**
 * The base class of every error the SDK throws.
 *
 * - `code` is stable and documented; switch on it rather than on messages.
 * - `retryable` says whether repeating the call may succeed.
 * - Messages, stacks and causes are redacted when the error is built, so nothing later can leak a secret.
 * - `GitOpsKitError.isInstance(e)` (and `instanceof`) work across duplicate installs of the package, through a
 *   `Symbol.for` brand, as undici and the AWS SDK do. `HttpError.isInstance(e)` checks the subclass the same way.
 *
 * @example
 * ```ts
 * try { await client.applications.get('demo'); }
 * catch (error) { if (GitOpsKitError.isInstance(error) && error.retryable) scheduleRetry(); else throw error; }
 * ```
 */
export class GitOpsKitError extends Error {
  /** The name the brand check uses for this class; every subclass sets its own. */
  static readonly kind: string = 'GitOpsKitError';

  /** A stable, machine-readable code. */
  readonly code: string;
  /** Whether repeating the same call may succeed. */
  readonly retryable: boolean;
  declare readonly [ERROR_BRAND]: true;
  declare readonly [ERROR_KINDS]: readonly string[];

  constructor(message: string, options: GitOpsKitErrorOptions = {}) {
    const cause = sanitizeCause(options.cause);
    super(defaultRedactor.redact(message), cause === undefined ? undefined : { cause });
    const kinds: string[] = [];
    for (let current: unknown = new.target; current && current !== Function.prototype; ) {
      const kind = (current as ErrorClass).kind;
      if (typeof kind === 'string' && !kinds.includes(kind)) kinds.push(kind);
      current = Object.getPrototypeOf(current);
    }
    Object.defineProperty(this, ERROR_BRAND, { value: true, enumerable: false });
    Object.defineProperty(this, ERROR_KINDS, { value: Object.freeze(kinds), enumerable: false });
    this.name = (new.target as unknown as ErrorClass).kind;
    this.code = options.code ?? 'GITOPS_KIT_ERROR';
    this.retryable = options.retryable ?? false;
    if (typeof this.stack === 'string') this.stack = defaultRedactor.redact(this.stack);
  }

  /** Whether `value` is a gitops-kit error of this class (or a subclass), even from another copy of the package. */
  static isInstance<T extends typeof GitOpsKitError>(this: T, value: unknown): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    const branded = value as { [ERROR_BRAND]?: unknown; [ERROR_KINDS]?: unknown };
    if (branded[ERROR_BRAND] !== true) return false;
    const kinds = branded[ERROR_KINDS];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the check was called on.
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }

  /** Makes `instanceof` use the brand, so it works across duplicate installs. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`.
    return GitOpsKitError.isInstance.call(this as typeof GitOpsKitError, value);
  }

  /**
   * Deep-redacts every own field in place (our own errors nested in a field are kept: they are redacted already).
   * A subclass calls it at the end of its constructor when a field may hold text from elsewhere (a server's
   * message, `details`, a Kubernetes Status), so that property access is as clean as `toJSON` and `util.inspect`.
   */
  protected redactOwnFields(): void {
    const fields = this as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(this)) {
      if (typeof value === 'string') fields[key] = defaultRedactor.redact(value);
      else if (typeof value === 'object' && value !== null && !GitOpsKitError.isInstance(value)) {
        fields[key] = defaultRedactor.redactValue(value);
      }
    }
  }

  /**
   * A JSON form without secrets: every own field (deep-redacted again, so a secret registered after the error was
   * built is removed too), name, code, retryable, message and the cause chain.
   */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this)) json[key] = defaultRedactor.redactValue(value);
    json.name = this.name;
    json.code = this.code;
    json.retryable = this.retryable;
    json.message = defaultRedactor.redact(this.message);
    if (this.cause !== undefined) {
      json.cause =
        this.cause instanceof Error
          ? GitOpsKitError.isInstance(this.cause)
            ? this.cause.toJSON()
            : { name: this.cause.name, message: defaultRedactor.redact(String(this.cause.message)) }
          : defaultRedactor.redactValue(this.cause);
    }
    return json;
  }

  /**
   * What `util.inspect` (and so `console.log`) shows: the redacted stack and every own field deep-redacted, the
   * cause chain included. Node would otherwise print own fields as they are.
   */
  [inspect.custom](depth: number, options: InspectOptions, inspectValue: typeof inspect = inspect): string {
    if (depth < 0) return `[${this.name}: ${defaultRedactor.redact(this.message)}]`;
    const view = new Error(defaultRedactor.redact(this.message));
    Object.defineProperty(view, 'name', { value: this.name, enumerable: false, configurable: true });
    view.stack = defaultRedactor.redact(this.stack ?? `${this.name}: ${this.message}`);
    for (const [key, value] of Object.entries(this)) {
      if (key === 'name') continue;
      (view as unknown as Record<string, unknown>)[key] = defaultRedactor.redactValue(value);
    }
    if (this.cause !== undefined) {
      Object.defineProperty(view, 'cause', {
        // Causes are sanitized when the error is built (foreign errors become redacted copies; ours redact themselves).
        value: this.cause instanceof Error ? this.cause : defaultRedactor.redactValue(this.cause),
        enumerable: false,
        configurable: true,
      });
    }
    return inspectValue(view, { ...options, depth: options.depth === null ? null : depth });
  }
}
