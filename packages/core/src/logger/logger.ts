import { defaultRedactor } from '../redaction/redactor.js';

/** The logger every gitops-kit client accepts. Compatible with `console`, pino and winston. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const noop = (): void => {};

/** Debug and info are silent; warnings and errors go to the console (the octokit default). */
export const defaultLogger: Logger = Object.freeze({
  debug: noop,
  info: noop,
  warn: (message: string, ...details: unknown[]) => console.warn(message, ...details),
  error: (message: string, ...details: unknown[]) => console.error(message, ...details),
});

/** A logger that says nothing at all. */
export const silentLogger: Logger = Object.freeze({ debug: noop, info: noop, warn: noop, error: noop });

function redactDetail(detail: unknown): unknown {
  if (detail instanceof Error) {
    return defaultRedactor.redact(detail.stack ?? `${detail.name}: ${detail.message}`);
  }
  // Deep copy with every string redacted; nothing below a depth limit is passed on unredacted.
  return defaultRedactor.redactValue(detail);
}

/**
 * Wraps a logger so every message and detail passes through the redactor first. Clients wrap the logger they are
 * given with this, so a user's logger never sees a secret.
 */
export function createRedactingLogger(logger: Logger = defaultLogger): Logger {
  const wrap =
    (level: keyof Logger) =>
    (message: string, ...details: unknown[]): void => {
      logger[level](
        defaultRedactor.redact(String(message)),
        ...details.map((detail) => redactDetail(detail)),
      );
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
