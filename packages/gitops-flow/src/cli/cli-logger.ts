import { createRedactingLogger, type Logger } from '@gitops-kit/core';
import { type CliIo, printError } from './cli-io.js';
import { traceHttpRequests } from './framework/http-trace.js';

/** The verbosity a command was asked for. */
export interface Verbosity {
  quiet: boolean;
  verbose: boolean;
}

/**
 * The CLI's logger: warnings on stderr (not with `-q`), debug lines only with `--verbose`, everything through the
 * redactor. With `--verbose` it also traces HTTP requests; `close()` stops that.
 */
export function createCliLogger(io: CliIo, verbosity: Verbosity): { logger: Logger; close: () => void } {
  const write = (prefix: string) => (message: string) => printError(io, `${prefix}${message}`);
  const noop = (): void => {};
  const logger = createRedactingLogger({
    debug: verbosity.verbose ? write('debug: ') : noop,
    info: verbosity.verbose ? write('info: ') : noop,
    warn: verbosity.quiet ? noop : write('warning: '),
    error: write('error: '),
  });
  const stopTrace = verbosity.verbose ? traceHttpRequests(write('http: ')) : noop;
  return { logger, close: stopTrace };
}
