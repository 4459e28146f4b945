import { performance } from 'node:perf_hooks';

/**
 * The emulator's clock. Simulated time runs `timeScale` times faster than real time, so a PipelineRun with a
 * one-hour timeout and `timeScale: 10_000` times out after 0.36 real seconds while its timestamps still read
 * one hour apart. Every duration the emulator takes from a test (step durations, timeouts) is in simulated ms.
 *
 * @example
 * ```ts
 * const clock = new SimulatedClock({ timeScale: 100, start: new Date('2026-01-01T00:00:00Z') });
 * clock.setTimeout(() => console.log(clock.isoNow()), 60_000); // fires after 0.6 s real time
 * ```
 */
export class SimulatedClock {
  readonly timeScale: number;
  private readonly startEpochMs: number;
  private readonly startRealMs = performance.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<() => void>();

  private readonly onCallbackError: (error: unknown) => void;

  /**
   * @param options `onCallbackError` receives whatever a timer callback throws (default: rethrow, which Node
   *   reports as an uncaught exception); the emulator logs it instead, so no callback can end the process.
   */
  constructor(
    options: { timeScale?: number; start?: Date; onCallbackError?: (error: unknown) => void } = {},
  ) {
    this.onCallbackError =
      options.onCallbackError ??
      ((error) => {
        throw error;
      });
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new RangeError('timeScale must be a positive number');
    this.startEpochMs = options.start?.getTime() ?? Date.now();
  }

  /** Simulated milliseconds since the Unix epoch. */
  now(): number {
    return Math.floor(this.startEpochMs + (performance.now() - this.startRealMs) * this.timeScale);
  }

  /** Simulated time as a Kubernetes timestamp (RFC 3339, whole seconds). */
  isoNow(): string {
    return toKubeTime(this.now());
  }

  /** Real milliseconds that `simulatedMs` take. */
  toRealMs(simulatedMs: number): number {
    return Math.max(0, simulatedMs / this.timeScale);
  }

  /** Runs `callback` after `simulatedMs`; the timer is cleared by `clearAll()` and does not keep the process alive. */
  setTimeout(callback: () => void, simulatedMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try {
        callback();
      } catch (error) {
        this.onCallbackError(error);
      }
    }, this.toRealMs(simulatedMs));
    timer.unref();
    this.timers.add(timer);
    return timer;
  }

  /** Cancels a timer made by `setTimeout`. */
  clearTimeout(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Resolves after `simulatedMs`, at once when the signal aborts, or when `clearAll()` runs. */
  sleep(simulatedMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        this.sleepers.delete(done);
        this.clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.setTimeout(done, simulatedMs);
      this.sleepers.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Cancels every pending timer (on emulator stop). */
  clearAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const sleeper of [...this.sleepers]) sleeper();
  }
}

/** Formats epoch milliseconds the way Kubernetes writes `metav1.Time`: RFC 3339 in UTC with whole seconds. */
export function toKubeTime(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Units Go's `time.ParseDuration` accepts, in milliseconds (`µs` is U+00B5, `μs` U+03BC; Go takes both). */
const GO_DURATION_UNITS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  '\u00b5s': 0.001,
  '\u03bcs': 0.001,
  ns: 1e-6,
};

/**
 * Parses a Go duration string (`1h0m0s`, `90s`, `1.5h`, `.5s`, `-2m`, `0`) into milliseconds, following Go's
 * `time.ParseDuration` step by step: an optional sign, then numbers each followed by a unit; a bare `0` needs no
 * unit. The error messages are Go's, since Tekton's webhook answers with them (`time: unknown unit " hour" in
 * duration "1 hour"`).
 *
 * @throws RangeError when the text is not a Go duration.
 * @example
 * ```ts
 * parseGoDurationMs('1h30m'); // 5_400_000
 * ```
 */
export function parseGoDurationMs(text: string): number {
  const invalid = (why = 'invalid duration'): RangeError =>
    new RangeError(`time: ${why} ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) throw invalid();
    rest = rest.slice(number?.[0].length ?? 0);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') throw invalid('missing unit in duration');
    const scale = GO_DURATION_UNITS[unit];
    if (scale === undefined) throw invalid(`unknown unit ${JSON.stringify(unit)} in duration`);
    rest = rest.slice(unit.length);
    total += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
  }
  return sign * total;
}

/**
 * Formats milliseconds like Go's `time.Duration.String()` (`1h0m0s`, `4m0s`, `1.5s`, `0s`), the form Tekton
 * writes in timeouts and messages.
 *
 * @example
 * ```ts
 * formatGoDuration(3_600_000); // '1h0m0s'
 * ```
 */
export function formatGoDuration(milliseconds: number): string {
  if (milliseconds === 0) return '0s';
  const sign = milliseconds < 0 ? '-' : '';
  let rest = Math.abs(milliseconds);
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${Number((rest / 1000).toFixed(3))}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

/** `formatGoDuration`, or `''` for a non-finite value. */
export function formatGoDurationSafe(milliseconds: number): string {
  return Number.isFinite(milliseconds) ? formatGoDuration(milliseconds) : '';
}
