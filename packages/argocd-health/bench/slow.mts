import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadResourceCustomizations } from '../src/customizations/load-resource-customizations.ts';
import { HealthScriptResolver } from '../src/customizations/script-resolver.ts';
import { toLuaChunk } from '../src/lua/lua-literal.ts';
import { LuaRuntime } from '../src/lua/lua-runtime.ts';
import { configMapKey, groupVersionKind } from '../src/object-fields.ts';
import { parseKubernetesYaml } from '../src/parse-kubernetes-yaml.ts';
const dir = '/tmp/argo-cd/resource_customizations';
const scripts = await loadResourceCustomizations(dir);
const resolver = new HealthScriptResolver(new Map(), scripts);
const cases: any[] = [];
for (const s of scripts) {
  const f = join(dir, s.path, 'health_test.yaml'); if (!existsSync(f)) continue;
  for (const t of (parseYaml(await readFile(f, 'utf8')) as any).tests) {
    const [o] = parseKubernetesYaml(await readFile(join(dir, s.path, t.inputPath ?? t.inputpath), 'utf8'));
    const { group, kind } = groupVersionKind(o!); cases.push({ name: s.path + '/' + (t.inputPath ?? t.inputpath), script: resolver.resolve(configMapKey(group, kind))!.healthLua, o });
  }
}
const rt = await LuaRuntime.create();
for (const c of cases) rt.evaluate(c.script, toLuaChunk(c.o), true);
for (const c of cases) {
  const ts: number[] = []; let chunkT = 0;
  for (let i = 0; i < 5; i++) { const a = performance.now(); const ch = toLuaChunk(c.o); const b = performance.now(); rt.evaluate(c.script, ch, true); ts.push(performance.now() - b); chunkT += b - a; }
  ts.sort((a, b) => a - b); c.t = ts[2]; c.chunk = chunkT / 5; c.len = toLuaChunk(c.o).length;
}
cases.sort((a, b) => b.t - a.t);
for (const c of cases.slice(0, 15)) console.log((c.t * 1000).toFixed(0), 'us eval', (c.chunk * 1000).toFixed(0), 'us chunk', c.len, 'bytes', c.name);
const totalEval = cases.reduce((s, c) => s + c.t, 0), totalChunk = cases.reduce((s, c) => s + c.chunk, 0);
console.log('sum eval ms', totalEval.toFixed(1), 'sum chunk ms', totalChunk.toFixed(1));
await rt.close();
