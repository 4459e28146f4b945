import type { Logger } from '@gitops-kit/core';
import type { CliIo } from './cli-io.js';
import { createCliLogger } from './cli-logger.js';
import { type FlagValues, stringValue } from './framework/parse-flags.js';
import { ProgressPrinter, progressModeFor } from './progress-printer.js';

/** Formats whose stdout a program reads: nothing but the document goes there, and no progress on stderr. */
const MACHINE_FORMATS = new Set(['json', 'mermaid']);

/** What a command prints and how: the output format, the logger, the progress printer. */
export interface OutputSettings {
  format: string;
  logger: Logger;
  printer: ProgressPrinter;
  /** Stops the spinner and the HTTP trace. */
  close(): void;
}

/** Reads `-o`, `-q` and `--verbose` into the command's output settings. */
export function outputSettings(values: FlagValues, io: CliIo, fallback = 'text'): OutputSettings {
  const format = stringValue(values, 'output') ?? fallback;
  const machine = MACHINE_FORMATS.has(format);
  const quiet = values.quiet === true || machine;
  const { logger, close } = createCliLogger(io, { quiet, verbose: values.verbose === true });
  const printer = new ProgressPrinter(io, progressModeFor(io, { quiet, machineOutput: machine }));
  return {
    format,
    logger,
    printer,
    close: () => {
      printer.close();
      close();
    },
  };
}
