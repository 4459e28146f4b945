import type { ZodType, z } from 'zod';
import { ResponseParseError } from '../errors/transport-errors.js';
import { safeJsonParse } from '../http/safe-json-parse.js';
import { parseWithSchema } from '../validation/parse-with-schema.js';
import type { ByteSource } from './byte-source.js';
import { type ReadLinesOptions, readLines } from './read-lines.js';

/** Options of {@link readNdjsonLines}. */
export interface ReadNdjsonOptions extends ReadLinesOptions {
  /** Validates every value; the iterator's type follows the schema. */
  schema?: ZodType | undefined;
}

/**
 * Reads newline-delimited JSON (a Kubernetes watch, for example): one JSON value per line, blank lines skipped,
 * each parsed without prototype pollution and optionally validated.
 *
 * @throws {ResponseParseError} when a line is not JSON (the message names the line number, never its content).
 * @throws {ResponseValidationError} when a value does not match `schema`.
 * @throws {ResponseTooLargeError} when a line exceeds `maxLineBytes`.
 * @throws {AbortError} when `signal` aborts.
 * @example
 * ```ts
 * for await (const event of readNdjsonLines(stream.body, { signal, schema: watchEventSchema })) apply(event);
 * ```
 */
export function readNdjsonLines<Schema extends ZodType>(
  source: ByteSource,
  options: ReadNdjsonOptions & { schema: Schema },
): AsyncGenerator<z.output<Schema>>;
export function readNdjsonLines(source: ByteSource, options?: ReadNdjsonOptions): AsyncGenerator<unknown>;
export async function* readNdjsonLines(
  source: ByteSource,
  options: ReadNdjsonOptions = {},
): AsyncGenerator<unknown> {
  let lineNumber = 0;
  for await (const line of readLines(source, options)) {
    lineNumber++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = safeJsonParse(line);
    } catch {
      throw new ResponseParseError(`NDJSON line ${lineNumber} is not valid JSON`, {
        contentType: 'application/x-ndjson',
      });
    }
    yield options.schema ? parseWithSchema(options.schema, value, `NDJSON line ${lineNumber}`) : value;
  }
}
