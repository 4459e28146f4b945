import type { PromotionEvent } from '../promote/promotion-events.js';
import { type CliIo, printError } from './cli-io.js';
import { formatDurationMs } from './duration.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\u001b[2K';

/** How progress is shown: a live spinner line (terminal), plain lines (logs), or not at all (`-q`, `-o json`). */
export type ProgressMode = 'live' | 'plain' | 'off';

/** The mode for stderr: live only on a real terminal outside CI, like argocd's and kubectl's progress output. */
export function progressModeFor(
  io: CliIo,
  options: { quiet: boolean; machineOutput: boolean },
): ProgressMode {
  if (options.quiet || options.machineOutput) return 'off';
  const terminal = io.stderr.isTTY === true && io.env.CI !== 'true' && io.env.TERM !== 'dumb';
  return terminal ? 'live' : 'plain';
}

/**
 * Prints promotion events to stderr. Live mode keeps one line for the running step with a spinner and its elapsed
 * time, redrawn every 100 ms whether or not the server says anything (as `argocd app wait` does), and replaces it
 * with a ✓/✗ line when the step ends. Plain mode prints a line when a step starts or ends and a progress line only
 * when what it says changes, so CI logs stay short.
 */
export class ProgressPrinter {
  readonly #io: CliIo;
  readonly #mode: ProgressMode;
  readonly #now: () => number;
  #lastProgress = '';
  #spinnerIndex = 0;
  #live: { text: string; since: number } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(io: CliIo, mode: ProgressMode, now: () => number = () => performance.now()) {
    this.#io = io;
    this.#mode = mode;
    this.#now = now;
  }

  readonly handle = (event: PromotionEvent): void => {
    if (this.#mode === 'off') return;
    if (event.type === 'step') {
      if (event.status === 'started') {
        if (this.#mode === 'live') this.#startLive(`${event.step}: ${event.message}`);
        else this.#line(`▸ ${event.step}: ${event.message}`);
        return;
      }
      const symbol = event.status === 'succeeded' ? '✓' : event.status === 'skipped' ? '–' : '✗';
      const took =
        event.durationMs !== undefined && event.status !== 'skipped'
          ? ` (${formatDurationMs(event.durationMs)})`
          : '';
      this.#line(`${symbol} ${event.step}: ${event.message}${took}`);
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
    const text = `${event.step}: sync=${event.syncStatus ?? '?'} health=${event.healthStatus ?? '?'} operation=${event.operationPhase ?? 'none'}${pending ? ` · waiting on ${pending}` : ''}`;
    if (this.#mode === 'live') {
      if (this.#live) this.#live.text = text;
      else this.#startLive(text);
    } else if (text !== this.#lastProgress) {
      printError(this.#io, `  ${text}`);
    }
    this.#lastProgress = text;
  };

  /** Stops the spinner and clears its line (call once the command is done, also on errors). */
  close(): void {
    this.#stopLive();
  }

  #startLive(text: string): void {
    this.#stopLive();
    this.#live = { text, since: this.#now() };
    this.#draw();
    this.#timer = setInterval(() => this.#draw(), 100);
    // The spinner must never keep the process alive on its own.
    this.#timer.unref?.();
  }

  #draw(): void {
    if (!this.#live) return;
    const spinner = SPINNER[this.#spinnerIndex++ % SPINNER.length];
    const seconds = Math.floor((this.#now() - this.#live.since) / 1000);
    // Whole seconds, like `argocd app wait`'s ticker: the line changes once a second, not on every redraw.
    const elapsed = seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
    this.#io.stderr.write(`${CLEAR_LINE}${spinner} ${this.#live.text} (${elapsed})`);
  }

  #stopLive(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#live) {
      this.#io.stderr.write(CLEAR_LINE);
      this.#live = undefined;
    }
  }

  #line(text: string): void {
    this.#stopLive();
    printError(this.#io, text);
  }
}
