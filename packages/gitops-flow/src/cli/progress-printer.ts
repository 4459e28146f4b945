import type { PromotionEvent } from '../promote/promotion-events.js';
import { type CliIo, printError } from './cli-io.js';
import { formatDurationMs } from './duration.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Prints promotion events to stderr: on a TTY a live line with a spinner for the running step, in CI logs plain
 * lines (a progress line only when what it says changes, so logs stay short).
 */
export class ProgressPrinter {
  readonly #io: CliIo;
  readonly #interactive: boolean;
  #lastProgress = '';
  #spinnerIndex = 0;
  #liveLine = false;

  constructor(io: CliIo) {
    this.#io = io;
    this.#interactive = io.stderr.isTTY === true && io.env.CI !== 'true' && io.env.TERM !== 'dumb';
  }

  readonly handle = (event: PromotionEvent): void => {
    if (event.type === 'step') {
      const symbol =
        event.status === 'started'
          ? '▸'
          : event.status === 'succeeded'
            ? '✓'
            : event.status === 'skipped'
              ? '–'
              : '✗';
      const took = event.durationMs !== undefined ? ` (${formatDurationMs(event.durationMs)})` : '';
      this.#line(`${symbol} ${event.step}: ${event.message}${event.status === 'started' ? '' : took}`);
      return;
    }
    if (event.type === 'warning') {
      this.#line(`! ${event.message}`);
      return;
    }
    const pending = event.pending
      .slice(0, 3)
      .map((resource) =>
        `${resource.kind}/${resource.name} ${resource.healthStatus ?? resource.syncStatus ?? ''}`.trim(),
      )
      .join(', ');
    const text = `  ${event.step}: sync=${event.syncStatus ?? '?'} health=${event.healthStatus ?? '?'} operation=${event.operationPhase ?? 'none'}${pending ? ` · waiting on ${pending}` : ''}`;
    if (this.#interactive) {
      const spinner = SPINNER[this.#spinnerIndex++ % SPINNER.length];
      this.#io.stderr.write(`\r\u001b[2K${spinner}${text.slice(1)}`);
      this.#liveLine = true;
    } else if (text !== this.#lastProgress) {
      printError(this.#io, text);
    }
    this.#lastProgress = text;
  };

  #line(text: string): void {
    if (this.#liveLine) {
      this.#io.stderr.write('\r\u001b[2K');
      this.#liveLine = false;
    }
    printError(this.#io, text);
  }
}
