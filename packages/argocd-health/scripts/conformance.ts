/**
 * Runs Argo CD's own health test suite (every `health_test.yaml` under `resource_customizations`) against this package, the
 * way `util/lua/health_test.go` does: resolve the bundled script for each input, run it with the open libraries,
 * compare status and message exactly. Point ARGOCD_RESOURCE_CUSTOMIZATIONS at an Argo CD checkout's
 * `resource_customizations` directory; without it the run is skipped (exit 0).
 *
 *   ARGOCD_RESOURCE_CUSTOMIZATIONS=/path/to/argo-cd/resource_customizations npm run conformance
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadResourceCustomizations } from '../src/customizations/load-resource-customizations.js';
import { HealthScriptResolver } from '../src/customizations/script-resolver.js';
import { interpretLuaEvaluation } from '../src/lua/interpret-lua-result.js';
import { toLuaChunk } from '../src/lua/lua-literal.js';
import { LuaRuntime } from '../src/lua/lua-runtime.js';
import { configMapKey, groupVersionKind } from '../src/object-fields.js';
import { parseKubernetesYaml } from '../src/parse-kubernetes-yaml.js';

interface TestCase {
  inputPath: string;
  status: string;
  message: string;
}

function readCases(text: string): TestCase[] {
  const parsed = parseYaml(text) as { tests?: Record<string, unknown>[] } | null;
  return (parsed?.tests ?? []).map((test) => {
    // sigs.k8s.io/yaml matches keys case-insensitively; one upstream file writes `inputpath`.
    const entry = Object.fromEntries(Object.entries(test).map(([key, value]) => [key.toLowerCase(), value]));
    const health = (entry.healthstatus ?? {}) as Record<string, unknown>;
    return {
      inputPath: String(entry.inputpath ?? ''),
      status: typeof health.status === 'string' ? health.status : '',
      message: typeof health.message === 'string' ? health.message : '',
    };
  });
}

async function main(): Promise<number> {
  const directory = process.env.ARGOCD_RESOURCE_CUSTOMIZATIONS;
  if (directory === undefined || directory === '') {
    console.log('conformance skipped: ARGOCD_RESOURCE_CUSTOMIZATIONS not set');
    return 0;
  }
  if (!existsSync(directory)) {
    console.error(`conformance: ${directory} does not exist`);
    return 2;
  }
  const scripts = await loadResourceCustomizations(directory);
  const resolver = new HealthScriptResolver(new Map(), scripts);
  const runtime = await LuaRuntime.create();
  let passed = 0;
  const failures: string[] = [];
  try {
    for (const script of scripts) {
      const folder = join(directory, script.path);
      const testFile = join(folder, 'health_test.yaml');
      if (!existsSync(testFile)) continue;
      for (const test of readCases(await readFile(testFile, 'utf8'))) {
        const name = `${script.path}/${test.inputPath}`;
        let object: Record<string, unknown> | undefined;
        try {
          [object] = parseKubernetesYaml(await readFile(join(folder, test.inputPath), 'utf8'));
        } catch (error) {
          failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
          continue;
        }
        if (object === undefined) {
          failures.push(`${name}: empty input`);
          continue;
        }
        const { group, kind } = groupVersionKind(object);
        const resolved = resolver.resolve(configMapKey(group, kind));
        if (resolved === null) {
          failures.push(`${name}: no script resolved for ${configMapKey(group, kind)}`);
          continue;
        }
        const health = interpretLuaEvaluation(runtime.evaluate(resolved.healthLua, toLuaChunk(object), true));
        const actual = health ?? { status: '', message: '' };
        if (actual.status === test.status && actual.message === test.message) {
          passed += 1;
        } else {
          failures.push(
            `${name}\n    expected ${JSON.stringify({ status: test.status, message: test.message })}\n    actual   ${JSON.stringify(actual)}`,
          );
        }
      }
    }
  } finally {
    await runtime.close();
  }
  for (const failure of failures) console.log(`FAIL ${failure}`);
  console.log(`conformance: ${passed} passed, ${failures.length} failed, ${passed + failures.length} cases`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
