import { describe, expect, it } from 'vitest';
import { ProgressPrinter, progressModeFor } from '../src/cli/progress-printer.js';
import { captureIo } from './cli-io.js';

describe('ProgressPrinter', () => {
  it('live mode redraws one line with the elapsed time of the running step', () => {
    let now = 0;
    let stderr = '';
    const io = { ...captureIo(), stderr: { write: (text: string) => (stderr += text), isTTY: true } };
    const printer = new ProgressPrinter(
      io,
      progressModeFor(io, { quiet: false, machineOutput: false }),
      () => now,
    );
    printer.handle({ type: 'step', step: 'wait', status: 'started', message: 'waiting' });
    now = 75_500;
    printer.handle({
      type: 'progress',
      step: 'wait',
      syncStatus: 'Synced',
      healthStatus: 'Progressing',
      operationPhase: 'Succeeded',
      revision: 'abc',
      pending: [],
    });
    printer.close();
    expect(stderr).toContain('\r\u001b[2K⠋ wait: waiting (0s)');
    expect(stderr).toBe(`\r\u001b[2K⠋ wait: waiting (0s)\r\u001b[2K`);
    // The timer redraws with the newest text; emulate one tick by starting a new step.
    stderr = '';
    printer.handle({ type: 'step', step: 'rollback', status: 'started', message: 'rolling back' });
    now = 136_000;
    printer.handle({
      type: 'step',
      step: 'rollback',
      status: 'succeeded',
      message: 'done',
      durationMs: 60_500,
    });
    expect(stderr).toBe('\r\u001b[2K⠙ rollback: rolling back (0s)\r\u001b[2K✓ rollback: done (1m0.5s)\n');
  });

  it('plain mode on a pipe and in CI; off with -q or machine output', () => {
    const pipe = captureIo();
    expect(progressModeFor(pipe, { quiet: false, machineOutput: false })).toBe('plain');
    const ci = { ...captureIo({ env: { CI: 'true' } }), stderr: { write: () => true, isTTY: true } };
    expect(progressModeFor(ci, { quiet: false, machineOutput: false })).toBe('plain');
    expect(progressModeFor(pipe, { quiet: true, machineOutput: false })).toBe('off');
    expect(progressModeFor(pipe, { quiet: false, machineOutput: true })).toBe('off');
    const printer = new ProgressPrinter(pipe, 'plain');
    printer.handle({ type: 'step', step: 'wait', status: 'started', message: 'waiting' });
    printer.handle({ type: 'warning', message: 'careful' });
    expect(pipe.err()).toBe('▸ wait: waiting\n! careful\n');
  });
});
