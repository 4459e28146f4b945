import type { PromotionEvent, PromotionStepName } from './promotion-events.js';
import type { PromotionStepRecord } from './promotion-report.js';

/** Runs the steps of a promotion, timing each and telling the caller as they start and end. */
export class StepRecorder {
  readonly steps: PromotionStepRecord[] = [];
  /** The step running now (what an interrupt interrupts). */
  running: PromotionStepName | undefined;
  readonly #emit: (event: PromotionEvent) => void;
  readonly #now: () => number;

  constructor(emit: (event: PromotionEvent) => void, now: () => number = () => performance.now()) {
    this.#emit = emit;
    this.#now = now;
  }

  /** Runs `work` as step `name`; `describe` turns its result into the line shown when it succeeds. */
  async run<T>(
    name: PromotionStepName,
    startMessage: string,
    work: () => Promise<T>,
    describe: (result: T) => string,
  ): Promise<T> {
    const startedAt = new Date().toISOString();
    const started = this.#now();
    this.#emit({ type: 'step', step: name, status: 'started', message: startMessage });
    this.running = name;
    try {
      const result = await work();
      const durationMs = Math.round(this.#now() - started);
      const detail = describe(result);
      this.steps.push({ name, status: 'succeeded', startedAt, durationMs, detail });
      this.#emit({ type: 'step', step: name, status: 'succeeded', message: detail, durationMs });
      return result;
    } catch (error) {
      const durationMs = Math.round(this.#now() - started);
      const detail = error instanceof Error ? error.message : String(error);
      this.steps.push({ name, status: 'failed', startedAt, durationMs, detail });
      this.#emit({ type: 'step', step: name, status: 'failed', message: detail, durationMs });
      throw error;
    } finally {
      if (this.running === name) this.running = undefined;
    }
  }

  /** Records a step that did not need to run. */
  skip(name: PromotionStepName, reason: string): void {
    this.steps.push({
      name,
      status: 'skipped',
      startedAt: new Date().toISOString(),
      durationMs: 0,
      detail: reason,
    });
    this.#emit({ type: 'step', step: name, status: 'skipped', message: reason });
  }
}
