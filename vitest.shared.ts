import { readdirSync } from 'node:fs';
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
      restoreMocks: true,
    },
  };
}
