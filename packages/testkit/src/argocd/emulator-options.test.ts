import { describe, expect, it, vi } from 'vitest';
import { resolveEmulatorOptions } from './emulator-options.js';

describe('ArgoCDEmulator onError', () => {
  it('never lets a throwing onError callback escape (it would become an unhandled rejection in the controller)', () => {
    const seen: unknown[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const resolved = resolveEmulatorOptions({
      onError: (reported) => {
        seen.push(reported);
        throw new Error('test callback fails');
      },
    });
    const internal = new Error('reconcile failed');
    expect(() => resolved.onError(internal)).not.toThrow();
    expect(seen).toEqual([internal]);
    expect(error).toHaveBeenCalledWith('ArgoCDEmulator: the onError callback threw', expect.any(Error));
  });

  it('logs internal errors by default instead of dropping them silently', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const internal = new Error('reconcile failed');
    resolveEmulatorOptions({}).onError(internal);
    expect(error).toHaveBeenCalledWith('ArgoCDEmulator: internal error', internal);
  });
});
