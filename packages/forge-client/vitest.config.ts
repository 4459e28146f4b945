import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.js';

// The unit files are small and restore what they change (fake timers, env), so one worker may run several of them:
// on a loaded 2-core machine that halves the wall time spent re-importing undici and zod per file.
export default mergeConfig(
  defineConfig(sharedTestConfig(import.meta.dirname)),
  defineConfig({ test: { isolate: false } }),
);
