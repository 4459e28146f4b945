import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { ViteUserConfig } from 'vitest/config';

const packagesDirectory = resolve(import.meta.dirname, 'packages');

/**
 * Test configuration every package shares. Workspace imports (`@gitops-kit/<name>`) resolve to the sibling's
 * source, so a test never runs against a stale build.
 */
export function sharedTestConfig(packageDirectory: string): ViteUserConfig {
  const alias = readdirSync(packagesDirectory).map((name) => ({
    find: new RegExp(`^@gitops-kit/${name}$`),
    replacement: join(packagesDirectory, name, 'src', 'index.ts'),
  }));
  return {
    root: packageDirectory,
    resolve: { alias },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 20_000,
      hookTimeout: 20_000,
      pool: 'forks',
      // Most test time is spent waiting on real servers (git, sshd, Jetty, kubectl) rather than computing, so more
      // files than cores run at once; vitest's default (cores - 1) ran the files one by one on a 2-core machine.
      maxWorkers: availableParallelism() + 1,
      restoreMocks: true,
    },
  };
}
