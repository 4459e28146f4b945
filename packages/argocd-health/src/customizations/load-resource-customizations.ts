import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { HealthConfigurationError } from '../errors.js';

/** A health script read from a `resource_customizations` directory; built-in scripts always get the open libraries. */
export interface ResourceCustomizationScript {
  /** `group/Kind` (or `Kind`) with `_` turned into the `*` wildcard, as Argo CD reads folder names. */
  key: string;
  /** The folder path relative to the root, `/`-separated (Argo CD sorts wildcard folders by it). */
  path: string;
  healthLua: string;
}

async function walk(root: string, directory: string, found: ResourceCustomizationScript[]): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(directory, entry.name);
    if (entry.isDirectory()) {
      await walk(root, full, found);
    } else if (entry.isFile() && entry.name === 'health.lua') {
      const path = relative(root, directory).split(sep).join('/');
      if (path === '') continue;
      found.push({ key: path.replaceAll('_', '*'), path, healthLua: await readFile(full, 'utf8') });
    }
  }
}

/**
 * Reads every `<group>/<Kind>/health.lua` under a directory laid out like Argo CD's `resource_customizations`
 * (a `_` in a folder name is a wildcard), so an assessor can use the bundled scripts of the Argo CD version you run.
 * Pass the result as `resourceCustomizations` to `createHealthAssessor`.
 *
 * @throws {HealthConfigurationError} when the directory cannot be read.
 * @example
 * ```ts
 * const scripts = await loadResourceCustomizations('./argo-cd/resource_customizations');
 * const assessor = await createHealthAssessor({ resourceCustomizations: scripts });
 * ```
 */
export async function loadResourceCustomizations(directory: string): Promise<ResourceCustomizationScript[]> {
  const found: ResourceCustomizationScript[] = [];
  try {
    await walk(directory, directory, found);
  } catch (error) {
    throw new HealthConfigurationError(`Cannot read the resource customizations directory "${directory}".`, {
      cause: error,
    });
  }
  return found.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
}
